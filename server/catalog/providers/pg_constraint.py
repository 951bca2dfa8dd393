"""pg_constraint: the primary key constraint of each visible table that has one (no foreign keys)."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table
from server.sql.oids import PUBLIC_NAMESPACE

SPEC = """
oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, convalidated bool,
conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype char, confdeltype char,
confmatchtype char, conislocal bool, coninhcount int4, connoinherit bool, conkey _int2, confkey _int2,
conpfeqop _oid, conppeqop _oid, conffeqop _oid, confdelsetcols _int2, conexclop _oid, conbin pg_node_tree
"""


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if not relation.has_primary_key:
            continue
        yield (
            relation.constraint_oid, relation.pkey_name, PUBLIC_NAMESPACE, "p", False, False, True,
            relation.oid, 0, relation.index_oid, 0, 0, " ", " ",
            " ", True, 0, True, list(relation.pkey_attnums), None,
            None, None, None, None, None, None,
        )  # fmt: skip


PROVIDER = table("pg_constraint", SPEC, oid=2606, rows=_rows)

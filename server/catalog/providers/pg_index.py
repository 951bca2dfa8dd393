"""pg_index: one primary key index per visible table with a primary key dimension.

SQLAlchemy's get_pk_constraint and JDBC's getPrimaryKeys/getIndexInfo join
pg_constraint to pg_index and unnest ``indkey``; psql's ``\\d`` lists it under
"Indexes".
"""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.typeinfo import BTREE_OPCLASS, storage

SPEC = """
indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool,
indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool,
indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey int2vector,
indcollation oidvector, indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree
"""


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if not relation.has_primary_key:
            continue
        by_name = {c.name: c for c in relation.columns}
        keys = [by_name[name] for name in relation.primary_key]
        collations = [storage(c.type, c.array).collation for c in keys]
        classes = [0 if c.array else BTREE_OPCLASS.get(c.type.name, 0) for c in keys]
        n = len(keys)
        yield (
            relation.index_oid, relation.oid, n, n, True, False,
            True, False, True, False, True,
            False, True, True, False, [c.attnum for c in keys],
            collations, classes, [0] * n, None, None,
        )  # fmt: skip


PROVIDER = table("pg_index", SPEC, oid=2610, rows=_rows)

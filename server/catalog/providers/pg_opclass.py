"""pg_opclass: the default btree operator classes that the primary key indexes' ``indclass`` names."""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.typeinfo import BTREE_OPCLASS
from server.sql.oids import PG_CATALOG_NAMESPACE
from server.sql.pg_types import BY_NAME

SPEC = """
oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid,
opcdefault bool, opckeytype oid
"""


def _rows(content: CatalogContent) -> Rows:
    seen = set()
    for type_name, oid in BTREE_OPCLASS.items():
        if oid in seen:
            continue
        seen.add(oid)
        yield (oid, 403, f"{type_name}_ops", PG_CATALOG_NAMESPACE, OWNER_OID, 0, BY_NAME[type_name].oid, True, 0)


PROVIDER = table("pg_opclass", SPEC, oid=2616, rows=_rows, static=True)

"""pg_database: the one database a Quiver data product is served as (UTF8, C locale)."""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table

SPEC = """
oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, datallowconn bool,
datconnlimit int4, datfrozenxid xid, datminmxid xid, dattablespace oid, datcollate text, datctype text,
daticulocale text, daticurules text, datcollversion text, datacl _aclitem
"""
UTF8 = 6
PG_DEFAULT_TABLESPACE = 1663


def _rows(content: CatalogContent) -> Rows:
    yield (
        content.database_oid, content.database, OWNER_OID, UTF8, "c", False, True,
        -1, 716, 1, PG_DEFAULT_TABLESPACE, "C", "C",
        None, None, None, None,
    )  # fmt: skip


PROVIDER = table("pg_database", SPEC, oid=1262, rows=_rows)

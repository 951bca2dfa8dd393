"""pg_collation: the default, C and POSIX collations (the database uses the C locale)."""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table
from server.sql.oids import PG_CATALOG_NAMESPACE

SPEC = """
oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool,
collencoding int4, collcollate text, collctype text, colliculocale text, collicurules text, collversion text
"""


def _rows(content: CatalogContent) -> Rows:
    ns, owner = PG_CATALOG_NAMESPACE, OWNER_OID
    yield (100, "default", ns, owner, "d", True, -1, None, None, None, None, None)
    yield (950, "C", ns, owner, "c", True, -1, "C", "C", None, None, None)
    yield (951, "POSIX", ns, owner, "c", True, -1, "POSIX", "POSIX", None, None, None)


PROVIDER = table("pg_collation", SPEC, oid=3456, rows=_rows, static=True)

"""pg_conversion: the default conversions between the server encoding (UTF8) and SQL_ASCII.

DBeaver lists encodings from the conversions' target encodings.
"""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table
from server.sql.oids import PG_CATALOG_NAMESPACE

SPEC = """
oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4, conproc regproc,
condefault bool
"""
UTF8, SQL_ASCII = 6, 0


def _rows(content: CatalogContent) -> Rows:
    yield (12000 + 1, "ascii_to_utf8", PG_CATALOG_NAMESPACE, OWNER_OID, SQL_ASCII, UTF8, 0, True)
    yield (12000 + 2, "utf8_to_ascii", PG_CATALOG_NAMESPACE, OWNER_OID, UTF8, SQL_ASCII, 0, True)


PROVIDER = table("pg_conversion", SPEC, oid=2607, rows=_rows, static=True)

"""pg_tablespace: pg_default and pg_global."""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table


def _rows(content: CatalogContent) -> Rows:
    yield (1663, "pg_default", OWNER_OID, None, None)
    yield (1664, "pg_global", OWNER_OID, None, None)


PROVIDER = table(
    "pg_tablespace",
    "oid oid, spcname name, spcowner oid, spcacl _aclitem, spcoptions _text",
    oid=1213,
    rows=_rows,
    static=True,
)

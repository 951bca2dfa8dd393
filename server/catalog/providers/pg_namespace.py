"""pg_namespace: the three schemas a client can see (pg_catalog, public, information_schema)."""

from __future__ import annotations

from server.catalog.content import NAMESPACES, CatalogContent
from server.catalog.providers.base import Rows, table


def _rows(content: CatalogContent) -> Rows:
    for oid, name, owner in NAMESPACES:
        yield (oid, name, owner, None)


PROVIDER = table(
    "pg_namespace", "oid oid, nspname name, nspowner oid, nspacl _aclitem", oid=2615, rows=_rows, static=True
)

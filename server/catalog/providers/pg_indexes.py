"""pg_indexes: the primary key index of each visible table, with its CREATE INDEX definition."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if relation.has_primary_key:
            yield ("public", relation.name, relation.pkey_name, None, relation.index_definition)


PROVIDER = table(
    "pg_indexes",
    "schemaname name, tablename name, indexname name, tablespace name, indexdef text",
    oid=12043,
    kind="v",
    rows=_rows,
)

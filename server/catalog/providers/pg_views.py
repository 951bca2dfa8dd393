"""pg_views: visible data product views with their (column-only) definitions, and the system views."""

from __future__ import annotations

from server.catalog.content import OWNER, CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.providers.system import system_tables


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if relation.kind == "v":
            yield ("public", relation.name, OWNER, relation.view_definition)


def _system_rows(database: str) -> Rows:
    for system in system_tables():
        if system.kind == "v":
            yield (system.schema, system.name, OWNER, None)


PROVIDER = table(
    "pg_views",
    "schemaname name, viewname name, viewowner name, definition text",
    oid=12028,
    kind="v",
    rows=_rows,
    fixed=_system_rows,
)

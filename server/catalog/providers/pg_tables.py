"""pg_tables: visible data product tables (schema public) and the emulated pg_catalog tables."""

from __future__ import annotations

from server.catalog.content import OWNER, CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.providers.system import system_tables

SPEC = """
schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, hasrules bool,
hastriggers bool, rowsecurity bool
"""


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if relation.kind == "r":
            yield ("public", relation.name, OWNER, None, relation.has_primary_key, False, False, False)


def _system_rows(database: str) -> Rows:
    for system in system_tables():
        if system.kind == "r":
            yield (system.schema, system.name, OWNER, None, True, False, False, False)


PROVIDER = table("pg_tables", SPEC, oid=12033, kind="v", rows=_rows, fixed=_system_rows)

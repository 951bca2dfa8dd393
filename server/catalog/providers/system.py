"""The emulated catalog tables themselves, as rows of pg_class, pg_attribute and information_schema.

PostgreSQL lists its own catalogs in pg_class (psqlODBC and pgJDBC follow a
result column's table OID there), so the catalog describes itself. These rows
depend on nothing but the registry, so they are built once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from server.catalog.content import NAMESPACE_OIDS
from server.catalog.schema import ColumnSpec


@dataclass(frozen=True)
class SystemTable:
    """An emulated pg_catalog or information_schema table, as it appears in pg_class."""

    name: str
    schema: str
    oid: int
    kind: str
    columns: tuple[ColumnSpec, ...]

    @property
    def namespace_oid(self) -> int:
        return NAMESPACE_OIDS[self.schema]


@cache
def system_tables() -> tuple[SystemTable, ...]:
    from server.catalog.providers import PROVIDERS  # the registry imports the providers that call this

    return tuple(SystemTable(p.name, p.schema, p.oid, p.kind, p.columns) for p in PROVIDERS)

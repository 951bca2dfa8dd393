"""A provider: one emulated catalog table, its columns and where its rows come from.

Each pg_catalog or information_schema table is one :class:`Provider` (Cube's SQL
API does the same): the columns in PostgreSQL 16's order and types, a function
from the caller's :class:`~server.catalog.content.CatalogContent` to rows, and,
for the few tables that depend on the session (the current user's role, their
own pg_stat_activity row, their settings), a DuckDB table macro over the
stored rows that the translator calls with the session's values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from server.cache import LRUCache
from server.catalog.content import CatalogContent
from server.catalog.schema import ColumnSpec, columns

Rows = Iterable[Sequence[Any]]

# The parameters every session table macro takes, in this order.
SESSION_PARAMETERS = ("s_user", "s_user_oid", "s_application", "s_pid", "s_settings")

_ARROW_TYPES: dict[str, pa.DataType] = {
    "UINTEGER": pa.uint32(),
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "SMALLINT": pa.int16(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "FLOAT": pa.float32(),
    "DOUBLE": pa.float64(),
    "BLOB": pa.binary(),
    "INTERVAL": pa.month_day_nano_interval(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}


# Arrow tables of rows that do not depend on the caller, by (provider, database name): one
# database name per server, so the bound only matters if names ever come from clients.
_CACHED = LRUCache[tuple[str, str], pa.Table](256)


def _no_rows(content: CatalogContent) -> Rows:
    return ()


def arrow_type(duckdb_type: str) -> pa.DataType:
    if duckdb_type.endswith("[]"):
        return pa.list_(arrow_type(duckdb_type[:-2]))
    return _ARROW_TYPES[duckdb_type]


@dataclass(frozen=True)
class Provider:
    """One emulated catalog table."""

    name: str
    schema: str  # "pg_catalog" or "information_schema"
    columns: tuple[ColumnSpec, ...]
    oid: int  # PostgreSQL's OID for the catalog table or view
    kind: str = "r"  # relkind: 'r' for catalog tables, 'v' for system views
    rows: Callable[[CatalogContent], Rows] = _no_rows
    # A SELECT over the stored rows (table ``{stored}``) using SESSION_PARAMETERS; None when static.
    session_sql: str | None = None
    # The rows never depend on the caller's content (built once per process).
    static: bool = False
    # Rows that depend only on the database name (the catalog's own tables), built once per name.
    fixed: Callable[[str], Rows] | None = None

    @property
    def always_empty(self) -> bool:
        """No rows ever: queries read an inline empty relation instead of a stored table."""
        return self.rows is _no_rows and self.session_sql is None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def arrow(self, content: CatalogContent) -> pa.Table:
        """The provider's rows as an Arrow table typed exactly as the DuckDB table."""
        if self.static:
            key = (self.name, "")
            table = _CACHED.get(key)
            if table is None:
                table = self._arrow(self.rows(content))
                _CACHED.put(key, table)
            return table
        dynamic = self._arrow(self.rows(content))
        if self.fixed is None:
            return dynamic
        key = (self.name, content.database)
        fixed = _CACHED.get(key)
        if fixed is None:
            fixed = self._arrow(self.fixed(content.database))
            _CACHED.put(key, fixed)
        return pa.concat_tables([dynamic, fixed])

    def _arrow(self, rows: Rows) -> pa.Table:
        data = [tuple(row) for row in rows]
        arrays = []
        for index, column in enumerate(self.columns):
            values = [row[index] for row in data]
            arrays.append(pa.array(values, type=arrow_type(column.duckdb_type)))
        return pa.Table.from_arrays(arrays, names=list(self.column_names))


def table(
    name: str,
    spec: str,
    *,
    oid: int,
    schema: str = "pg_catalog",
    kind: str = "r",
    rows: Callable[[CatalogContent], Rows] = _no_rows,
    session_sql: str | None = None,
    static: bool = False,
    fixed: Callable[[str], Rows] | None = None,
) -> Provider:
    """Declare a provider from a compact column spec (``"oid oid, relname name"``)."""
    return Provider(name, schema, columns(spec), oid, kind, rows, session_sql, static, fixed)

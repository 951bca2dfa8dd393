"""Session-scoped temporary tables (Tableau's extract pattern), in a private in-memory DuckDB.

``CREATE TEMP TABLE t AS SELECT ...`` stores an already governed result; later
statements that read only temporary tables run here, over Arrow tables
registered by name.

This engine is reachable by any user who may create a temporary table, so it is
held to the same rules as the main one: the data function allowlist, no table
functions and nothing but the session's own temporary tables in FROM, no file
or network access, a locked configuration, no spilling to disk, its own memory
and thread limit, the statement timeout and cancel. Results stream.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyarrow as pa
import sqlglot.expressions as exp

from connectors.base import CancelToken, ConnectorError, QueryHandle, WrappedQuery
from connectors.duckdb import DuckDBConnector
from server.errors import FeatureNotSupported, InsufficientPrivilege, UndefinedTable
from server.execution.executor import ResultStream, open_stream
from server.sql.functions import check_functions
from server.sql.postgres_meaning import postgres_meaning
from server.sql.templates import pg_template_functions

# What one statement over temporary tables may use: small, since the tables themselves
# are already in the session's memory and only a query's working state is counted here.
SCRATCH_MEMORY_LIMIT = "512MB"
SCRATCH_THREADS = 1

# PostgreSQL column type names (CREATE TEMP TABLE t (c type)) to Arrow types.
ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int32(),
    "int": pa.int32(),
    "int4": pa.int32(),
    "smallint": pa.int16(),
    "int2": pa.int16(),
    "bigint": pa.int64(),
    "int8": pa.int64(),
    "boolean": pa.bool_(),
    "bool": pa.bool_(),
    "real": pa.float32(),
    "float4": pa.float32(),
    "double precision": pa.float64(),
    "float8": pa.float64(),
    "text": pa.string(),
    "varchar": pa.string(),
    "character varying": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamp without time zone": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "numeric": pa.decimal128(38, 10),
    "bytea": pa.binary(),
}


def empty_table(columns: tuple[tuple[str, str], ...]) -> pa.Table:
    fields = []
    for name, type_text in columns:
        base = type_text.split("(")[0].strip()
        fields.append(pa.field(name, ARROW_TYPES.get(base, pa.string())))
    return pa.schema(fields).empty_table()


def referenced_tables(tree: exp.Expr) -> set[str]:
    """Names of tables the statement reads, minus its own CTE names."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes and not t.db}


def check_scratch_statement(tree: exp.Expr, tables: Mapping[str, pa.Table]) -> None:
    """Raise unless ``tree`` is a query over the session's temporary tables and allowed functions only."""
    if not isinstance(tree, exp.Query):
        raise FeatureNotSupported(f"{tree.key.upper()} statements are not supported on temporary tables")
    check_functions(tree)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise InsufficientPrivilege("table functions read outside the data product and are not allowed")
        name = table.name
        if table.args.get("db") or table.args.get("catalog") or (name not in tables and name not in ctes):
            raise UndefinedTable(f'relation "{table.sql(dialect="postgres")}" does not exist')


class _ScratchQuery(WrappedQuery):
    """A query on a private engine that lives exactly as long as the query."""

    def __init__(self, connector: DuckDBConnector, handle: QueryHandle) -> None:
        super().__init__(handle)
        self._connector = connector

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            yield from self._inner.batches()
        finally:
            self.close()

    def close(self) -> None:
        self._inner.close()
        self._connector.close()


def run_on_temp_tables(
    tree: exp.Expr,
    tables: Mapping[str, pa.Table],
    *,
    timeout: float | None = None,
    token: CancelToken | None = None,
) -> ResultStream:
    """Start a statement that reads only temporary tables; its rows stream like any engine result."""
    check_scratch_statement(tree, tables)
    read = referenced_tables(tree)
    # PostgreSQL's to_char templates and operator meaning (7/2 is 3), as on the other routes; on a
    # copy, since parse trees are shared through the parse cache. Temp-table columns are untyped here.
    sql = postgres_meaning(pg_template_functions(tree.copy())).sql(dialect="duckdb")

    def start() -> QueryHandle:
        connector = DuckDBConnector(
            ":memory:",
            threads=SCRATCH_THREADS,
            memory_limit=SCRATCH_MEMORY_LIMIT,
            spill=False,
            tables={name: tables[name] for name in read if name in tables},
        )
        try:
            return _ScratchQuery(connector, connector.execute(sql, timeout=timeout, token=token))
        except ConnectorError:
            connector.close()
            raise

    return open_stream(start)

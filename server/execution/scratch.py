"""Session-scoped temporary tables (Tableau's extract pattern), in a private in-memory DuckDB.

``CREATE TEMP TABLE t AS SELECT ...`` stores an already governed result; later
statements that read only temporary tables run here, over Arrow tables
registered by name. The database is locked down like the main engine's.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pyarrow as pa
import sqlglot.expressions as exp

from connectors.base import ConnectorError
from connectors.duckdb import error_from_duckdb
from server.execution.executor import TableResult, translate

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


def referenced_tables(tree: exp.Expression) -> set[str]:
    """Names of tables the statement reads, minus its own CTE names."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes and not t.db}


def run_on_temp_tables(tree: exp.Expression, tables: Mapping[str, pa.Table]) -> TableResult:
    """Run a statement that reads only temporary tables."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute("SET enable_external_access = false")
        for name, table in tables.items():
            con.register(name, table)
        con.execute("SET lock_configuration = true")
        try:
            result = con.execute(tree.sql(dialect="duckdb")).to_arrow_table()
        except duckdb.Error as exc:
            error: ConnectorError = error_from_duckdb(exc)
            raise translate(error) from None
        return TableResult(result)
    finally:
        con.close()

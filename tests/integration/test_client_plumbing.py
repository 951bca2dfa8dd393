"""The client side of the integration suite, proved against a real PostgreSQL.

Each client helper (psql runner, the JDBC program, the node script, the ODBC connection string,
the Python drivers) runs here against PostgreSQL 15 holding the raw demo tables, and its answers
are checked against DuckDB over the same rows. A failure here is the client setup's fault, never
Quiver's: when a Quiver test fails and this module passes, look at the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import duckdb
import psycopg
import pytest

from tests.conftest import require
from tests.integration.clients import (
    LINES_BY_CHANNEL_POSTGRES,
    TABLES,
    Endpoint,
    as_text,
    descriptions,
    lines_by_channel_totals,
    odbc_driver,
    rows,
    run_jdbc,
    run_node,
    run_psql,
    unaligned_rows,
)
from tests.support.postgres import find_bin, running_postgres

pytestmark = pytest.mark.integration

# The raw tables as PostgreSQL DDL (the DuckDB types, spelled for PostgreSQL).
DDL = {
    "customers": "customer_id bigint PRIMARY KEY, name text, email text, phone text, country text, region text, "
    "segment text, signup_date date",
    "products": "product_id bigint PRIMARY KEY, name text, category text, unit_price numeric(10,2)",
    "orders": "order_id bigint PRIMARY KEY, customer_id bigint, order_ts timestamp, status text, channel text, "
    "gross_amount numeric(12,2), refunded_amount numeric(12,2)",
    "order_items": "order_item_id bigint PRIMARY KEY, order_id bigint, product_id bigint, quantity integer, "
    "unit_price numeric(10,2), discount numeric(10,2)",
}


@pytest.fixture(scope="module")
def reference(raw: duckdb.DuckDBPyConnection) -> Iterator[Endpoint]:
    """A real PostgreSQL with the raw demo tables in schema public, with primary keys and comments."""
    require(find_bin() is not None, "PostgreSQL server binaries are missing (run .ci/install-system-deps)")
    with running_postgres(user="quiver_ref", password="ref-pass", database="quiver") as server:
        notes = descriptions()
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            for table, columns in DDL.items():
                conn.execute(f"CREATE TABLE {table} ({columns})")
                description, members = notes[table]
                conn.execute(f"COMMENT ON TABLE {table} IS {psycopg.sql.quote(description)}")
                names = [c.split()[0] for c in columns.split(", ")]
                for name in names:
                    if name in members:
                        conn.execute(f"COMMENT ON COLUMN {table}.{name} IS {psycopg.sql.quote(members[name])}")
                with conn.cursor().copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in raw.execute(f"SELECT {', '.join(names)} FROM raw.{table}").fetchall():
                        copy.write_row(row)
        yield Endpoint.postgres(server)


def channel_counts(raw: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return [(str(c), int(n)) for c, n in rows(raw, "SELECT channel, COUNT(*) FROM raw.orders GROUP BY 1 ORDER BY 1")]


def test_psql(reference: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    listing = run_psql(reference, "-c", r"\dt")
    assert listing.returncode == 0, listing.stderr
    for table in TABLES:
        assert f" {table} " in listing.stdout
    done = run_psql(reference, "-A", "-t", "-c", "SELECT channel, COUNT(*) FROM orders GROUP BY 1 ORDER BY 1")
    assert done.returncode == 0, done.stderr
    assert [(c, int(n)) for c, n in unaligned_rows(done.stdout)] == channel_counts(raw)
    script = "SELECT * FROM no_such_relation;\nSELECT COUNT(*) FROM orders;\n"
    after_error = run_psql(reference, "-A", "-t", "-v", "ON_ERROR_STOP=0", stdin=script)
    assert "no_such_relation" in after_error.stderr
    assert after_error.stdout.split() == ["20000"]


def test_jdbc(reference: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    result = run_jdbc(
        reference,
        "--schema", "public",
        "--table", "orders",
        "--prepared", "SELECT channel, COUNT(*) FROM orders WHERE status = ? GROUP BY 1 ORDER BY 1",
        "--param", "string:returned",
        "--cursor", LINES_BY_CHANNEL_POSTGRES,
        "--error", "SELECT * FROM no_such_relation",
    )  # fmt: skip
    assert result["product"] == "PostgreSQL"
    assert "public" in [s["TABLE_SCHEM"] for s in result["schemas"]]
    tables = {t["TABLE_NAME"]: t for t in result["tables"] if t["TABLE_TYPE"] == "TABLE"}
    assert set(TABLES) <= set(tables)
    assert tables["orders"]["REMARKS"] == descriptions()["orders"][0]
    assert [c["COLUMN_NAME"] for c in result["columns"]][:3] == ["order_id", "customer_id", "order_ts"]
    assert [k["COLUMN_NAME"] for k in result["primary_keys"]] == ["order_id"]
    expected = rows(raw, "SELECT channel, COUNT(*) FROM raw.orders WHERE status = 'returned' GROUP BY 1 ORDER BY 1")
    assert result["prepared"]["rows"] == [[c, str(n)] for c, n in expected]
    assert "mismatch_on_run" not in result["prepared"]
    totals = lines_by_channel_totals(raw)
    cursor = result["cursor"]
    assert (cursor["rows"], int(cursor["sum1"]), int(cursor["sum2"])) == (
        totals.rows, totals.sum_item_id, totals.sum_quantity,
    )  # fmt: skip
    assert cursor["third"] == totals.per_channel
    assert cursor["interleaved"] == "1"
    assert result["error"] == {"sqlstate": "42P01", "message": result["error"]["message"], "after": "1"}


def test_node_pg(reference: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    results = run_node(
        reference,
        [
            {"text": "SELECT COUNT(*) AS n FROM orders WHERE channel = $1", "values": ["web"]},
            {"text": "SELECT * FROM no_such_relation"},
            {"text": "SELECT SUM(gross_amount) AS g FROM orders"},
        ],
    )
    [(web,)] = rows(raw, "SELECT COUNT(*) FROM raw.orders WHERE channel = 'web'")
    [(gross,)] = rows(raw, "SELECT SUM(gross_amount) FROM raw.orders")
    assert results[0]["rows"] == [[str(web)]]
    assert results[1]["error"]["code"] == "42P01"
    assert results[2]["rows"] == [[str(gross)]]


def test_odbc(reference: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    import pyodbc

    with pyodbc.connect(reference.odbc(odbc_driver()), timeout=20) as conn:
        cursor = conn.cursor()
        names = {row.table_name for row in cursor.tables(schema="public", tableType="TABLE")}
        assert set(TABLES) <= names
        columns = [row.column_name for row in cursor.columns(table="orders", schema="public")]
        assert columns[:2] == ["order_id", "customer_id"]
        cursor.execute("SELECT COUNT(*) FROM orders WHERE channel = ?", "store")
        [(store,)] = rows(raw, "SELECT COUNT(*) FROM raw.orders WHERE channel = 'store'")
        assert cursor.fetchone()[0] == store


def test_python_drivers(reference: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    import adbc_driver_postgresql.dbapi
    import asyncpg
    import psycopg2

    [(gross,)] = rows(raw, "SELECT SUM(gross_amount) FROM raw.orders")
    sql = "SELECT SUM(gross_amount) FROM orders"
    with psycopg.connect(reference.dsn) as conn:
        assert conn.execute(sql).fetchone() == (gross,)
    conn2 = psycopg2.connect(reference.dsn)
    try:
        with conn2.cursor() as cur:
            cur.execute(sql)
            assert cur.fetchone() == (gross,)
    finally:
        conn2.close()

    async def with_asyncpg() -> Decimal:
        conn = await asyncpg.connect(reference.url())
        try:
            value: Decimal = await conn.fetchval(sql)
            return value
        finally:
            await conn.close()

    assert asyncio.run(with_asyncpg()) == gross
    with adbc_driver_postgresql.dbapi.connect(reference.url()) as conn3, conn3.cursor() as cur3:
        cur3.execute(sql)
        # The ADBC driver returns numeric as its decimal text (arbitrary precision).
        assert cur3.fetch_arrow_table().column(0).to_pylist() == [str(gross)]


def test_jdbc_typed_parameters(reference: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    """JDBC's text for timestamp, numeric and bool (also once the statement is server-prepared and binary)."""
    result = run_jdbc(
        reference,
        "--prepared",
        "SELECT order_id, order_ts, status, gross_amount, status = 'returned' AS returned FROM orders "
        "WHERE order_id BETWEEN ? AND ? AND gross_amount > ? AND order_ts >= ? ORDER BY order_id",
        "--param",
        "long:100",
        "--param",
        "int:400",
        "--param",
        "decimal:250.50",
        "--param",
        "date:2023-01-15",
    )
    expected = rows(
        raw,
        "SELECT order_id, order_ts, status, gross_amount, status = 'returned' FROM raw.orders "
        "WHERE order_id BETWEEN 100 AND 400 AND gross_amount > 250.50 AND order_ts >= DATE '2023-01-15' "
        "ORDER BY order_id",
    )
    assert any(row[4] for row in expected)
    assert result["prepared"]["rows"] == [[as_text(v) for v in row] for row in expected]
    assert "mismatch_on_run" not in result["prepared"]
    types = [c["type_name"] for c in result["prepared"]["columns"]]
    assert types == ["int8", "timestamp", "text", "numeric", "bool"]

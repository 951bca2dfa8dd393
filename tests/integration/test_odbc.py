"""pyodbc with psqlODBC against ``quiver serve``: catalog functions (SQLTables, SQLColumns), a query with
``?`` parameters (psqlODBC's SAVEPOINT / named Parse / DEALLOCATE dance), and an error then a query.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import duckdb
import pyodbc
import pytest

from tests.integration.clients import (
    NET,
    SALES_BY_REGION,
    TABLES,
    VIEWS,
    Endpoint,
    columns_of,
    odbc_driver,
    rows,
    sales_by_region,
)
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration


@pytest.fixture
def conn(quiver_server: QuiverServer) -> Iterator[pyodbc.Connection]:
    connection = pyodbc.connect(Endpoint.quiver(quiver_server).odbc(odbc_driver()), timeout=20)
    try:
        yield connection
    finally:
        connection.close()


def test_tables(conn: pyodbc.Connection) -> None:
    cursor = conn.cursor()
    found = {(row.table_name, row.table_type) for row in cursor.tables(schema="public")}
    assert {(name, "TABLE") for name in TABLES} | {(name, "VIEW") for name in VIEWS} <= found
    assert {name for name, _ in found} == set(TABLES) | set(VIEWS)


def test_columns(conn: pyodbc.Connection) -> None:
    cursor = conn.cursor()
    found = {row.column_name: row for row in cursor.columns(table="orders", schema="public")}
    assert set(found) == set(columns_of("orders"))
    assert found["order_id"].type_name == "int8"
    assert found["gross_amount"].type_name == "numeric"
    assert found["order_ts"].type_name == "timestamp"
    assert found["returned"].type_name == "bool"
    assert sorted(row.ordinal_position for row in found.values()) == list(range(1, len(found) + 1))


def test_query(conn: pyodbc.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    cursor = conn.cursor()
    cursor.execute(SALES_BY_REGION)
    assert [d[0] for d in cursor.description] == ["customer_region", "net_revenue", "order_count"]
    assert [tuple(row) for row in cursor.fetchall()] == sales_by_region(raw)


def test_parameterised_query(conn: pyodbc.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    cursor = conn.cursor()
    for status in ("returned", "cancelled"):
        cursor.execute(
            "SELECT channel, order_count, net_revenue FROM orders WHERE status = ? AND order_id > ? ORDER BY 1",
            status,
            1000,
        )
        got = [tuple(row) for row in cursor.fetchall()]
        expected = rows(
            raw,
            f"SELECT channel, COUNT(*), SUM({NET}) FROM raw.orders o WHERE status = ? AND order_id > 1000 "
            "GROUP BY 1 ORDER BY 1",
            status,
        )
        assert got == expected
        assert isinstance(got[0][2], Decimal)


def test_error_then_query(conn: pyodbc.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    cursor = conn.cursor()
    with pytest.raises(pyodbc.Error) as excinfo:
        cursor.execute("SELECT * FROM no_such_relation")
    assert "42P01" in str(excinfo.value)
    conn.rollback()
    cursor.execute(SALES_BY_REGION)
    assert [tuple(row) for row in cursor.fetchall()] == sales_by_region(raw)

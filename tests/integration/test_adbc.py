"""The ADBC PostgreSQL driver against ``quiver serve``: results fetched as Arrow tables, which the driver
reads through ``COPY (query) TO STDOUT (FORMAT binary)`` after describing the query.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import pyarrow as pa
import pytest

from tests.integration.clients import NET, SALES_BY_REGION, Endpoint, rows, sales_by_region
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration


@pytest.fixture
def conn(quiver_server: QuiverServer) -> Iterator[adbc.Connection]:
    with adbc.connect(Endpoint.quiver(quiver_server).url()) as connection:
        yield connection


def test_arrow_table(conn: adbc.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur:
        cur.execute(SALES_BY_REGION)
        table = cur.fetch_arrow_table()
    assert table.column_names == ["customer_region", "net_revenue", "order_count"]
    assert table.schema.field("customer_region").type == pa.string()
    assert table.schema.field("order_count").type == pa.int64()
    expected = sales_by_region(raw)
    assert table.column("customer_region").to_pylist() == [r for r, _, _ in expected]
    # The driver returns numeric as its decimal text, as it does from PostgreSQL.
    assert [Decimal(v) for v in table.column("net_revenue").to_pylist()] == [n for _, n, _ in expected]
    assert table.column("order_count").to_pylist() == [c for _, _, c in expected]


def test_arrow_types(conn: adbc.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT order_id, order_ts, status, returned, return_rate FROM orders WHERE order_id <= 50 ORDER BY order_id"
    with conn.cursor() as cur:
        cur.execute(sql)
        table = cur.fetch_arrow_table()
    schema = table.schema
    assert schema.field("order_id").type == pa.int64()
    assert schema.field("order_ts").type == pa.timestamp("us")
    assert schema.field("returned").type == pa.bool_()
    assert schema.field("return_rate").type == pa.float64()
    expected = rows(
        raw,
        "SELECT order_id, order_ts, status, status = 'returned', "
        "CASE WHEN status = 'returned' THEN 1.0 ELSE 0.0 END::DOUBLE FROM raw.orders "
        "WHERE order_id <= 50 ORDER BY order_id",
    )
    assert [tuple(row.values()) for row in table.to_pylist()] == expected


def test_fetchall_with_parameters(conn: adbc.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT channel, order_count, net_revenue FROM orders WHERE status = $1 ORDER BY 1", ("returned",))
        got = [(c, n, Decimal(s)) for c, n, s in cur.fetchall()]
    expected = rows(
        raw,
        f"SELECT channel, COUNT(*), SUM({NET}) FROM raw.orders o WHERE status = 'returned' GROUP BY 1 ORDER BY 1",
    )
    assert got == expected


def test_error_then_query(conn: adbc.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur:
        with pytest.raises(adbc.ProgrammingError) as excinfo:
            cur.execute("SELECT * FROM no_such_relation")
        assert excinfo.value.sqlstate == "42P01"
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute(SALES_BY_REGION)
        assert [tuple(row) for row in cur.fetchall()] == [(r, str(n), c) for r, n, c in sales_by_region(raw)]

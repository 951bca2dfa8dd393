"""psycopg 3 against ``quiver serve``: text and binary results, parameters, prepared statements,
server-side cursors, errors and recovery on the same connection, COPY (query) TO STDOUT.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import duckdb
import psycopg
import pytest

from tests.integration.clients import (
    LINES_BY_CHANNEL,
    NET,
    SALES_BY_REGION,
    Endpoint,
    lines_by_channel_totals,
    rows,
    sales_by_region,
)
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration

ORDER_ROW = (
    "SELECT order_id, customer_id, order_ts, status, channel, gross_amount, returned, online "
    "FROM orders WHERE order_id = %s"
)
ORDER_ROW_REFERENCE = (
    "SELECT order_id, customer_id, order_ts, status, channel, gross_amount, status = 'returned', "
    "channel IN ('web', 'app') FROM raw.orders WHERE order_id = ?"
)
CHANNELS_SINCE = "SELECT channel, order_count, net_revenue FROM orders WHERE status = %s AND order_ts >= %s ORDER BY 1"
CHANNELS_SINCE_REFERENCE = (
    f"SELECT channel, COUNT(*), SUM({NET}) FROM raw.orders o WHERE status = ? AND order_ts >= ? GROUP BY 1 ORDER BY 1"
)


@pytest.fixture
def conn(quiver_server: QuiverServer) -> Iterator[psycopg.Connection]:
    with psycopg.connect(Endpoint.quiver(quiver_server).dsn, connect_timeout=20) as connection:
        yield connection


def test_text_results(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    cur = conn.execute(SALES_BY_REGION)
    assert [d.name for d in cur.description or ()] == ["customer_region", "net_revenue", "order_count"]
    assert cur.fetchall() == sales_by_region(raw)


def test_binary_results(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor(binary=True) as cur:
        cur.execute(SALES_BY_REGION)
        assert cur.fetchall() == sales_by_region(raw)
        cur.execute(ORDER_ROW, (42,))
        assert cur.fetchall() == rows(raw, ORDER_ROW_REFERENCE, 42)
        cur.execute("SELECT channel, return_rate FROM orders ORDER BY 1")
        expected = rows(
            raw,
            "SELECT channel, CAST(COUNT(*) FILTER (WHERE status = 'returned') AS DOUBLE) / COUNT(*) "
            "FROM raw.orders GROUP BY 1 ORDER BY 1",
        )
        assert cur.fetchall() == expected


def test_text_types(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    [row] = conn.execute(ORDER_ROW, (42,)).fetchall()
    assert row == rows(raw, ORDER_ROW_REFERENCE, 42)[0]
    assert isinstance(row[2], datetime)
    assert isinstance(row[5], Decimal)
    assert row[6] is False or row[6] is True
    [(customer_id,)] = rows(raw, "SELECT MIN(customer_id) FROM raw.customers WHERE phone IS NULL")
    got = conn.execute(
        "SELECT customer_id, name, phone, signup_date FROM customers WHERE customer_id = %s", (customer_id,)
    ).fetchall()
    assert got == rows(
        raw, "SELECT customer_id, name, phone, signup_date FROM raw.customers WHERE customer_id = ?", customer_id
    )
    assert got[0][2] is None


def test_parameters(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    since = datetime(2024, 7, 1)
    got = conn.execute(CHANNELS_SINCE, ("returned", since)).fetchall()
    assert got == rows(raw, CHANNELS_SINCE_REFERENCE, "returned", since)
    assert got  # the filter keeps something
    regions = ("EU", "APAC")
    got = conn.execute(
        "SELECT customer_region, order_count FROM sales WHERE customer_region = ANY(%s) ORDER BY 1", (list(regions),)
    ).fetchall()
    assert got == [(r, c) for r, _, c in sales_by_region(raw) if r in regions]


def test_prepared_statements(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    since = datetime(2024, 1, 1)
    for _ in range(2):
        for status in ("placed", "shipped", "returned", "cancelled"):
            got = conn.execute(CHANNELS_SINCE, (status, since), prepare=True).fetchall()
            assert got == rows(raw, CHANNELS_SINCE_REFERENCE, status, since)
    with conn.cursor(binary=True) as cur:
        for order_id in (1, 42, 20000):
            cur.execute(ORDER_ROW, (order_id,), prepare=True)
            assert cur.fetchall() == rows(raw, ORDER_ROW_REFERENCE, order_id)


def test_server_side_cursor(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    totals = lines_by_channel_totals(raw)
    count = sum_id = sum_quantity = 0
    channels: Counter[str] = Counter()
    with conn.cursor(name="lines") as cur:
        cur.itersize = 5000
        cur.execute(LINES_BY_CHANNEL)
        first = cur.fetchmany(10)
        assert len(first) == 10
        for item_id, quantity, channel in [*first, *cur]:
            count += 1
            sum_id += item_id
            sum_quantity += quantity
            channels[channel] += 1
    conn.commit()
    assert (count, sum_id, sum_quantity) == (totals.rows, totals.sum_item_id, totals.sum_quantity)
    assert dict(channels) == totals.per_channel


def test_server_side_binary_cursor(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor(name="regions", binary=True) as cur:
        cur.execute(SALES_BY_REGION)
        assert cur.fetchone() == sales_by_region(raw)[0]
        assert cur.fetchall() == sales_by_region(raw)[1:]
    conn.rollback()


def test_error_then_query_autocommit(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    with psycopg.connect(Endpoint.quiver(quiver_server).dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM no_such_relation")
        with pytest.raises(psycopg.errors.GroupingError) as excinfo:  # AVG on a sum measure: 42803
            conn.execute("SELECT AVG(net_revenue) FROM orders")
        assert excinfo.value.sqlstate == "42803"
        assert conn.execute(SALES_BY_REGION).fetchall() == sales_by_region(raw)


def test_error_in_transaction_then_rollback(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(psycopg.errors.UndefinedTable):
        conn.execute("SELECT * FROM no_such_relation")
    with pytest.raises(psycopg.errors.InFailedSqlTransaction):
        conn.execute("SELECT order_count FROM orders")
    conn.rollback()
    [(orders,)] = rows(raw, "SELECT COUNT(*) FROM raw.orders")
    assert conn.execute("SELECT order_count FROM orders").fetchall() == [(orders,)]


def test_write_is_refused(conn: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("CREATE TABLE t (x int)")
    conn.rollback()


def test_copy_to_stdout_text(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY ({SALES_BY_REGION}) TO STDOUT") as copy:
        data = b"".join(bytes(chunk) for chunk in copy).decode()
    expected = "".join(f"{r}\t{n}\t{c}\n" for r, n, c in sales_by_region(raw))
    assert data == expected


def test_copy_to_stdout_csv(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT customer_id, name, phone FROM customers WHERE customer_id <= 20 ORDER BY 1"
    with conn.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy:
        data = b"".join(bytes(chunk) for chunk in copy).decode()
    reference = rows(raw, "SELECT customer_id, name, phone FROM raw.customers WHERE customer_id <= 20 ORDER BY 1")
    expected = ["customer_id,name,phone", *(f"{i},{n},{p if p is not None else ''}" for i, n, p in reference)]
    assert data.splitlines() == expected
    assert any(p is None for _, _, p in reference)  # NULL is an empty unquoted field in CSV


def test_copy_rows_typed(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY ({SALES_BY_REGION}) TO STDOUT") as copy:
        copy.set_types(["text", "numeric", "int8"])
        got = list(copy.rows())
    assert got == sales_by_region(raw)

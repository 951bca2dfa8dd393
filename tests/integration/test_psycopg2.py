"""psycopg2 against ``quiver serve``: named cursors (DECLARE ... CURSOR / FETCH FORWARD n / CLOSE),
client-side parameter interpolation, and errors inside a transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import duckdb
import psycopg2
import psycopg2.errors
import psycopg2.extensions
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


@pytest.fixture
def conn(quiver_server: QuiverServer) -> Iterator[psycopg2.extensions.connection]:
    connection = psycopg2.connect(Endpoint.quiver(quiver_server).dsn, connect_timeout=20)
    try:
        yield connection
    finally:
        connection.close()


def test_query(conn: psycopg2.extensions.connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur:
        cur.execute(SALES_BY_REGION)
        assert [d.name for d in cur.description] == ["customer_region", "net_revenue", "order_count"]
        assert cur.fetchall() == sales_by_region(raw)
        assert cur.rowcount == len(sales_by_region(raw))


def test_named_cursor(conn: psycopg2.extensions.connection, raw: duckdb.DuckDBPyConnection) -> None:
    totals = lines_by_channel_totals(raw)
    count = sum_id = sum_quantity = 0
    channels: Counter[str] = Counter()
    with conn.cursor(name="lines") as cur:
        cur.itersize = 2000
        cur.execute(LINES_BY_CHANNEL)
        head = cur.fetchmany(7)  # FETCH FORWARD 7
        one = cur.fetchone()  # FETCH FORWARD 1
        assert len(head) == 7 and one is not None
        for item_id, quantity, channel in [*head, one, *cur]:  # FETCH FORWARD 2000, repeatedly
            count += 1
            sum_id += item_id
            sum_quantity += quantity
            channels[channel] += 1
    conn.commit()
    assert (count, sum_id, sum_quantity) == (totals.rows, totals.sum_item_id, totals.sum_quantity)
    assert dict(channels) == totals.per_channel


def test_named_cursor_small(conn: psycopg2.extensions.connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor(name="regions") as cur:
        cur.execute(SALES_BY_REGION)
        assert cur.fetchall() == sales_by_region(raw)
    conn.rollback()


def test_parameters(conn: psycopg2.extensions.connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT channel, order_count, net_revenue FROM orders "
            "WHERE status = %(status)s AND order_ts >= %(since)s ORDER BY 1",
            {"status": "returned", "since": datetime(2024, 7, 1)},
        )
        expected = rows(
            raw,
            f"SELECT channel, COUNT(*), SUM({NET}) FROM raw.orders o "
            "WHERE status = 'returned' AND order_ts >= TIMESTAMP '2024-07-01' GROUP BY 1 ORDER BY 1",
        )
        assert cur.fetchall() == expected
        cur.execute(
            "SELECT region, customer_count FROM customers WHERE signup_date < %s AND region IN %s ORDER BY 1",
            (date(2022, 1, 1), ("EU", "NA")),
        )
        expected = rows(
            raw,
            "SELECT region, COUNT(DISTINCT customer_id) FROM raw.customers "
            "WHERE signup_date < DATE '2022-01-01' AND region IN ('EU', 'NA') GROUP BY 1 ORDER BY 1",
        )
        assert cur.fetchall() == expected
        cur.execute("SELECT order_id, gross_amount FROM orders WHERE order_id = %s", (42,))
        [(order_id, gross)] = cur.fetchall()
        assert (order_id, gross) == rows(raw, "SELECT order_id, gross_amount FROM raw.orders WHERE order_id = 42")[0]
        assert isinstance(gross, Decimal)


def test_error_in_transaction(conn: psycopg2.extensions.connection, raw: duckdb.DuckDBPyConnection) -> None:
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.UndefinedTable):
            cur.execute("SELECT * FROM no_such_relation")
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
            cur.execute("SELECT order_count FROM orders")
        conn.rollback()
        cur.execute(SALES_BY_REGION)
        assert cur.fetchall() == sales_by_region(raw)


def test_error_autocommit(conn: psycopg2.extensions.connection, raw: duckdb.DuckDBPyConnection) -> None:
    conn.autocommit = True
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.UndefinedColumn) as excinfo:
            cur.execute("SELECT no_such_column FROM orders")
        assert excinfo.value.pgcode == "42703"
        cur.execute(SALES_BY_REGION)
        assert cur.fetchall() == sales_by_region(raw)

"""asyncpg against ``quiver serve``: prepared statements (Describe + Flush), binary codecs of every
common type (numeric, date, timestamp, bool, text, int8, float8, NULL), fetch and cursors.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import asyncpg
import duckdb
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

T = TypeVar("T")


def run(server: QuiverServer, body: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Connect as admin, run ``body`` on the connection, close it."""

    async def main() -> T:
        conn = await asyncpg.connect(Endpoint.quiver(server).url(), timeout=20)
        try:
            return await body(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


def records(found: list[asyncpg.Record]) -> list[tuple[Any, ...]]:
    return [tuple(record.values()) for record in found]


def test_fetch(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    async def body(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        return await conn.fetch(SALES_BY_REGION)

    found = run(quiver_server, body)
    assert list(found[0].keys()) == ["customer_region", "net_revenue", "order_count"]
    assert records(found) == sales_by_region(raw)


def test_prepared_statement_types(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT order_id, order_ts, status, gross_amount, returned, online FROM orders WHERE order_id = $1"

    async def body(conn: asyncpg.Connection) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        statement = await conn.prepare(sql)
        types = [attribute.type.name for attribute in statement.get_attributes()]
        parameters = [parameter.name for parameter in statement.get_parameters()]
        found = [tuple(await statement.fetchrow(order_id)) for order_id in (1, 42, 20000)]
        return types, parameters, found

    types, parameters, found = run(quiver_server, body)
    assert types == ["int8", "timestamp", "text", "numeric", "bool", "bool"]
    assert parameters == ["int8"]
    expected = [
        rows(
            raw,
            "SELECT order_id, order_ts, status, gross_amount, status = 'returned', channel IN ('web', 'app') "
            "FROM raw.orders WHERE order_id = ?",
            order_id,
        )[0]
        for order_id in (1, 42, 20000)
    ]
    assert found == expected
    assert isinstance(found[0][1], datetime) and isinstance(found[0][3], Decimal)


def test_binary_codecs(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    """Measures and dimensions of each type, decoded from binary by asyncpg's codecs."""

    async def body(conn: asyncpg.Connection) -> dict[str, list[tuple[Any, ...]]]:
        return {
            "float8_numeric": records(
                await conn.fetch("SELECT channel, return_rate, net_revenue, average_order_value FROM orders ORDER BY 1")
            ),
            "date_minmax": records(
                await conn.fetch(
                    "SELECT region, MIN(signup_date) AS first, MAX(signup_date) AS last, customer_count "
                    "FROM customers GROUP BY 1 ORDER BY 1"
                )
            ),
            "timestamp_measures": records(
                await conn.fetch("SELECT status, first_order_ts, last_order_ts FROM orders ORDER BY 1")
            ),
        }

    got = run(quiver_server, body)
    assert got["float8_numeric"] == rows(
        raw,
        f"SELECT channel, CAST(COUNT(*) FILTER (WHERE status = 'returned') AS DOUBLE) / COUNT(*), SUM({NET}), "
        f"SUM({NET}) / COUNT(*) FROM raw.orders o GROUP BY 1 ORDER BY 1",
    )
    assert got["date_minmax"] == rows(
        raw,
        "SELECT region, MIN(signup_date), MAX(signup_date), COUNT(DISTINCT customer_id) FROM raw.customers "
        "GROUP BY 1 ORDER BY 1",
    )
    assert got["timestamp_measures"] == rows(
        raw, "SELECT status, MIN(order_ts), MAX(order_ts) FROM raw.orders GROUP BY 1 ORDER BY 1"
    )
    assert isinstance(got["date_minmax"][0][1], date)


def test_binary_edge_values(quiver_server: QuiverServer) -> None:
    """Values outside the demo data's range: dates before 2000 and 1970, negative and large numerics, NULLs."""
    sql = (
        "SELECT DATE '1999-12-31' AS d1, DATE '1969-07-20' AS d2, "
        "TIMESTAMP '1970-01-01 00:00:01.5' AS t1, TIMESTAMP '1999-12-31 23:59:59' AS t2, "
        "CAST(-1234.5600 AS NUMERIC(12,4)) AS n1, CAST(0 AS NUMERIC(10,2)) AS n2, "
        "CAST('12345678901234567890.123456789' AS NUMERIC(38,9)) AS n3, "
        "CAST(NULL AS TEXT) AS nothing, TRUE AS yes, CAST(9007199254740993 AS BIGINT) AS big, "
        "CAST(-0.25 AS DOUBLE PRECISION) AS f"
    )

    async def body(conn: asyncpg.Connection) -> tuple[Any, ...]:
        row = await conn.fetchrow(sql)
        assert row is not None
        return tuple(row.values())

    assert run(quiver_server, body) == (
        date(1999, 12, 31),
        date(1969, 7, 20),
        datetime(1970, 1, 1, 0, 0, 1, 500000),
        datetime(1999, 12, 31, 23, 59, 59),
        Decimal("-1234.5600"),
        Decimal("0.00"),
        Decimal("12345678901234567890.123456789"),
        None,
        True,
        9007199254740993,
        -0.25,
    )


def test_parameters(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    since = datetime(2024, 7, 1)

    async def body(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        return await conn.fetch(
            "SELECT channel, order_count, net_revenue FROM orders WHERE status = $1 AND order_ts >= $2 ORDER BY 1",
            "returned",
            since,
        )

    assert records(run(quiver_server, body)) == rows(
        raw,
        f"SELECT channel, COUNT(*), SUM({NET}) FROM raw.orders o WHERE status = 'returned' AND order_ts >= ? "
        "GROUP BY 1 ORDER BY 1",
        since,
    )


def test_cursor(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    async def body(conn: asyncpg.Connection) -> tuple[int, int, int, Counter[str], list[asyncpg.Record]]:
        count = sum_id = sum_quantity = 0
        channels: Counter[str] = Counter()
        async with conn.transaction():
            async for item_id, quantity, channel in conn.cursor(LINES_BY_CHANNEL, prefetch=1000):
                count += 1
                sum_id += item_id
                sum_quantity += quantity
                channels[channel] += 1
            cursor = await conn.cursor(SALES_BY_REGION)
            head = await cursor.fetch(2)
            rest = await cursor.fetch(100)
        return count, sum_id, sum_quantity, channels, [*head, *rest]

    count, sum_id, sum_quantity, channels, regions = run(quiver_server, body)
    totals = lines_by_channel_totals(raw)
    assert (count, sum_id, sum_quantity) == (totals.rows, totals.sum_item_id, totals.sum_quantity)
    assert dict(channels) == totals.per_channel
    assert records(regions) == sales_by_region(raw)


def test_error_then_query(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    async def body(conn: asyncpg.Connection) -> tuple[str, str, list[asyncpg.Record]]:
        with pytest.raises(asyncpg.UndefinedTableError) as first:
            await conn.fetch("SELECT * FROM no_such_relation")
        with pytest.raises(asyncpg.PostgresError) as second:
            await conn.prepare("SELECT MEASURE(no_such_measure) FROM orders")
        return first.value.sqlstate, second.value.sqlstate, await conn.fetch(SALES_BY_REGION)

    first, second, found = run(quiver_server, body)
    assert (first, second) == ("42P01", "42703")
    assert records(found) == sales_by_region(raw)

"""A measure repeated across the returned rows earns a NOTICE; the rows themselves are unchanged.

``SELECT order_id, product_name, net_revenue FROM sales`` shows each order's net
revenue once per product of the order: a client summing the column (pandas, a
spreadsheet) would count an order several times. psycopg's notice handler and
asyncpg's log listener both see the notice; the rows match the same question over
the raw tables.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import asyncpg
import duckdb
import psycopg
import pytest

from tests.integration.clients import NET, Endpoint, rows
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration

REPEATING = "SELECT order_id, product_name, net_revenue FROM sales"
REFERENCE = (
    f"SELECT DISTINCT o.order_id, p.name, {NET} FROM raw.orders o "
    "LEFT JOIN raw.order_items i ON i.order_id = o.order_id LEFT JOIN raw.products p ON p.product_id = i.product_id"
)
NOTICE = (
    'measure "net_revenue" repeats on each row of the many side of the join (orders \u00d7 products): '
    "summing these rows does not give its total; ask SUM(net_revenue) or MEASURE(net_revenue) at the grain you want"
)
NOT_REPEATING = "SELECT channel, SUM(net_revenue) FROM sales GROUP BY 1"


def ordered(found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(found, key=repr)


def test_psycopg_sees_the_notice_and_the_same_rows(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    seen: list[tuple[str | None, ...]] = []

    def handler(diagnostic: psycopg.errors.Diagnostic) -> None:
        # A Diagnostic is valid only inside the handler: keep its fields.
        seen.append((diagnostic.severity, diagnostic.sqlstate, diagnostic.message_primary))

    with psycopg.connect(Endpoint.quiver(quiver_server).dsn, connect_timeout=20, autocommit=True) as conn:
        conn.add_notice_handler(handler)
        found = conn.execute(REPEATING).fetchall()
        assert seen == [("NOTICE", "00000", NOTICE)]
        expected = rows(raw, REFERENCE)
        assert ordered(found) == ordered([(o, p, Decimal(n)) for o, p, n in expected])
        # What the notice is for: the rows' sum exceeds the measure's total.
        (total,) = conn.execute("SELECT net_revenue FROM sales").fetchone() or (None,)
        assert sum(r[2] for r in found) > total
        seen.clear()
        conn.execute(NOT_REPEATING).fetchall()
        conn.execute(REPEATING.replace("sales", "sales WHERE order_id = %s"), (42,)).fetchall()  # extended protocol
        assert seen == [("NOTICE", "00000", NOTICE)]


def test_asyncpg_sees_the_notice_and_the_same_rows(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    async def main() -> tuple[list[asyncpg.PostgresLogMessage], list[tuple[Any, ...]]]:
        messages: list[asyncpg.PostgresLogMessage] = []
        conn = await asyncpg.connect(Endpoint.quiver(quiver_server).url(), timeout=20)
        try:
            conn.add_log_listener(lambda _conn, message: messages.append(message))
            found = [tuple(r.values()) for r in await conn.fetch(REPEATING)]
            await conn.fetch(NOT_REPEATING)
            await asyncio.sleep(0)  # listeners run as callbacks on the loop
            return messages, found
        finally:
            await conn.close()

    messages, found = asyncio.run(main())
    assert [(m.severity, m.sqlstate, m.message) for m in messages] == [("NOTICE", "00000", NOTICE)]
    expected = rows(raw, REFERENCE)
    assert ordered(found) == ordered([(o, p, Decimal(n)) for o, p, n in expected])

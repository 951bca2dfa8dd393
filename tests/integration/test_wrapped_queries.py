"""Queries BI tools wrap around a semantic relation give the numbers of the same question asked directly.

Each shape (Ibis's filter-then-aggregate and value_counts, a Superset virtual
dataset, Power BI's ``"_"`` wrapper, Tableau custom SQL, a CTE, nested
subqueries) is sent over the wire with psycopg and compared both with the same
question written directly on the relation and with hand-written SQL over the raw
demo tables (DuckDB). The issue's numbers (app channel 4,864,126.08; gross
19,717,882.94; orders per region 4,217 / 6,815 / 2,786 / 6,182) are what the raw
SQL gives on the demo data; they are asserted from the raw SQL, never typed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import duckdb
import psycopg
import pytest

from tests.integration.clients import NET, OC, Endpoint, rows
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration

# Every table of ``sales`` joined as the view joins them (orders are the root).
SALES_ROWS = (
    f"{OC} LEFT JOIN raw.order_items i ON i.order_id = o.order_id "
    "LEFT JOIN raw.products p ON p.product_id = i.product_id"
)

# name -> (wrapped SQL as the tool sends it, the same question on the relation, the same over the raw tables)
SHAPES: dict[str, tuple[str, str, str]] = {
    "ibis_filter_then_aggregate": (
        'SELECT * FROM (SELECT "t1"."channel", SUM("t1"."net_revenue") AS "net" FROM (SELECT * FROM "sales" AS "t0" '
        'WHERE "t0"."status" <> \'cancelled\') AS "t1" GROUP BY 1) AS "t2" ORDER BY "t2"."channel" ASC',
        "SELECT channel, net_revenue FROM sales WHERE status <> 'cancelled' ORDER BY 1",
        f"SELECT channel, SUM({NET}) FROM raw.orders o WHERE status <> 'cancelled' GROUP BY 1 ORDER BY 1",
    ),
    "ibis_value_counts": (
        'SELECT * FROM (SELECT "t1"."customer_region", COUNT(*) AS "customer_region_count" FROM '
        '(SELECT "t0"."customer_region" FROM "sales" AS "t0") AS "t1" GROUP BY 1) AS "t2" '
        'ORDER BY "t2"."customer_region" ASC',
        "SELECT customer_region, COUNT(*) FROM sales GROUP BY 1 ORDER BY 1",
        f"SELECT c.region, COUNT(*) FROM {OC} GROUP BY 1 ORDER BY 1",
    ),
    "ibis_filtered_count": (
        'SELECT COUNT(*) AS "CountStar()" FROM (SELECT * FROM "sales" AS "t0" WHERE "t0"."channel" = \'app\') AS "t1"',
        "SELECT COUNT(*) FROM sales WHERE channel = 'app'",
        "SELECT COUNT(*) FROM raw.orders WHERE channel = 'app'",
    ),
    "projection_sum_of_dimension": (
        "SELECT SUM(t.gross_amount) FROM (SELECT customer_segment, gross_amount FROM sales) t",
        "SELECT SUM(gross_amount) FROM sales",
        "SELECT SUM(gross_amount) FROM raw.orders",
    ),
    "superset_virtual_dataset": (
        'SELECT product_category AS product_category, SUM(net_revenue) AS "SUM(net_revenue)" '
        "FROM (SELECT * FROM sales WHERE customer_region = 'EU') AS virtual_table "
        'GROUP BY product_category ORDER BY "SUM(net_revenue)" DESC LIMIT 10000',
        "SELECT product_category, net_revenue FROM sales WHERE customer_region = 'EU' ORDER BY 2 DESC",
        "SELECT category, SUM(net) FROM (SELECT DISTINCT o.order_id, p.category, "
        f"{NET} AS net FROM {SALES_ROWS} WHERE c.region = 'EU') GROUP BY 1 ORDER BY 2 DESC",
    ),
    "power_bi_wrapper": (
        'select "_"."channel", sum("_"."order_count") as "C1" from (select * from "public"."sales") as "_" '
        'where "_"."customer_segment" = \'enterprise\' group by "_"."channel" order by 1',
        "SELECT channel, order_count FROM sales WHERE customer_segment = 'enterprise' ORDER BY 1",
        f"SELECT o.channel, COUNT(*) FROM {OC} WHERE c.segment = 'enterprise' GROUP BY 1 ORDER BY 1",
    ),
    "tableau_custom_sql": (
        'SELECT "Custom SQL Query"."channel" AS "channel", SUM("Custom SQL Query"."net_revenue") AS '
        '"sum:net_revenue:ok", MAX("Custom SQL Query"."last_order_ts") AS "max:last" '
        "FROM (SELECT * FROM sales WHERE product_category = 'books') \"Custom SQL Query\" GROUP BY 1 ORDER BY 1",
        "SELECT channel, net_revenue, last_order_ts FROM sales WHERE product_category = 'books' ORDER BY 1",
        "SELECT channel, SUM(net), MAX(order_ts) FROM "
        f"(SELECT DISTINCT o.order_id, o.channel, o.order_ts, {NET} AS net "
        f"FROM {SALES_ROWS} WHERE p.category = 'books') GROUP BY 1 ORDER BY 1",
    ),
    "cte_nested_distinct_count": (
        "WITH base AS (SELECT * FROM sales WHERE status <> 'cancelled'), "
        "app AS (SELECT b.customer_id, b.customer_region, b.order_count FROM base b WHERE b.channel = 'app') "
        "SELECT a.customer_region, COUNT(DISTINCT a.customer_id), SUM(a.order_count), COUNT(*) "
        "FROM app a GROUP BY 1 ORDER BY 1",
        "SELECT customer_region, COUNT(DISTINCT customer_id), order_count, COUNT(*) FROM sales "
        "WHERE status <> 'cancelled' AND channel = 'app' GROUP BY 1 ORDER BY 1",
        f"SELECT c.region, COUNT(DISTINCT o.customer_id), COUNT(*), COUNT(*) FROM {OC} "
        "WHERE o.status <> 'cancelled' AND o.channel = 'app' GROUP BY 1 ORDER BY 1",
    ),
    "tableau_sum_of_count_measure": (
        "SELECT SUM(order_count) AS n FROM sales",
        "SELECT order_count FROM sales",
        "SELECT COUNT(*) FROM raw.orders",
    ),
}


@pytest.fixture
def conn(quiver_server: QuiverServer) -> Iterator[psycopg.Connection]:
    with psycopg.connect(Endpoint.quiver(quiver_server).dsn, connect_timeout=20, autocommit=True) as connection:
        yield connection


def _same(values: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Numbers compared by value to the cent (Decimal, int and float alike), everything else as is."""
    return [tuple(round(Decimal(str(v)), 2) if isinstance(v, int | float | Decimal) else v for v in r) for r in values]


@pytest.mark.parametrize("name", list(SHAPES))
def test_wrapped_shape_gives_the_direct_and_the_raw_answer(
    name: str, conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection
) -> None:
    wrapped, direct, reference = SHAPES[name]
    got = conn.execute(wrapped).fetchall()
    assert got, "a shape whose answer is empty proves little"
    assert _same(got) == _same(conn.execute(direct).fetchall())
    assert _same(got) == _same(rows(raw, reference))


def test_the_issue_numbers_hold(conn: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    """The issue's numbers, each read from the raw tables first, then through the wrapped shapes."""
    app = rows(raw, f"SELECT SUM({NET}) FROM raw.orders o WHERE status <> 'cancelled' AND channel = 'app'")[0][0]
    assert app == Decimal("4864126.08")
    by_channel = dict(conn.execute(SHAPES["ibis_filter_then_aggregate"][0]).fetchall())
    assert by_channel["app"] == app
    gross = rows(raw, "SELECT SUM(gross_amount) FROM raw.orders")[0][0]
    assert gross == Decimal("19717882.94")
    assert conn.execute(SHAPES["projection_sum_of_dimension"][0]).fetchone() == (gross,)
    assert conn.execute("SELECT SUM(gross_amount) FROM sales").fetchone() == (gross,)
    regions = dict(conn.execute(SHAPES["ibis_value_counts"][0]).fetchall())
    assert regions == dict(rows(raw, f"SELECT c.region, COUNT(*) FROM {OC} GROUP BY 1"))
    assert regions == {"APAC": 4217, "EU": 6815, "LATAM": 2786, "NA": 6182}


REFUSED = [
    "SELECT AVG(t.average_order_value) FROM (SELECT * FROM sales) t",
    "SELECT SUM(t.customer_count) FROM (SELECT * FROM sales) t",
    "SELECT SUM(t.net_revenue) FROM (SELECT * FROM sales LIMIT 100) t",
    "SELECT SUM(t.net_revenue) FROM (SELECT * FROM sales WHERE net_revenue > 10) t",
    "SELECT AVG(net_revenue) FROM sales",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_inexact_shapes_fail_with_a_hint_naming_measure(sql: str, conn: psycopg.Connection) -> None:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    assert caught.value.sqlstate in ("0A000", "42803")
    hint = caught.value.diag.message_hint or ""
    assert "MEASURE(" in hint, hint


def test_wrapping_keeps_row_filters(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    """eu_analyst sees EU customers only: the wrapped count is the direct count, both filtered."""
    with psycopg.connect(Endpoint.quiver(quiver_server, "eu_analyst").dsn, autocommit=True) as eu:
        wrapped = eu.execute("SELECT t.customer_region, COUNT(*) FROM (SELECT * FROM sales) t GROUP BY 1").fetchall()
        direct = eu.execute("SELECT customer_region, COUNT(*) FROM sales GROUP BY 1").fetchall()
    assert wrapped == direct
    assert {region for region, _ in wrapped} <= {"EU", None}

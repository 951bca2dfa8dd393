"""pandas against ``quiver serve``: read_sql through a SQLAlchemy engine and through a raw DBAPI connection.

pandas looks the whole SQL text up as a relation name first (pg_class), and a SQLAlchemy engine
runs its dialect's start-up queries (version, current_schema, standard_conforming_strings).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import psycopg2
import pytest
import sqlalchemy

from tests.integration.clients import SALES_BY_REGION, Endpoint, rows, sales_by_region
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def engine(quiver_server: QuiverServer) -> Iterator[sqlalchemy.Engine]:
    engine = sqlalchemy.create_engine(
        Endpoint.quiver(quiver_server).url("postgresql+psycopg2"), connect_args={"connect_timeout": 20}
    )
    yield engine
    engine.dispose()


def frame_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(row) for row in frame.itertuples(index=False)]


def as_floats(expected: list[tuple[str, Decimal, int]]) -> list[tuple[str, float, int]]:
    """read_sql's default coerce_float=True turns numeric (Decimal) values into floats."""
    return [(region, float(net), count) for region, net, count in expected]


def test_read_sql_engine(engine: sqlalchemy.Engine, raw: duckdb.DuckDBPyConnection) -> None:
    frame = pd.read_sql(SALES_BY_REGION, engine)
    assert list(frame.columns) == ["customer_region", "net_revenue", "order_count"]
    assert frame_rows(frame) == as_floats(sales_by_region(raw))
    assert str(frame["order_count"].dtype) == "int64"
    exact = pd.read_sql(SALES_BY_REGION, engine, coerce_float=False)
    assert frame_rows(exact) == sales_by_region(raw)


def test_read_sql_engine_with_params(engine: sqlalchemy.Engine, raw: duckdb.DuckDBPyConnection) -> None:
    frame = pd.read_sql(
        sqlalchemy.text(
            "SELECT product_category, units_sold, line_count FROM sales "
            "WHERE order_ts >= :since ORDER BY product_category"
        ),
        engine,
        params={"since": date(2025, 1, 1)},
    )
    expected = rows(
        raw,
        "SELECT p.category, SUM(i.quantity), COUNT(*) FROM raw.order_items i "
        "JOIN raw.orders o ON i.order_id = o.order_id LEFT JOIN raw.products p ON i.product_id = p.product_id "
        "WHERE o.order_ts >= DATE '2025-01-01' GROUP BY 1 ORDER BY 1",
    )
    assert frame_rows(frame) == expected


def test_read_sql_dbapi(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    conn = psycopg2.connect(Endpoint.quiver(quiver_server).dsn, connect_timeout=20)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pandas prefers SQLAlchemy; a DBAPI connection works
            frame = pd.read_sql(SALES_BY_REGION, conn)
            monthly = pd.read_sql(
                "SELECT DATE_TRUNC('month', order_ts) AS month, order_count FROM orders "
                "WHERE order_ts < %(until)s ORDER BY 1",
                conn,
                params={"until": date(2023, 4, 1)},
                parse_dates=["month"],
            )
    finally:
        conn.close()
    assert list(frame.columns) == ["customer_region", "net_revenue", "order_count"]
    assert frame_rows(frame) == as_floats(sales_by_region(raw))
    expected = rows(
        raw,
        "SELECT DATE_TRUNC('month', order_ts), COUNT(*) FROM raw.orders WHERE order_ts < DATE '2023-04-01' "
        "GROUP BY 1 ORDER BY 1",
    )
    assert [(ts.to_pydatetime(), int(n)) for ts, n in frame_rows(monthly)] == [
        (pd.Timestamp(m).to_pydatetime(), n) for m, n in expected
    ]

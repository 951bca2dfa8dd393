"""PostgreSQL's interval unit abbreviations become DuckDB's units (``'1 mon'`` was one second)."""

from __future__ import annotations

import datetime

import duckdb
import pytest

from server.sql.parser import parse_statement
from server.sql.postgres_meaning import postgres_meaning


@pytest.mark.parametrize(
    ("literal", "span"),
    [
        ("1 mon", datetime.timedelta(days=30)),
        ("2 mons", datetime.timedelta(days=60)),
        ("5 mins", datetime.timedelta(minutes=5)),
        ("2 hrs", datetime.timedelta(hours=2)),
        ("1 yr", datetime.timedelta(days=360)),  # twelve 30-day months, as DuckDB's Python client shows a year
        ("5 secs", datetime.timedelta(seconds=5)),
        ("3 d", datetime.timedelta(days=3)),
        ("3 days 04:05:06", datetime.timedelta(days=3, hours=4, minutes=5, seconds=6)),
        ("1 mon ago", datetime.timedelta(days=-30)),
    ],
)
def test_interval_literal_spans(literal: str, span: datetime.timedelta) -> None:
    tree = postgres_meaning(parse_statement(f"SELECT interval '{literal}'"))
    (value,) = duckdb.sql(tree.sql(dialect="duckdb")).fetchone()
    assert value == span


def test_date_trunc_takes_postgres_abbreviations() -> None:
    sql = "SELECT date_trunc('qtr', x), date_trunc('mon', x), date_trunc('hrs', x), date_trunc('week', x) FROM t"
    assert postgres_meaning(parse_statement(sql)).sql(dialect="duckdb") == (
        "SELECT DATE_TRUNC('QUARTER', x), DATE_TRUNC('MONTH', x), DATE_TRUNC('HOUR', x), DATE_TRUNC('WEEK', x) FROM t"
    )

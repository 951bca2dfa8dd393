"""Date and timestamp literals in PostgreSQL-only spellings become ISO literals of the same day or instant."""

from __future__ import annotations

import pytest

from server.sql.parser import parse_statement
from server.sql.postgres_meaning import postgres_meaning


def engine_sql(sql: str) -> str:
    return postgres_meaning(parse_statement(sql)).sql(dialect="duckdb")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT '20240105'::date", "SELECT CAST('2024-01-05' AS DATE)"),
        ("SELECT '2024/1/5'::date", "SELECT CAST('2024-01-05' AS DATE)"),
        ("SELECT '01/05/2024'::date", "SELECT CAST('2024-01-05' AS DATE)"),  # DateStyle MDY
        ("SELECT 'Jan 5 2024'::date", "SELECT CAST('2024-01-05' AS DATE)"),
        ("SELECT 'Sept 5th, 2024'::date", "SELECT CAST('2024-09-05' AS DATE)"),
        ("SELECT '20240105 10:30'::timestamp", "SELECT CAST('2024-01-05 10:30' AS TIMESTAMP)"),
        (
            "SELECT '2024-01-05 10:00 America/New_York'::timestamptz",
            "SELECT CAST('2024-01-05 15:00:00+00' AS TIMESTAMPTZ)",
        ),
        ("SELECT '2024-07-05 10:00 Europe/Paris'::timestamptz", "SELECT CAST('2024-07-05 08:00:00+00' AS TIMESTAMPTZ)"),
        ("SELECT '2024-01-05 10:00 America/New_York'::timestamp", "SELECT CAST('2024-01-05 10:00:00' AS TIMESTAMP)"),
        ("SELECT date 'today'", "SELECT CAST(CURRENT_DATE AS DATE)"),
    ],
)
def test_spellings(sql: str, expected: str) -> None:
    assert engine_sql(sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT '2024-01-05'::date",  # ISO: the engine reads it
        "SELECT '2024-01-05 10:00:00+02'::timestamptz",
        "SELECT '2024-02-30'::date",  # no such day: left to the engine's error
        "SELECT '2024/02/30'::date",
        "SELECT 'Foo 5 2024'::date",
        "SELECT x::date FROM t",  # a column: not a literal
        "SELECT '2024-01-05 10:00 Not/AZone'::timestamptz",
    ],
)
def test_other_casts_are_left_as_written(sql: str) -> None:
    assert engine_sql(sql) == parse_statement(sql).sql(dialect="duckdb")

"""The integer-division rule: PostgreSQL's quotient and type, computed by DuckDB from the rewritten tree."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot.expressions as exp

from server.sql.parser import parse_statement
from server.sql.postgres_meaning import postgres_meaning
from server.sql.postgres_meaning.types import SqlType


def run(sql: str, column_type=None) -> tuple[list[tuple], list[str]]:
    tree = (
        postgres_meaning(parse_statement(sql))
        if column_type is None
        else postgres_meaning(parse_statement(sql), column_type)
    )
    relation = duckdb.sql(tree.sql(dialect="duckdb"))
    return relation.fetchall(), [str(t) for t in relation.types]


@pytest.mark.parametrize(
    ("sql", "value", "type_"),
    [
        ("SELECT 7/2", 3, "INTEGER"),
        ("SELECT -7/2", -3, "INTEGER"),  # toward zero, as PostgreSQL (not floor)
        ("SELECT 7/-2", -3, "INTEGER"),
        ("SELECT -7/-2", 3, "INTEGER"),
        ("SELECT 100/7/2", 7, "INTEGER"),  # the inner quotient is an integer too
        ("SELECT (7+1)/2*3", 12, "INTEGER"),
        ("SELECT 2*7/3", 4, "INTEGER"),
        ("SELECT 7::bigint/2", 3, "BIGINT"),
        ("SELECT '160004'::int / 100", 1600, "INTEGER"),
        ("SELECT (CAST(EXTRACT(WEEK FROM DATE '2024-05-15') AS INTEGER) - 1) / 13 + 1", 2, "INTEGER"),
    ],
)
def test_integer_division_truncates_toward_zero(sql: str, value: int, type_: str) -> None:
    assert run(sql) == ([(value,)], [type_])


def test_integer_division_by_zero_is_an_error_not_null() -> None:
    with pytest.raises(duckdb.InvalidInputException, match="division by zero"):
        run("SELECT 7/(1-1)")
    with pytest.raises(duckdb.InvalidInputException, match="division by zero"):
        run("SELECT 7/0")


def test_a_zero_check_only_where_the_divisor_may_be_zero() -> None:
    assert "ERROR" not in postgres_meaning(parse_statement("SELECT 7/2")).sql(dialect="duckdb")
    assert "ERROR" in postgres_meaning(parse_statement("SELECT 7/(2-2)")).sql(dialect="duckdb")


@pytest.mark.parametrize(
    "sql", ["SELECT 7.0/2", "SELECT 1::numeric/3", "SELECT x/2 FROM (VALUES (7)) t(x)", "SELECT 7/2.0"]
)
def test_divisions_of_unknown_or_non_integer_types_are_left_as_written(sql: str) -> None:
    assert postgres_meaning(parse_statement(sql)).sql(dialect="duckdb") == parse_statement(sql).sql(dialect="duckdb")


def test_columns_are_integer_only_where_the_caller_says_so() -> None:
    def typed(column: exp.Column) -> SqlType | None:
        return SqlType.INTEGER if column.name == "x" else None

    assert run("SELECT x/2, y/2 FROM (VALUES (7, 7)) t(x, y)", typed) == ([(3, 3.5)], ["INTEGER", "DOUBLE"])
    assert run("SELECT x/0 FROM (VALUES (7)) t(x) WHERE false", typed) == ([], ["INTEGER"])


def test_round_of_a_double_is_half_to_even() -> None:
    rows, types = run("SELECT round(2.5::float8), round(-2.5::float8), round(0.5::float8), round(3.5::float8)")
    assert rows == [(2.0, -2.0, 0.0, 4.0)] and types == ["DOUBLE"] * 4


def test_round_of_a_numeric_or_unknown_is_left_alone() -> None:
    for sql in ("SELECT round(2.5)", "SELECT round(x) FROM (VALUES (2.5)) t(x)"):
        assert postgres_meaning(parse_statement(sql)).sql(dialect="duckdb") == parse_statement(sql).sql(
            dialect="duckdb"
        )

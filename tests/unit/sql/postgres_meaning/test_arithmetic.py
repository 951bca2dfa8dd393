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
    "sql",
    [
        "SELECT x/2 FROM (VALUES (7)) t(x)",
        "SELECT x/2.0 FROM (VALUES (7)) t(x)",
        "SELECT 7/2::float8",
    ],
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


@pytest.mark.parametrize(
    ("sql", "value"),
    [  # each value as a real PostgreSQL 15 answered it
        ("SELECT 1::numeric/3", "0.33333333333333333333"),
        ("SELECT 10.5/3", "3.5000000000000000"),
        ("SELECT 2::numeric/7*7", "2.00000000000000000003"),
        ("SELECT 123456789.0/7", "17636684.142857142857"),
        ("SELECT 0.0001/3", "0.000033333333333333333333"),
        ("SELECT -1/3.0", "-0.33333333333333333333"),
        ("SELECT 5/3.00000", "1.6666666666666667"),
    ],
)
def test_numeric_division_of_constants_has_postgres_scale(sql: str, value: str) -> None:
    rows, types = run(sql)
    assert str(rows[0][0]) == value and types[0].startswith("DECIMAL")


def test_numeric_division_past_the_engine_precision_is_refused() -> None:
    from server.errors import FeatureNotSupported

    with pytest.raises(FeatureNotSupported):
        postgres_meaning(parse_statement("SELECT 0.00000000000000000000000001/3"))  # 42 places


def test_the_engine_error_of_a_zero_divisor_is_recognised_exactly() -> None:
    from server.errors import DivisionByZero
    from server.sql.postgres_meaning.types import raised_by_rule

    assert isinstance(raised_by_rule("Invalid Input Error: division by zero"), DivisionByZero)
    assert isinstance(raised_by_rule("division by zero"), DivisionByZero)
    assert raised_by_rule("Invalid Input Error: division by zero is fine here") is None
    assert raised_by_rule("Conversion Error: Could not convert string") is None


def test_modulo_by_zero_is_an_error_and_other_modulos_keep_their_value() -> None:
    for sql in ("SELECT 7 % (1-1)", "SELECT 7.5 % 0"):
        with pytest.raises(duckdb.InvalidInputException, match="division by zero"):
            run(sql)
    assert run("SELECT 7 % 2, -7 % 3, 7 % (3-1)") == ([(1, -1, 1)], ["INTEGER", "INTEGER", "INTEGER"])
    assert "ERROR" not in postgres_meaning(parse_statement("SELECT x % 2 FROM t")).sql(dialect="duckdb")

"""width_bucket as PostgreSQL computes it, on DuckDB (which has no such function)."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot.expressions as exp

from server.sql.parser import parse_statement
from server.sql.postgres_meaning import postgres_meaning
from server.sql.postgres_meaning.types import SqlType


def run(sql: str, column_type=None) -> tuple[list[tuple], list[str]]:
    tree = parse_statement(sql)
    tree = postgres_meaning(tree) if column_type is None else postgres_meaning(tree, column_type)
    relation = duckdb.sql(tree.sql(dialect="duckdb"))
    return relation.fetchall(), [str(t) for t in relation.types]


@pytest.mark.parametrize(
    ("sql", "value"),
    [  # each value as PostgreSQL 15 answers it
        ("SELECT width_bucket(5.5, 0, 10, 4)", 3),
        ("SELECT width_bucket(3, 0, 10, 5)", 2),
        ("SELECT width_bucket(-1, 0, 10, 5)", 0),
        ("SELECT width_bucket(10, 0, 10, 5)", 6),  # the upper bound is past the last bucket
        ("SELECT width_bucket(5.0::float8, 10, 0, 5)", 3),  # falling bounds
        ("SELECT width_bucket(0.3, 0.0, 1.0, 10)", 4),  # exact numeric: 0.3 sits on an edge
        ("SELECT width_bucket(NULL::numeric, 0, 1, 3)", None),
        ("SELECT width_bucket(5, ARRAY[1, 3, 6])", 2),
        ("SELECT width_bucket(0.5, ARRAY[0.1, 0.5, 0.9])", 2),
        ("SELECT width_bucket(NULL::int, ARRAY[1])", None),
    ],
)
def test_width_bucket_is_postgres_bucket(sql: str, value: int | None) -> None:
    assert run(sql) == ([(value,)], ["INTEGER"])


def test_numeric_columns_take_the_exact_form() -> None:
    def numeric(column: exp.Column) -> SqlType | None:
        return SqlType.NUMERIC

    rows, _ = run("SELECT width_bucket(x, 0, 1, 10) FROM (VALUES (0.30), (0.70), (0.10)) t(x)", numeric)
    assert rows == [(4,), (8,), (2,)]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT width_bucket(1, 0, 10, 0)", "count must be greater than zero"),
        ("SELECT width_bucket(1, 5, 5, 3)", "lower bound cannot equal upper bound"),
    ],
)
def test_bad_arguments_raise_postgres_errors(sql: str, message: str) -> None:
    with pytest.raises(duckdb.InvalidInputException, match=message):
        run(sql)


def test_rule_errors_map_to_their_sqlstates() -> None:
    from server.errors import InvalidArgumentForWidthBucket
    from server.sql.postgres_meaning.types import raised_by_rule

    assert isinstance(
        raised_by_rule("Invalid Input Error: count must be greater than zero"), InvalidArgumentForWidthBucket
    )

"""The numeric-division rule for columns: a numeric quotient whose whole part is exact, run on DuckDB."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
import sqlglot.expressions as exp

from server.sql.parser import parse_statement
from server.sql.postgres_meaning import postgres_meaning
from server.sql.postgres_meaning.types import SqlType


def numeric_x(column: exp.Column) -> SqlType | None:
    return {"x": SqlType.NUMERIC, "n": SqlType.INTEGER, "f": SqlType.FLOAT}.get(column.name)


def run(sql: str) -> tuple[list[tuple], list[str]]:
    tree = postgres_meaning(parse_statement(sql), numeric_x)
    relation = duckdb.sql(tree.sql(dialect="duckdb"))
    return relation.fetchall(), [str(t) for t in relation.types]


VALUES = "(VALUES (0.30::DECIMAL(18,2), 3), (-0.30, -3), (25.00, 7), (37.50, 0), (1.10, 11)) t(x, n)"


def test_a_value_on_a_bin_edge_lands_in_its_own_bin() -> None:
    # As doubles 0.3 / 0.1 is 2.9999999999999996: floor put it in bin 2. PostgreSQL says 3.
    rows, types = run(f"SELECT floor(x / 0.1), ceil(x / 0.1), floor((x - 0) / 12.5) FROM {VALUES}")
    assert rows == [
        (Decimal(3), Decimal(3), Decimal(0)),
        (Decimal(-3), Decimal(-3), Decimal(-1)),
        (Decimal(250), Decimal(250), Decimal(2)),
        (Decimal(375), Decimal(375), Decimal(3)),
        (Decimal(11), Decimal(11), Decimal(0)),
    ]
    assert all(t.startswith("DECIMAL") for t in types)


def test_the_quotient_is_numeric_with_sixteen_places() -> None:
    rows, types = run(f"SELECT x / 3, x / n FROM {VALUES} WHERE n <> 0")
    assert rows[2] == (Decimal("8.3333333333333333"), Decimal("3.5714285714285714"))
    assert rows[0] == (Decimal("0.1000000000000000"), Decimal("0.1000000000000000"))
    assert types == ["DECIMAL(38,16)", "DECIMAL(38,16)"]  # the zero check keeps the type


def test_a_zero_divisor_is_an_error() -> None:
    with pytest.raises(duckdb.InvalidInputException, match="division by zero"):
        run(f"SELECT x / n FROM {VALUES}")


def test_a_nonzero_constant_divisor_needs_no_zero_check() -> None:
    assert "ERROR" not in postgres_meaning(parse_statement("SELECT x / 12.5 FROM t"), numeric_x).sql("duckdb")
    assert "ERROR" in postgres_meaning(parse_statement("SELECT x / n FROM t"), numeric_x).sql("duckdb")


@pytest.mark.parametrize(
    "sql",
    ["SELECT f / 12.5 FROM t", "SELECT x / f FROM t", "SELECT y / 12.5 FROM t", "SELECT n / 2 FROM t"],
)
def test_other_divisions_are_not_numeric_divisions(sql: str) -> None:
    assert "DECIMAL(38, 16)" not in postgres_meaning(parse_statement(sql), numeric_x).sql("duckdb")


def test_running_the_rules_twice_changes_nothing_more() -> None:
    once = postgres_meaning(parse_statement("SELECT x / n FROM t"), numeric_x)
    assert postgres_meaning(once.copy(), numeric_x).sql("duckdb") == once.sql("duckdb")


def test_a_typed_numeric_divided_by_an_integer_is_not_an_integer_division() -> None:
    # Moved from the integer rule's tests: numeric(3,1) / 2 is left to the numeric rule, never truncated.
    rows, types = run("SELECT 7.5::numeric(3,1)/2")
    assert rows == [(Decimal("3.75"),)] and types == ["DECIMAL(38,16)"]

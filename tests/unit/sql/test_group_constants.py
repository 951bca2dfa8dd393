"""A bare non-integer constant in GROUP BY is 42601, as in PostgreSQL; positions and constant expressions are not."""

from __future__ import annotations

import pytest

from server.errors import SqlSyntaxError
from server.sql.parser import parse_statement


@pytest.mark.parametrize("item", ["'a'", "NULL", "TRUE", "false", "1.5"])
def test_a_bare_non_integer_constant_is_a_syntax_error(item: str) -> None:
    with pytest.raises(SqlSyntaxError, match="non-integer constant in GROUP BY") as raised:
        parse_statement(f"SELECT count(*) FROM sales GROUP BY region, {item}")
    assert raised.value.sqlstate.value == "42601"


def test_nested_queries_are_checked_too() -> None:
    with pytest.raises(SqlSyntaxError):
        parse_statement("WITH t AS (SELECT count(*) FROM sales GROUP BY 'a') SELECT * FROM t")


@pytest.mark.parametrize("item", ["1", "1, 2", "1 + 1", "'a'::text", "upper('a')", "region"])
def test_positions_and_constant_expressions_are_accepted(item: str) -> None:
    parse_statement(f"SELECT 'x' AS k, region, count(*) FROM sales GROUP BY {item}")

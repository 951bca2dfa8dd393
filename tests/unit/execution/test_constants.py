"""Constant answers without an engine, and the literals that must not take that shortcut."""

from __future__ import annotations

import pytest

from server.execution.constants import constant_result
from server.sql.parser import parse_statement


def test_small_literals_are_answered_directly() -> None:
    table = constant_result(parse_statement("SELECT 1 AS a, 'x' AS b, -5 AS c, 9223372036854775807 AS d"))
    assert table is not None
    assert table.to_pylist() == [{"a": 1, "b": "x", "c": -5, "d": 9223372036854775807}]


@pytest.mark.parametrize("literal", ["9223372036854775808", "99999999999999999999", "9" * 131_072])
def test_literals_past_bigint_go_to_the_engine(literal: str) -> None:
    """A 131,072-digit numeric parameter raised inside int() (Python's digit limit): an internal error."""
    assert constant_result(parse_statement(f"SELECT {literal}")) is None

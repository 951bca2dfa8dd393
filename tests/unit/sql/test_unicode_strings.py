"""U&'...' strings whose escapes name no character are syntax errors, not internal errors."""

from __future__ import annotations

import pytest

from server.errors import QuiverError
from server.sql.parser import parse_statement


@pytest.mark.parametrize("text", [r"SELECT U&'\D800'", r"SELECT U&'\+00D800'"])
def test_a_lone_surrogate_escape_is_42601(text: str) -> None:
    with pytest.raises(QuiverError) as caught:
        parse_statement(text)
    assert caught.value.sqlstate.value == "42601"
    assert caught.value.message == "invalid Unicode escape value"


def test_valid_unicode_escapes_still_parse() -> None:
    assert parse_statement(r"SELECT U&'d\0061t\+000061'").sql(dialect="duckdb") == "SELECT 'data'"

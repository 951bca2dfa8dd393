"""How an engine failure becomes a typed error: the division rules' zero check answers 22012."""

from __future__ import annotations

from connectors.base import ConnectorError, ErrorKind
from server.errors import DivisionByZero, InvalidTextRepresentation, SqlState
from server.execution.executor import translate


def test_the_division_rules_engine_error_is_division_by_zero() -> None:
    error = translate(ConnectorError(ErrorKind.DATA, "Invalid Input Error: division by zero"))
    assert isinstance(error, DivisionByZero) and error.sqlstate is SqlState.DIVISION_BY_ZERO
    assert str(error) == "division by zero"


def test_other_data_errors_go_through_the_engine_error_table() -> None:
    error = translate(ConnectorError(ErrorKind.DATA, "Conversion Error: Could not convert string 'abc' to INT32"))
    assert type(error) is InvalidTextRepresentation and error.sqlstate is SqlState.INVALID_TEXT_REPRESENTATION
    assert "Conversion Error" not in str(error) and "INT32" not in str(error)

"""standard_conforming_strings cannot be turned off: the lexer reads strings one way only.

It used to be accepted and ignored, so a client that escapes quotes with backslashes
(as it must when the setting is off) had ``'a\\';SELECT ...'`` run as two statements.
"""

from __future__ import annotations

import pytest
import sqlglot

from server.errors import QuiverError, SqlState
from server.policy.identity import Caller
from server.session.session import Session
from server.sql.commands import SetVariable
from server.sql.lexer import split_statements
from server.sql.lexical_settings import check_set_config
from server.sql.router import route_all

OFF_SPELLINGS = ["off", "OFF", "false", "'false'", "0", "no", "f", "of"]


def session(**startup: str) -> Session:
    return Session(Caller("analyst"), startup, backend_pid=1, database="quiver")


def error_of(action: object) -> QuiverError:
    with pytest.raises(QuiverError) as raised:
        action()  # type: ignore[operator]
    return raised.value


@pytest.mark.parametrize("value", OFF_SPELLINGS)
def test_set_off_is_refused_and_nothing_changes(value: str) -> None:
    s = session()
    (_, command), *_ = route_all(f"SET standard_conforming_strings = {value}")
    assert isinstance(command, SetVariable)
    error = error_of(lambda: s.apply(command))
    assert error.sqlstate == SqlState.FEATURE_NOT_SUPPORTED == "0A000"
    assert error.message == "standard_conforming_strings = off is not supported"
    assert error.hint is not None and "E'...'" in error.hint
    assert s.setting("standard_conforming_strings") == "on"


@pytest.mark.parametrize("sql", ["SET standard_conforming_strings = on", "SET standard_conforming_strings TO 'true'"])
def test_set_on_stays_accepted(sql: str) -> None:
    s = session()
    (_, command), *_ = route_all(sql)
    result = s.apply(command)
    assert result.tag == "SET"
    assert result.reported == {"standard_conforming_strings": "on"}


def test_set_local_off_is_refused_too() -> None:
    s = session()
    s.apply(route_all("BEGIN")[0][1])
    error = error_of(lambda: s.apply(route_all("SET LOCAL standard_conforming_strings TO off")[0][1]))
    assert error.sqlstate == SqlState.FEATURE_NOT_SUPPORTED


def test_a_value_that_is_not_boolean_is_22023() -> None:
    error = error_of(lambda: session().apply(SetVariable("standard_conforming_strings", "maybe")))
    assert error.sqlstate == SqlState.INVALID_PARAMETER_VALUE
    assert error.message == 'parameter "standard_conforming_strings" requires a Boolean value'


def test_a_startup_option_off_is_refused() -> None:
    """``options=-c standard_conforming_strings=off``: the session does not start (the backend sends FATAL)."""
    error = error_of(lambda: session(standard_conforming_strings="off"))
    assert error.sqlstate == SqlState.FEATURE_NOT_SUPPORTED
    assert session(standard_conforming_strings="on").setting("standard_conforming_strings") == "on"


@pytest.mark.parametrize(
    "call, refused",
    [
        ("set_config('standard_conforming_strings', 'off', false)", True),
        ("set_config('Standard_Conforming_Strings', 'false', true)", True),
        ("set_config('standard_conforming_strings', lower('OFF'), false)", True),  # not checkable: refused
        ("set_config('standard_conforming_strings', 'on', false)", False),
        ("set_config('jit', 'off', false)", False),
    ],
)
def test_set_config(call: str, refused: bool) -> None:
    args = sqlglot.parse_one(f"SELECT {call}", read="postgres").expressions[0].expressions
    if refused:
        assert error_of(lambda: check_set_config(args)).sqlstate == SqlState.FEATURE_NOT_SUPPORTED
    else:
        check_set_config(args)


@pytest.mark.parametrize("name", ["backslash_quote", "escape_string_warning"])
def test_settings_that_do_not_change_where_a_string_ends_stay_accepted(name: str) -> None:
    """With conforming strings, backslash_quote only decides whether E'\\'' errs; the warning is a notice."""
    s = session()
    s.apply(SetVariable(name, "off"))
    assert s.setting(name) == "off"
    pieces = split_statements("SELECT 'a\\'; SELECT 'b'")
    assert [p.text for p in pieces] == ["SELECT 'a\\'", " SELECT 'b'"]  # read as PostgreSQL reads it with SCS on

"""Internal errors reach the log bounded and the client as a request id only."""

from __future__ import annotations

import logging

import pytest

from server.observability.internal import MAX_LOG_CHARS, internal_error, unexpected_error


def _recurse(depth: int) -> None:
    if depth == 0:
        raise RecursionError("maximum recursion depth exceeded " + "x" * 100_000)
    _recurse(depth - 1)


def test_a_deep_traceback_is_logged_bounded(caplog: pytest.LogCaptureFixture) -> None:
    try:
        _recurse(900)
    except RecursionError as exc:
        with caplog.at_level(logging.ERROR, logger="test.internal"):
            error = internal_error(logging.getLogger("test.internal"), exc)
    record = caplog.records[-1].getMessage()
    assert len(record) < MAX_LOG_CHARS + 200
    assert "frames omitted" in record and "_recurse" in record
    request_id = error.message.removeprefix("internal error (request id ").removesuffix(")")
    assert len(request_id) == 12 and request_id in record
    assert error.sqlstate.value == "XX000"
    assert "/" not in error.message and "Traceback" not in error.message


def test_recursion_anywhere_is_a_statement_too_complex_not_an_internal_error(caplog: pytest.LogCaptureFixture) -> None:
    try:
        _recurse(100_000)
    except RecursionError as exc:
        error = unexpected_error(logging.getLogger("test.internal"), exc)
    assert (error.sqlstate.value, error.message) == ("54001", "statement is too complex")
    assert all("Traceback" not in record.getMessage() for record in caplog.records)

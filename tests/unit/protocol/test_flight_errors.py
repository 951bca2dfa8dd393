"""Flight errors: typed errors keep their SQLSTATE; nothing internal (traceback, path, engine text) leaves."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from pyarrow import flight

from server.errors import DataException, InternalError, QueryCanceled, StatementTimeout, UndefinedColumn
from server.observability.internal import MAX_LOG_CHARS
from server.protocol.flight.errors import rpc, schema_rpc, to_flight, unformattable

SECRET = "/srv/quiver/server/engine.py"


def _internal_id(error: flight.FlightError) -> str:
    match = re.fullmatch(r"internal error \(request id ([0-9a-f]{12})\) \(SQLSTATE XX000\)", str(error))
    assert match, str(error)
    return match.group(1)


def test_typed_errors_keep_their_sqlstate_and_status() -> None:
    converted = to_flight(UndefinedColumn('column "x" does not exist', hint='Perhaps you meant "y".'))
    assert isinstance(converted, flight.FlightServerError)
    assert str(converted) == 'column "x" does not exist (SQLSTATE 42703)\nHINT:  Perhaps you meant "y".'
    assert json.loads(converted.extra_info)["sqlstate"] == "42703"
    timed_out = to_flight(StatementTimeout("canceling statement due to statement timeout"))
    assert isinstance(timed_out, flight.FlightTimedOutError)
    assert isinstance(to_flight(QueryCanceled("canceling statement due to user request")), flight.FlightCancelledError)
    # The type decides, never the words: a cancel whose message mentions a timeout is still a cancel.
    assert isinstance(to_flight(QueryCanceled("canceling authentication due to timeout")), flight.FlightCancelledError)
    assert to_flight(converted) is converted  # already converted: passes through


def test_any_other_exception_is_a_request_id_and_its_traceback_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise ValueError(f"boom in {SECRET}")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR):
            converted = to_flight(exc)
    assert isinstance(converted, flight.FlightInternalError)
    request = _internal_id(converted)
    assert json.loads(converted.extra_info) == {
        "sqlstate": "XX000",
        "message": f"internal error (request id {request})",
        "request_id": request,
    }
    (record,) = caplog.records
    assert request in record.getMessage() and "Traceback" in record.getMessage() and SECRET in record.getMessage()


def test_pyarrows_own_flight_errors_count_as_internal() -> None:
    raw = flight.FlightServerError('Python exception: Traceback (most recent call last):\n  File "x.py"')
    assert _internal_id(to_flight(raw))


def test_an_internal_quiver_error_shows_neither_its_detail_nor_a_new_id(caplog: pytest.LogCaptureFixture) -> None:
    error = InternalError("internal error in the engine (request id 0123456789ab)", detail="SELECT * FROM raw.orders")
    with caplog.at_level(logging.ERROR):
        converted = to_flight(error)
    assert _internal_id(converted) == "0123456789ab"  # the id the engine's log line has
    assert "raw.orders" not in str(converted) and b"raw.orders" not in converted.extra_info
    assert "raw.orders" in caplog.text


def test_the_logged_traceback_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    def deep(n: int) -> None:
        if n:
            deep(n - 1)
        raise RuntimeError("x" * 100_000)

    limit = sys.getrecursionlimit()
    try:
        deep(500)
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR):
            to_flight(exc)
    assert sys.getrecursionlimit() == limit
    assert len(caplog.records[0].getMessage()) < MAX_LOG_CHARS + 200


def test_long_messages_are_clipped_to_fit_in_grpc_trailers() -> None:
    converted = to_flight(DataException("x" * 200_000, detail="d" * 50_000))
    assert len(str(converted)) < 2_500
    info = json.loads(converted.extra_info)
    assert len(info["message"]) < 1_100 and info["message"].endswith("(199,000 more characters)")


class Broken(flight.FlightServerBase):
    """Handlers that fail the way a bug would, each wrapped as Quiver's are."""

    @rpc
    def list_actions(self, context: Any) -> list[tuple[str, str]]:
        raise KeyError(SECRET)

    @rpc
    def do_action(self, context: Any, action: Any) -> list[Any]:
        raise UndefinedColumn('column "x" does not exist')

    @schema_rpc
    def get_schema(self, context: Any, descriptor: Any) -> Any:
        if descriptor.command == b"bug":
            raise KeyError(SECRET)
        raise UndefinedColumn('column "x" does not exist')


@pytest.fixture(scope="module")
def broken() -> Iterator[flight.FlightClient]:
    server = Broken("grpc://127.0.0.1:0")
    yield flight.FlightClient(f"grpc://127.0.0.1:{server.port}")
    server.shutdown()


def test_through_pyarrow_a_bug_arrives_as_a_request_id_only(broken: flight.FlightClient) -> None:
    with pytest.raises(flight.FlightInternalError) as caught:
        broken.list_actions()
    text = str(caught.value)
    assert "Traceback" not in text and SECRET not in text and ".py" not in text
    assert re.match(r"internal error \(request id [0-9a-f]{12}\) \(SQLSTATE XX000\)", text)


def test_through_pyarrow_a_typed_error_arrives_with_its_sqlstate(broken: flight.FlightClient) -> None:
    with pytest.raises(flight.FlightServerError) as caught:
        list(broken.do_action(flight.Action("x", b"")))
    assert json.loads(caught.value.extra_info)["sqlstate"] == "42703"


@pytest.mark.parametrize(("command", "expected"), [(b"typed", "(SQLSTATE 42703)"), (b"bug", "(SQLSTATE XX000)")])
def test_through_pyarrow_get_schema_errors_carry_no_traceback(
    broken: flight.FlightClient, command: bytes, expected: str
) -> None:
    with pytest.raises(Exception) as caught:
        broken.get_schema(flight.FlightDescriptor.for_command(command))
    text = str(caught.value)
    assert expected in text
    assert "Traceback" not in text and SECRET not in text and 'File "' not in text, text


def test_an_unformattable_error_is_the_same_flight_error() -> None:
    original = to_flight(UndefinedColumn('column "x" does not exist'))
    copy = unformattable(original)
    assert isinstance(copy, flight.FlightServerError) and type(copy).__name__ == "FlightServerError"
    assert str(copy) == str(original) and copy.extra_info == original.extra_info
    assert to_flight(copy) is copy
    try:
        raise copy from None
    except flight.FlightServerError as caught:
        assert caught is copy

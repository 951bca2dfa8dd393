"""Quiver's typed errors as Flight errors: the gRPC status a client branches on, the SQLSTATE in extra_info.

``extra_info`` holds JSON (``{"sqlstate": "42703", "message": ..., "detail": ...,
"hint": ..., "position": 8}``), so a client gets the same facts the PostgreSQL
wire protocol sends in an ErrorResponse. Most Flight SQL drivers (ADBC, JDBC) show
only the status message, so the message carries them too, laid out as psql prints
them::

    column "gross_revenu" does not exist (SQLSTATE 42703)
    HINT:  Perhaps you meant "gross_revenue".
    POSITION:  8

(the position counts characters from 1, as the wire's ErrorResponse field P does).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pyarrow import flight

from server.errors import QuiverError, SqlState, StatementTimeout
from server.observability.internal import bounded_traceback, known_condition

log = logging.getLogger(__name__)
R = TypeVar("R")
MAX_FIELD_CHARS = 1_000
_CONVERTED = "_quiver_converted"
_REQUEST_ID = re.compile(r"\(request id ([0-9a-f]{6,32})\)")


def extra_info(error: QuiverError) -> bytes:
    fields = {
        "sqlstate": error.sqlstate.value,
        "severity": error.severity,
        "message": _clip(error.message),
        "detail": _clip(error.detail),
        "hint": _clip(error.hint),
        "position": getattr(error, "position", None),
    }
    return json.dumps({k: v for k, v in fields.items() if v is not None}).encode()


def message_text(error: QuiverError) -> str:
    """The status message: the error's first line with its SQLSTATE, then DETAIL, HINT and POSITION lines."""
    lines = [f"{_clip(error.message)} (SQLSTATE {error.sqlstate.value})"]
    if error.detail:
        lines.append(f"DETAIL:  {_clip(error.detail)}")
    if error.hint:
        lines.append(f"HINT:  {_clip(error.hint)}")
    position = getattr(error, "position", None)
    if position:
        # Drivers that show only the status message (ADBC, JDBC) still learn where the error is.
        lines.append(f"POSITION:  {position}")
    return "\n".join(lines)


def _clip(text: str | None) -> str | None:
    """``text`` cut to :data:`MAX_FIELD_CHARS`: a status travels in gRPC trailers, which clients
    cap at a few KiB (a message echoing a megabyte-long name would arrive as a transport error)."""
    if text is None or len(text) <= MAX_FIELD_CHARS:
        return text
    return f"{text[:MAX_FIELD_CHARS]}... ({len(text) - MAX_FIELD_CHARS:,} more characters)"


def to_flight(error: BaseException) -> flight.FlightError:
    """The Flight error to raise for ``error``.

    A :class:`QuiverError` keeps its SQLSTATE, message, detail and hint. Anything else,
    and any XX000 (whose detail may quote the engine), reaches the client only as
    ``internal error (request id ...)``; the exception and a bounded traceback go to
    the log under that id. An error this function already made passes through; any
    other Flight error (pyarrow's own, which may carry a traceback) counts as internal.
    """
    if getattr(error, _CONVERTED, False):
        return error  # pyarrow is untyped: FlightError is Any to the checker
    if not isinstance(error, QuiverError):
        error = known_condition(error) or error
    if not isinstance(error, QuiverError) or error.sqlstate is SqlState.INTERNAL_ERROR:
        return _mark(_internal(error))
    state = error.sqlstate.value
    text = message_text(error)
    info = extra_info(error)
    if state == "42501":
        converted: flight.FlightError = flight.FlightUnauthorizedError(text, extra_info=info)
    elif state.startswith("28"):
        converted = flight.FlightUnauthenticatedError(text, extra_info=info)
    elif isinstance(error, StatementTimeout):
        converted = flight.FlightTimedOutError(text, extra_info=info)
    elif state == "57014":
        converted = flight.FlightCancelledError(text, extra_info=info)
    elif state.startswith(("58", "08")):
        converted = flight.FlightUnavailableError(text, extra_info=info)
    else:
        converted = flight.FlightServerError(text, extra_info=info)
    return _mark(converted)


def rpc(method: Callable[..., R]) -> Callable[..., R]:
    """Wrap one Flight RPC handler: whatever it raises reaches the client through :func:`to_flight`.

    pyarrow answers an exception that is not a FlightError with its Python traceback
    (file paths, code lines) as the status message, so no handler may let one escape.
    Handlers that stream must return finished results or guard their iterators the same way.
    """

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            raise to_flight(exc) from None

    return guarded


def schema_rpc(method: Callable[..., R]) -> Callable[..., R]:
    """:func:`rpc` for GetSchema, the one handler whose FlightError pyarrow does not convert.

    pyarrow (through 26 at least) sends an exception raised by ``get_schema`` as an
    unknown error with the formatted traceback appended, even a FlightError. So the
    error raised there is :func:`unformattable`: the message (with its SQLSTATE)
    arrives, the traceback cannot be formatted and pyarrow falls back to the type's name.
    """

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            raise unformattable(to_flight(exc)) from None

    return guarded


def unformattable(error: flight.FlightError) -> flight.FlightError:
    """``error`` (same class, message and extra_info) as an exception the traceback module refuses.

    Python's ``traceback.format_exception`` reads ``__suppress_context__`` through the
    attribute; a subclass whose attribute raises makes it fail, and Arrow's Python error
    detail then reports only "Python exception: <class name>". The interpreter itself
    keeps reading the flag from the exception's C struct, so raising it works as usual.
    A pyarrow that converts FlightErrors in GetSchema sends it as the FlightError it is.
    """
    base = type(error)
    subclass = _UNFORMATTABLE.get(base)
    if subclass is None:
        subclass = type(base.__name__, (base,), {"__suppress_context__": property(_not_formatted)})
        _UNFORMATTABLE[base] = subclass
    return _mark(subclass(error.args[0] if error.args else "", extra_info=error.extra_info))


def _not_formatted(_error: BaseException) -> bool:
    raise TypeError("this error is sent to a client and never formatted with its traceback")


_UNFORMATTABLE: dict[type, type] = {}


def _internal(error: BaseException) -> flight.FlightError:
    """Only a request id for the client: the id the error already names (an engine failure logged
    below this layer) or a new one."""
    known = _REQUEST_ID.search(error.message) if isinstance(error, QuiverError) else None
    request = known.group(1) if known else uuid.uuid4().hex[:12]
    log.error("internal error (request id %s): %s", request, bounded_traceback(error))
    message = f"internal error (request id {request})"
    info = json.dumps({"sqlstate": SqlState.INTERNAL_ERROR.value, "message": message, "request_id": request})
    return flight.FlightInternalError(f"{message} (SQLSTATE XX000)", extra_info=info.encode())


def _mark(error: flight.FlightError) -> flight.FlightError:
    setattr(error, _CONVERTED, True)
    return error

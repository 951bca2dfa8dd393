"""Quiver's typed errors as Flight errors: the gRPC status a client branches on, the SQLSTATE in extra_info.

``extra_info`` holds JSON (``{"sqlstate": "42703", "message": ..., "detail": ...,
"hint": ..., "position": 8}``), so a client gets the same facts the PostgreSQL
wire protocol sends in an ErrorResponse. Most Flight SQL drivers (ADBC, JDBC) show
only the status message, so the message carries them too, laid out as psql prints
them::

    column "gross_revenu" does not exist (SQLSTATE 42703)
    HINT:  Perhaps you meant "gross_revenue".
"""

from __future__ import annotations

import json
import logging
import uuid

from pyarrow import flight

from server.errors import QuiverError

log = logging.getLogger(__name__)


def extra_info(error: QuiverError) -> bytes:
    fields = {
        "sqlstate": error.sqlstate.value,
        "severity": error.severity,
        "message": error.message,
        "detail": error.detail,
        "hint": error.hint,
        "position": getattr(error, "position", None),
    }
    return json.dumps({k: v for k, v in fields.items() if v is not None}).encode()


def message_text(error: QuiverError) -> str:
    """The status message: the error's first line with its SQLSTATE, then DETAIL and HINT lines."""
    return error.describe(first_line=f"{error.message} (SQLSTATE {error.sqlstate.value})")


def to_flight(error: BaseException) -> flight.FlightError:
    """The Flight error to raise for ``error`` (internal errors keep their details in the log only)."""
    if isinstance(error, flight.FlightError):
        return error
    if not isinstance(error, QuiverError):
        request = uuid.uuid4().hex[:12]
        log.exception("internal error (request %s)", request, exc_info=error)
        return flight.FlightInternalError(f"internal error; request id {request} (SQLSTATE XX000)")
    state = error.sqlstate.value
    text = message_text(error)
    info = extra_info(error)
    if state == "42501":
        return flight.FlightUnauthorizedError(text, extra_info=info)
    if state.startswith("28"):
        return flight.FlightUnauthenticatedError(text, extra_info=info)
    if state == "57014":
        if "timeout" in error.message:
            return flight.FlightTimedOutError(text, extra_info=info)
        return flight.FlightCancelledError(text, extra_info=info)
    if state.startswith(("58", "08")):
        return flight.FlightUnavailableError(text, extra_info=info)
    if state == "XX000":
        return flight.FlightInternalError(text, extra_info=info)
    return flight.FlightServerError(text, extra_info=info)

"""The same fault gets the same answer on every channel: SQLSTATE, message and position.

Each row sends one fault class over the PostgreSQL wire (the simple protocol, with
psycopg's client-side binding, and the extended protocol) and over Flight SQL (the
ADBC driver), and expects one answer. Since one statement service prepares, binds
and runs for every channel, a difference here means a channel grew its own copy of
the lifecycle again.

Where a channel cannot express a fault the row says so (``channels``): the simple
protocol has no parameters (the client writes values into the text), and ADBC's
cancel stops its own gRPC call without asking the server, so the Flight answer to a
cancel is read from the Flight SQL ``CancelFlightInfo`` action that asks the server.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.integration.conftest import DEMO_PASSWORDS, QuiverServer, start_server, stop_server

try:
    import adbc_driver_flightsql.dbapi as flightsql
    import psycopg
    from pyarrow import flight
except ImportError:  # pragma: no cover - QUIVER_STRICT makes this a failure
    flight = None

ROW_LIMIT = 100
TIMEOUT_SECONDS = 3
CANCEL_AFTER = 0.7
# Relations in a join are read at the grain of the columns used: every row, so the product never ends.
LONG = "SELECT sum(a.order_item_id + b.order_item_id + c.order_id) FROM order_items a, order_items b, orders c"
SIMPLE, EXTENDED, FLIGHT = "wire-simple", "wire-extended", "flight-sql"
CHANNELS = (SIMPLE, EXTENDED, FLIGHT)
# The scope a channel needs, named in a 42501 message ("may not query data over sql").
SCOPE = {SIMPLE: "sql", EXTENDED: "sql", FLIGHT: "flight"}


@dataclass(frozen=True)
class Answer:
    sqlstate: str
    message: str
    position: int | None = None


@dataclass(frozen=True)
class Fault:
    name: str
    user: str
    sql: str  # ``%s`` marks a parameter (psycopg's style; Flight SQL gets ``?``)
    expected: Answer
    values: tuple[Any, ...] | None = None
    channels: tuple[str, ...] = CHANNELS
    cancel: bool = False


FAULTS = [
    Fault(
        "syntax error",
        "admin",
        "SELECT order_count FROM orders WHER status = 'x'",
        Answer("42601", 'syntax error at or near "status"', 37),
    ),
    Fault(
        "unknown relation", "admin", "SELECT order_id FROM nosuch", Answer("42P01", 'relation "nosuch" does not exist')
    ),
    Fault("unknown column", "admin", "SELECT nope FROM orders", Answer("42703", 'column "nope" does not exist', 8)),
    Fault(
        "ambiguous column",
        "admin",
        "SELECT status FROM orders a, orders b",
        Answer("42702", 'column reference "status" is ambiguous', 8),
    ),
    Fault(
        "missing parameter",
        "admin",
        "SELECT order_count FROM orders WHERE status = $1",
        Answer("08P01", 'bind message supplies 0 parameters, but prepared statement "" requires 1'),
    ),
    Fault(
        "wrong parameter type",
        "admin",
        "SELECT order_count FROM orders WHERE order_id = %s",
        Answer("22P02", 'invalid input syntax for type int8: "abc"'),
        values=("abc",),
        channels=(EXTENDED, FLIGHT),  # the simple protocol has no parameters: psycopg writes a literal
    ),
    Fault(
        "permission denied",
        "guest",
        "SELECT order_count FROM orders",
        Answer("42501", 'permission denied: user group "default" may not query data over {scope}'),
    ),
    Fault(
        "hidden member",  # net_revenue derives from a column hidden from the EU team
        "eu_analyst",
        "SELECT net_revenue FROM sales",
        Answer("42703", 'column "net_revenue" does not exist', 8),
    ),
    Fault(
        "row limit",
        "admin",
        "SELECT order_id FROM orders",
        Answer("53400", f"query result exceeds the limit of {ROW_LIMIT} rows"),
    ),
    Fault("statement timeout", "admin", LONG, Answer("57014", "canceling statement due to statement timeout")),
    Fault("cancel", "admin", LONG, Answer("57014", "canceling statement due to user request"), cancel=True),
]


@pytest.fixture(scope="module", autouse=True)
def _clients_installed() -> None:
    require(flight is not None, "adbc_driver_flightsql, psycopg and pyarrow.flight are needed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    """A server whose limits every fault row can reach: a small row limit and a short statement timeout."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QUIVER_MAX_RESULT_ROWS", str(ROW_LIMIT))
        patch.setenv("QUIVER_STATEMENT_TIMEOUT", str(TIMEOUT_SECONDS))
        started = start_server(tmp_path_factory.mktemp("faults"), demo_db, "--workers", "1")
    yield started
    stop_server(started)


# -- each channel's answer ----------------------------------------------------------------------------


def _later(seconds: float, action: Callable[[], Any]) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def over_wire(server: QuiverServer, fault: Fault, simple: bool) -> Answer | None:
    with psycopg.connect(server.dsn(fault.user), autocommit=True) as connection:
        cursor = psycopg.ClientCursor(connection) if simple else connection.cursor()
        timer = _later(CANCEL_AFTER, connection.cancel) if fault.cancel else None
        try:
            cursor.execute(fault.sql, fault.values)  # type: ignore[arg-type]
            cursor.fetchall()
        except psycopg.Error as error:
            position = error.diag.statement_position
            return Answer(
                str(error.diag.sqlstate), str(error.diag.message_primary), int(position) if position else None
            )
        finally:
            if timer is not None:
                timer.cancel()
    return None


_STATUS = re.compile(r"^(?P<message>.*) \(SQLSTATE (?P<sqlstate>[0-9A-Z]{5})\)$")
_POSITION = re.compile(r"^POSITION:  (\d+)$", re.MULTILINE)


def _from_status_message(text: str) -> Answer:
    """The answer in a Flight status message: ``message (SQLSTATE x)``, then DETAIL, HINT, POSITION lines."""
    match = _STATUS.match(text.splitlines()[0])
    assert match is not None, text
    position = _POSITION.search(text)
    return Answer(match["sqlstate"], match["message"], int(position.group(1)) if position else None)


def over_adbc(server: QuiverServer, fault: Fault) -> Answer | None:
    """ADBC shows the server's status message (its Flight SQL driver does not pass extra_info on)."""
    connection = flightsql.connect(
        server.flight_location,
        db_kwargs={"username": fault.user, "password": DEMO_PASSWORDS[fault.user]},
        autocommit=True,
    )
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(fault.sql.replace("%s", "?"), fault.values)
            cursor.fetchall()
        except flightsql.Error as error:
            details = dict(getattr(error, "details", None) or [])
            message = details.get("x-arrow-status-message-bin") or details.get(b"x-arrow-status-message-bin")
            assert message is not None, f"no server status in {error!r}"
            return _from_status_message(message.decode() if isinstance(message, bytes) else message)
    finally:
        connection.close()
    return None


def cancelled_over_flight(server: QuiverServer, fault: Fault) -> Answer | None:
    """A Flight SQL client cancels on the server with ``CancelFlightInfo``; the reader gets the server's answer."""
    connection = flight.FlightClient(server.flight_location)
    user, password = fault.user.encode(), DEMO_PASSWORDS[fault.user].encode()
    options = flight.FlightCallOptions(headers=[connection.authenticate_basic_token(user, password)])
    info = connection.get_flight_info(flight.FlightDescriptor.for_command(fault.sql.encode()), options)
    serialized = info.serialize()
    request = b"\x0a" + _varint(len(serialized)) + serialized  # CancelFlightInfoRequest{info}
    timer = _later(
        CANCEL_AFTER, lambda: list(connection.do_action(flight.Action("CancelFlightInfo", request), options))
    )
    try:
        connection.do_get(info.endpoints[0].ticket, options).read_all()
    except flight.FlightError as error:
        extra = json.loads(error.extra_info)
        return Answer(extra["sqlstate"], extra["message"], extra.get("position"))
    finally:
        timer.join()
        connection.close()
    return None


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def answer(server: QuiverServer, fault: Fault, channel: str) -> Answer | None:
    if channel == FLIGHT:
        return cancelled_over_flight(server, fault) if fault.cancel else over_adbc(server, fault)
    return over_wire(server, fault, simple=channel == SIMPLE)


# -- the table ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_the_same_fault_has_the_same_answer_on_every_channel(server: QuiverServer, fault: Fault) -> None:
    answers = {}
    for channel in fault.channels:
        started = time.monotonic()
        answers[channel] = answer(server, fault, channel)
        if fault.cancel or fault.expected.message.endswith("timeout"):
            assert time.monotonic() - started < 30, f"{channel}: the query was not stopped"
    expected = {
        channel: Answer(
            fault.expected.sqlstate, fault.expected.message.format(scope=SCOPE[channel]), fault.expected.position
        )
        for channel in fault.channels
    }
    assert answers == expected

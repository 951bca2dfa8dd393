"""Fuzz of the Arrow Flight service against a real ``quiver serve`` (issue 9): the wire suite's oracle, over gRPC.

Mutated and random command descriptors, path descriptors with odd components,
forged and mutated tickets, actions with garbage bodies and ListFlights criteria
that are not patterns. Every call either succeeds or fails with a Flight error that
names a SQLSTATE, is not an internal error, and shows no traceback or file path;
after the batch the server is alive and a bystander on each channel (a Flight
client and a psycopg connection, both opened before the fuzzing) still counts
20,000 orders. Seeds are fixed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.integration.conftest import DEMO_PASSWORDS, QuiverServer, start_server, stop_server
from tests.support.mutate import mutate_many
from tests.support.oracle import INTERNAL_MESSAGE, leaks

try:
    import psycopg
    import pyarrow as pa
    from pyarrow import flight
except ImportError:  # pragma: no cover - reported by require()
    flight = None  # type: ignore[assignment]

pytestmark = pytest.mark.integration

SEED = 20269
ORDERS = 20_000
CALL_TIMEOUT = 15.0  # seconds any one call may take
LOG_BYTES_PER_CALL = 17 * 1024  # one bounded internal-error entry and a line or two


def _any(type_name: str, value: bytes) -> bytes:
    """A protobuf Any around a Flight SQL command (type_url field 1, value field 2)."""
    url = f"type.googleapis.com/arrow.flight.protocol.sql.{type_name}".encode()
    return b"\x0a" + _varint(len(url)) + url + b"\x12" + _varint(len(value)) + value


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _string_field(number: int, text: bytes) -> bytes:
    return bytes([number << 3 | 2]) + _varint(len(text)) + text


STATEMENT = _any(
    "CommandStatementQuery", _string_field(1, b"SELECT customer_region, order_count FROM sales GROUP BY 1")
)
PREPARE = _string_field(1, b"SELECT count(*) FROM orders WHERE order_id > ?")
ODD_PATHS: list[list[bytes]] = [
    [b"\xff\xfe"],
    [b"orders\x00"],
    [b'or"ders'],
    [b"orders; SELECT 1"],
    [b""],
    [b"orders"] * 64,
    [b"pg_catalog", b"pg_class"],
    [b"information_schema", b"columns", b"x"],
    [b"x" * 70_000],
    [b"\\", b"%", b"_"],
]
ACTIONS = ("CreatePreparedStatement", "ClosePreparedStatement", "CancelFlightInfo", "CancelQuery", "Nope", "")


class FlightFuzz:
    """Calls, each judged by the oracle; problems collected rather than raised, so one run lists them all."""

    def __init__(self, server: QuiverServer) -> None:
        self.server = server
        self.client = flight.FlightClient(server.flight_location)
        token = self.client.authenticate_basic_token(b"admin", DEMO_PASSWORDS["admin"].encode())
        self.options = flight.FlightCallOptions(headers=[token], timeout=CALL_TIMEOUT)
        self.problems: list[str] = []
        self.internal = 0
        self.calls = 0

    def call(self, label: str, function: Callable[[], Any], *, before_handler: bool = False) -> None:
        """Make one call and judge how it failed, if it did.

        ``before_handler``: gRPC itself may refuse the request before Quiver's code runs (a path is a
        protobuf ``string``, and one that is not UTF-8 fails to deserialise), with a bare INTERNAL status
        Quiver cannot shape; then only the absence of internals and the server's health are judged.
        """
        self.calls += 1
        before = self.server.log.stat().st_size
        try:
            function()
        except flight.FlightTimedOutError:
            self.problems.append(f"[{label}] no answer in {CALL_TIMEOUT:.0f} s")
        except flight.FlightInternalError as exc:
            if before_handler:
                self.problems += [f"[{label}] {what} in the error: {str(exc)[:300]!r}" for what in leaks(str(exc))]
            else:
                self.judge(label, exc)
        except flight.FlightError as exc:
            self.judge(label, exc)
        except pa.ArrowException as exc:  # a stream cut short: still a message someone reads
            self.judge(label, exc, need_sqlstate=False)
        grown = self.server.log.stat().st_size - before
        if grown > LOG_BYTES_PER_CALL:
            self.problems.append(f"[{label}] the server log grew by {grown:,} bytes")

    def judge(self, label: str, exc: Exception, need_sqlstate: bool = True) -> None:
        text = str(exc)
        if isinstance(exc, flight.FlightInternalError) or "SQLSTATE XX000" in text:
            self.internal += 1
            shape = "" if INTERNAL_MESSAGE.search(text) else " (and more than a request id)"
            self.problems.append(f"[{label}] internal error{shape}: {text[:200]!r}")
        if need_sqlstate and "SQLSTATE" not in text and not isinstance(exc, flight.FlightUnauthenticatedError):
            self.problems.append(f"[{label}] error without a SQLSTATE: {text[:200]!r}")
        self.problems += [f"[{label}] {what} in the error: {text[:300]!r}" for what in leaks(text)]

    def read(self, ticket: bytes) -> None:
        self.client.do_get(flight.Ticket(ticket), self.options).read_all()

    def info(self, descriptor: flight.FlightDescriptor) -> None:
        self.client.get_flight_info(descriptor, self.options)

    def action(self, kind: str, body: bytes) -> None:
        list(self.client.do_action(flight.Action(kind, body), self.options))

    def count_orders(self) -> int:
        descriptor = flight.FlightDescriptor.for_command(b"SELECT count(*) AS n FROM orders")
        info = self.client.get_flight_info(descriptor, self.options)
        table = self.client.do_get(info.endpoints[0].ticket, self.options).read_all()
        return int(table.column(0)[0].as_py())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    require(flight is not None, "pyarrow.flight and psycopg are needed")
    quiver = start_server(tmp_path_factory.mktemp("fuzz_flight"), demo_db, "--workers", "1")
    yield quiver
    stop_server(quiver)


def test_flight_fuzz(server: QuiverServer) -> None:
    rng = random.Random(f"{SEED}-flight")
    fuzz = FlightFuzz(server)
    bystander_flight = FlightFuzz(server)
    with psycopg.connect(server.dsn("analyst"), autocommit=True) as bystander_wire:
        assert bystander_flight.count_orders() == ORDERS
        real = server_ticket(fuzz)

        for index in range(25):
            data = rng.randbytes(rng.randint(0, 200)) if index % 5 == 4 else mutate_many(rng, STATEMENT)
            descriptor = flight.FlightDescriptor.for_command(data)
            fuzz.call(f"command #{index}", lambda d=descriptor: fuzz.info(d))
            if index % 3 == 0:
                fuzz.call(f"schema #{index}", lambda d=descriptor: fuzz.client.get_schema(d, fuzz.options))
        for path in ODD_PATHS:
            descriptor = flight.FlightDescriptor.for_path(*path)
            not_utf8 = any(not _is_utf8(part) for part in path)
            label = f"path {path[0][:20]!r} x{len(path)}"
            fuzz.call(label, lambda d=descriptor: fuzz.info(d), before_handler=not_utf8)
        for index in range(25):
            ticket = rng.randbytes(rng.randint(0, 120)) if index % 5 == 4 else mutate_many(rng, real)
            fuzz.call(f"ticket #{index}", lambda t=ticket: fuzz.read(t))
        fuzz.call("empty ticket", lambda: fuzz.read(b""))
        fuzz.call("ticket of invalid UTF-8", lambda: fuzz.read(b"SELECT '\xff\xfe'"))
        for index in range(24):
            kind = ACTIONS[index % len(ACTIONS)]
            body = mutate_many(rng, PREPARE) if index % 2 else rng.randbytes(rng.randint(0, 64))
            fuzz.call(f"action {kind!r} #{index}", lambda k=kind, b=body: fuzz.action(k, b))
        for index in range(8):
            criteria = rng.randbytes(rng.randint(1, 40)) if index % 2 else rng.choice((b"%", b"_" * 500, b"[", b"\\"))
            fuzz.call(f"list_flights #{index}", lambda c=criteria: list(fuzz.client.list_flights(c, fuzz.options)))

        assert server.process.poll() is None, "the server exited during the Flight fuzzing"
        assert bystander_flight.count_orders() == ORDERS
        assert bystander_wire.execute("SELECT count(*) FROM orders").fetchone() == (ORDERS,)
        assert fuzz.count_orders() == ORDERS  # the fuzzing client itself is still served
    assert fuzz.calls > 100
    assert fuzz.problems == [], f"{len(fuzz.problems)} problem(s), {fuzz.internal} internal error(s):\n" + "\n".join(
        fuzz.problems[:60]
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def server_ticket(fuzz: FlightFuzz) -> bytes:
    """A ticket the server issued for a real statement: the seed its mutations start from."""
    info = fuzz.client.get_flight_info(flight.FlightDescriptor.for_command(STATEMENT), fuzz.options)
    return bytes(info.endpoints[0].ticket.ticket)

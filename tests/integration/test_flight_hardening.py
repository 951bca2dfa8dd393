"""The Flight channel against hostile and careless clients (issue 9), on a real ``quiver serve``.

Handles belong to the identity that got them: a statement ticket is signed, expires and
runs only for its owner; a cancel reaches only the caller's own queries; prepared
statements answer only their creator. Server state is bounded (prepared statements per
user, no registry left behind by an abandoned stream). No error, on any RPC, shows a
traceback, a file path or engine SQL. A disconnecting client and the statement timeout
stop the engine query within about a second.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tests.conftest import require
from tests.integration.conftest import DEMO_PASSWORDS, ROOT, QuiverServer, start_server, stop_server

try:
    from pyarrow import flight

    from server.protocol.flight import messages as pb
    from server.protocol.flight.service import pack, unpack
except ImportError:  # pragma: no cover - QUIVER_STRICT makes this a failure
    flight = None

# Relations in a join are read at the grain of the columns used: every row, so this never ends.
LONG = "SELECT sum(a.order_item_id + b.order_item_id + c.order_id) AS total FROM order_items a, order_items b, orders c"
COUNT = "SELECT count(*) AS n FROM orders"
PREPARED_SQL = "SELECT status, count(*) AS n FROM orders WHERE status = ? GROUP BY 1"
INTERNALS = re.compile(r'Traceback|File "|\.pyx?\b|/work/|/home/|site-packages|__quiver|raw\.', re.IGNORECASE)


@pytest.fixture(scope="module", autouse=True)
def _clients() -> None:
    require(flight is not None, "pyarrow.flight is needed")


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    """A server with short tickets, few prepared statements per user and a 1 s statement timeout."""
    settings = {
        "QUIVER_FLIGHT_TICKET_LIFETIME": "2",
        "QUIVER_FLIGHT_MAX_PREPARED": "4",
        "QUIVER_STATEMENT_TIMEOUT": "1",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in settings.items():
            patch.setenv(name, value)
        server = start_server(tmp_path_factory.mktemp("limited"), demo_db, "--workers", "1")
    yield server
    stop_server(server)


def client(server: QuiverServer, user: str) -> tuple[Any, Any]:
    connection = flight.FlightClient(server.flight_location)
    token = connection.authenticate_basic_token(user.encode(), DEMO_PASSWORDS[user].encode())
    return connection, flight.FlightCallOptions(headers=[token])


def sqlstate(error: Any) -> str:
    return json.loads(error.extra_info)["sqlstate"]


def info_for(server: QuiverServer, user: str, sql: str) -> Any:
    connection, options = client(server, user)
    return connection.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)


def read(server: QuiverServer, user: str, ticket: Any) -> pa.Table:
    connection, options = client(server, user)
    return connection.do_get(ticket, options).read_all()


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def cancel(server: QuiverServer, user: str, info: Any) -> bytes:
    """CancelFlightInfo as ``user`` (``CancelFlightInfoRequest{info}``); the result's bytes."""
    connection, options = client(server, user)
    serialized = info.serialize()
    request = b"\x0a" + _varint(len(serialized)) + serialized
    (result,) = list(connection.do_action(flight.Action("CancelFlightInfo", request), options))
    return result.body.to_pybytes()


def info_with_ticket(ticket: bytes) -> Any:
    """A FlightInfo a client builds itself around ``ticket`` (as a cancelling attacker would)."""
    endpoint = flight.FlightEndpoint(flight.Ticket(ticket), [])
    schema = pa.schema([("total", pa.int64())])
    return flight.FlightInfo(schema, flight.FlightDescriptor.for_command(b"x"), [endpoint], -1, -1)


class Reader:
    """A DoGet read in a thread: how it ended and after how long."""

    def __init__(self, server: QuiverServer, user: str, ticket: Any) -> None:
        self.outcome: Any = None
        self.seconds = 0.0
        self.thread = threading.Thread(target=self._run, args=(server, user, ticket), daemon=True)
        self.thread.start()

    def _run(self, server: QuiverServer, user: str, ticket: Any) -> None:
        started = time.monotonic()
        try:
            read(server, user, ticket)
            self.outcome = "finished"
        except flight.FlightError as exc:
            self.outcome = exc
        self.seconds = time.monotonic() - started


# -- 1. ownership of tickets and cancels ----------------------------------------------------------------


def test_another_user_cannot_cancel_a_running_stream(quiver_server: QuiverServer) -> None:
    """guest (catalog only) holds admin's FlightInfo, or rebuilds its ticket: admin's stream keeps going."""
    info = info_for(quiver_server, "admin", LONG)
    reader = Reader(quiver_server, "admin", info.endpoints[0].ticket)
    try:
        time.sleep(1.0)
        attempts = [
            info,  # admin's own FlightInfo, leaked
            info_with_ticket(pack(pb.TicketStatementQuery(statement_handle=LONG.encode()))),  # a rebuilt ticket
            info_with_ticket(LONG.encode()),  # the plain Flight form of the same statement
        ]
        for attempt in attempts:
            try:
                result = cancel(quiver_server, "guest", attempt)
            except flight.FlightError as exc:
                assert sqlstate(exc) in ("42501", "28000"), exc
            else:
                assert result != b"\x08\x01", "guest cancelled admin's query"
        time.sleep(1.5)
        assert reader.thread.is_alive() and reader.outcome is None, reader.outcome
    finally:
        assert cancel(quiver_server, "admin", info) == b"\x08\x01"  # the owner may
        reader.thread.join(30)
    assert isinstance(reader.outcome, flight.FlightCancelledError), reader.outcome
    assert sqlstate(reader.outcome) == "57014"


def test_a_ticket_runs_only_for_the_user_it_was_issued_to(quiver_server: QuiverServer) -> None:
    info = info_for(quiver_server, "admin", COUNT)
    ticket = info.endpoints[0].ticket
    with pytest.raises(flight.FlightUnauthorizedError) as caught:
        read(quiver_server, "analyst", ticket)
    assert sqlstate(caught.value) == "42501"
    assert "another user" in str(caught.value)
    assert read(quiver_server, "admin", ticket).column("n").to_pylist()[0] > 0


def test_list_flights_tickets_belong_to_the_lister(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "eu_analyst")
    (customers,) = [i for i in connection.list_flights(options=options) if i.descriptor.path == [b"customers"]]
    ticket = customers.endpoints[0].ticket
    assert set(read(quiver_server, "eu_analyst", ticket).column("region").to_pylist()) == {"EU"}
    with pytest.raises(flight.FlightUnauthorizedError) as caught:
        read(quiver_server, "admin", ticket)
    assert sqlstate(caught.value) == "42501"


def test_a_tampered_ticket_is_refused_never_run(quiver_server: QuiverServer) -> None:
    ticket = info_for(quiver_server, "admin", COUNT).endpoints[0].ticket.ticket
    handle = unpack(ticket).statement_handle  # type: ignore[union-attr]
    variants = {
        "last byte flipped": ticket[:-1] + bytes([ticket[-1] ^ 0x01]),
        "sql swapped": pack(pb.TicketStatementQuery(statement_handle=handle.replace(b"orders", b"sales "))),
        "truncated": pack(pb.TicketStatementQuery(statement_handle=handle[:-5])),
        "bare sql": pack(pb.TicketStatementQuery(statement_handle=COUNT.encode())),
    }
    for name, forged in variants.items():
        assert forged != ticket
        with pytest.raises(flight.FlightUnauthenticatedError) as caught:
            read(quiver_server, "admin", flight.Ticket(forged))
        assert sqlstate(caught.value) == "28000", name
        assert "ticket" in str(caught.value), name


def test_an_expired_ticket_is_refused(limited_server: QuiverServer) -> None:
    info = info_for(limited_server, "admin", COUNT)
    assert read(limited_server, "admin", info.endpoints[0].ticket).num_rows == 1
    time.sleep(2.5)
    with pytest.raises(flight.FlightUnauthenticatedError) as caught:
        read(limited_server, "admin", info.endpoints[0].ticket)
    assert sqlstate(caught.value) == "28000"
    assert "expired" in str(caught.value)


def create_prepared(connection: Any, options: Any, sql: str = PREPARED_SQL) -> bytes:
    request = pack(pb.ActionCreatePreparedStatementRequest(query=sql))
    (result,) = list(connection.do_action(flight.Action("CreatePreparedStatement", request), options))
    message = unpack(result.body.to_pybytes())
    return message.prepared_statement_handle  # type: ignore[union-attr]


def close_prepared(connection: Any, options: Any, handle: bytes) -> None:
    request = pack(pb.ActionClosePreparedStatementRequest(prepared_statement_handle=handle))
    list(connection.do_action(flight.Action("ClosePreparedStatement", request), options))


def bind_and_read(connection: Any, options: Any, handle: bytes, status: str) -> pa.Table:
    command = pack(pb.CommandPreparedStatementQuery(prepared_statement_handle=handle))
    descriptor = flight.FlightDescriptor.for_command(command)
    writer, _ = connection.do_put(descriptor, pa.schema([("$1", pa.utf8())]), options)
    writer.write_batch(pa.record_batch([pa.array([status])], names=["$1"]))
    writer.close()
    info = connection.get_flight_info(descriptor, options)
    return connection.do_get(info.endpoints[0].ticket, options).read_all()


def test_prepared_statements_answer_only_their_creator(quiver_server: QuiverServer) -> None:
    admin, admin_options = client(quiver_server, "admin")
    other, other_options = client(quiver_server, "analyst")
    handle = create_prepared(admin, admin_options)
    try:
        command = pack(pb.CommandPreparedStatementQuery(prepared_statement_handle=handle))
        descriptor = flight.FlightDescriptor.for_command(command)
        attempts: list[Callable[[], Any]] = [
            lambda: other.get_flight_info(descriptor, other_options),
            lambda: other.do_get(flight.Ticket(command), other_options).read_all(),
            lambda: bind_and_read(other, other_options, handle, "shipped"),
        ]
        for attempt in attempts:
            with pytest.raises(flight.FlightError) as caught:
                attempt()
            assert sqlstate(caught.value) == "26000", caught.value
        close_prepared(other, other_options, handle)  # another user's close does nothing
        assert bind_and_read(admin, admin_options, handle, "shipped").column("status").to_pylist() == ["shipped"]
    finally:
        close_prepared(admin, admin_options, handle)
    with pytest.raises(flight.FlightError) as caught:
        bind_and_read(admin, admin_options, handle, "shipped")
    assert sqlstate(caught.value) == "26000"


# -- 2. bounded state -----------------------------------------------------------------------------------


def test_prepared_statements_per_user_are_capped(limited_server: QuiverServer) -> None:
    admin, options = client(limited_server, "admin")
    handles = [create_prepared(admin, options) for _ in range(4)]
    with pytest.raises(flight.FlightServerError) as caught:
        create_prepared(admin, options)
    assert sqlstate(caught.value) == "53400"
    assert "QUIVER_FLIGHT_MAX_PREPARED" in str(caught.value)
    analyst, analyst_options = client(limited_server, "analyst")
    close_prepared(analyst, analyst_options, create_prepared(analyst, analyst_options))  # per user
    close_prepared(admin, options, handles.pop())
    handles.append(create_prepared(admin, options))  # a closed one frees its slot
    assert bind_and_read(admin, options, handles[-1], "shipped").num_rows == 1
    for handle in handles:
        close_prepared(admin, options, handle)


def _listening_pid(server: QuiverServer, port: int) -> int:
    """The child process of ``quiver serve`` listening on ``port`` (the Flight process)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != server.process.pid:
                continue
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:
            continue
    raise AssertionError(f"no process listens on {port}")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_three_thousand_unclosed_prepared_statements_do_not_grow_memory(quiver_server: QuiverServer) -> None:
    pid = _listening_pid(quiver_server, quiver_server.flight_port)
    admin, options = client(quiver_server, "admin")
    for _ in range(3):  # warm the plan cache and the allocator
        close_prepared(admin, options, create_prepared(admin, options))
    before = _rss_mib(pid)
    handles, refused = [], 0
    for _ in range(3000):
        try:
            handles.append(create_prepared(admin, options))
        except flight.FlightServerError as exc:
            assert sqlstate(exc) == "53400"
            refused += 1
    grown = _rss_mib(pid) - before
    for handle in handles:
        close_prepared(admin, options, handle)
    assert len(handles) == 64 and refused == 3000 - 64
    assert grown < 12, f"the Flight process grew by {grown:.1f} MiB"
    handle = create_prepared(admin, options)  # closing freed every slot
    close_prepared(admin, options, handle)


def test_abandoned_streams_leave_no_running_query_behind(quiver_server: QuiverServer) -> None:
    """Streams started and dropped without reading: a later cancel of their tickets finds nothing running."""
    admin, options = client(quiver_server, "admin")
    info = admin.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT order_id FROM orders"), options)
    for _ in range(20):
        reader = admin.do_get(info.endpoints[0].ticket, options)
        reader.cancel()
    time.sleep(0.5)
    assert cancel(quiver_server, "admin", info) == b"\x08\x03"  # CANCEL_STATUS_NOT_CANCELLABLE: none left


# -- 3. no internals in any error -----------------------------------------------------------------------


def _no_internals(error: BaseException) -> None:
    text = f"{error} {getattr(error, 'extra_info', b'')!r}"
    assert not INTERNALS.search(text), text
    if isinstance(error, flight.FlightInternalError):
        assert re.search(r"internal error \(request id [0-9a-f]{12}\)", str(error)), error


def test_no_rpc_shows_a_traceback_or_a_path(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "admin")
    command = flight.FlightDescriptor.for_command(b"SELECT 1 AS x")
    calls: dict[str, Callable[[], Any]] = {
        "DoExchange": lambda: _exchange(connection, options, command),
        "DoPut to a statement": lambda: _put(connection, options, command),
        "DoPut garbage": lambda: _put(connection, options, flight.FlightDescriptor.for_command(b"\x00\xff")),
        "unknown action": lambda: list(connection.do_action(flight.Action("Nope", b""), options)),
        "CancelFlightInfo garbage": lambda: list(
            connection.do_action(flight.Action("CancelFlightInfo", b"\x0a\x03abc"), options)
        ),
        "ListFlights not UTF-8": lambda: list(connection.list_flights(b"\xff\xfe", options)),
        "huge path": lambda: connection.get_flight_info(flight.FlightDescriptor.for_path("x" * 200_000), options),
        "engine error": lambda: connection.do_get(
            connection.get_flight_info(
                flight.FlightDescriptor.for_command(b"SELECT CAST('x' || status AS INTEGER) AS n FROM orders"),
                options,
            )
            .endpoints[0]
            .ticket,
            options,
        ).read_all(),
    }
    for name, call in calls.items():
        with pytest.raises((flight.FlightError, pa.ArrowException)) as caught:
            call()
        assert isinstance(caught.value, flight.FlightError), f"{name}: {caught.value!r}"
        _no_internals(caught.value)
        assert "SQLSTATE" in str(caught.value), f"{name}: {caught.value}"
    assert connection.do_get(connection.get_flight_info(command, options).endpoints[0].ticket, options).read_all()


def test_get_schema_errors_carry_no_traceback(quiver_server: QuiverServer) -> None:
    """pyarrow converts no FlightError raised in GetSchema: it appended the handler's traceback."""
    connection, options = client(quiver_server, "admin")
    for command, state in (
        (b"SELECT no_such_column FROM orders", "42703"),
        (b"SELECT 1 +", "42601"),
        (b"\xff\xfe", "22021"),
        (pack(pb.CommandStatementUpdate(query="DELETE FROM orders")), "25006"),
    ):
        with pytest.raises(pa.ArrowException) as caught:  # GetSchema's client raises plain Arrow errors
            connection.get_schema(flight.FlightDescriptor.for_command(command), options)
        assert not INTERNALS.search(str(caught.value)), caught.value
        assert f"(SQLSTATE {state})" in str(caught.value)
    schema = connection.get_schema(flight.FlightDescriptor.for_command(b"SELECT 1 AS one"), options).schema
    assert schema.names == ["one"]


def _exchange(connection: Any, options: Any, descriptor: Any) -> None:
    connection.do_exchange(descriptor, options)[1].read_all()


def _put(connection: Any, options: Any, descriptor: Any) -> None:
    writer, _ = connection.do_put(descriptor, pa.schema([("a", pa.int64())]), options)
    writer.write_batch(pa.record_batch([pa.array([1])], names=["a"]))
    writer.close()


def test_do_exchange_is_refused_as_unsupported(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "admin")
    with pytest.raises(flight.FlightError) as caught:
        connection.do_exchange(flight.FlightDescriptor.for_command(b"x"), options)[1].read_all()
    assert sqlstate(caught.value) == "0A000"


# -- 4. ListFlights patterns ----------------------------------------------------------------------------


def test_a_huge_list_flights_pattern_is_refused_at_once(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "admin")
    started = time.monotonic()
    with pytest.raises(flight.FlightServerError) as caught:
        list(connection.list_flights(b"%" + b"a%" * 500_000, options))
    assert time.monotonic() - started < 2.0  # was 8.6 s (19 s on a busy machine), compiling a 1 MB regex
    assert sqlstate(caught.value) == "54000"
    assert "1024" in str(caught.value).replace(",", "")


def test_a_long_pathological_pattern_matches_in_linear_time(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "admin")
    pattern = ("%_" * 511).encode() + b"x"  # 1,023 bytes: at the limit, and a backtracking regex's worst case
    started = time.monotonic()
    assert list(connection.list_flights(pattern, options)) == []
    assert time.monotonic() - started < 2.0
    assert [i.descriptor.path for i in connection.list_flights(b"%\\_items", options)] == [[b"order_items"]]


# -- 5. path descriptors --------------------------------------------------------------------------------


def test_a_non_utf8_path_is_refused_cleanly_and_the_server_stays_up(quiver_server: QuiverServer) -> None:
    """A path is a protobuf ``string``: gRPC refuses one that is not UTF-8 before any handler runs.

    So Quiver cannot answer it with 22021 (its path decoding does, see the unit tests);
    what it can hold is that the refusal carries nothing internal and the server goes on.
    """
    connection, options = client(quiver_server, "admin")
    for call in (connection.get_flight_info, connection.get_schema):
        with pytest.raises((flight.FlightError, OSError)) as caught:  # GetSchema: a bare OSError
            call(flight.FlightDescriptor.for_path(b"ord\xffers"), options)
        assert not INTERNALS.search(str(caught.value)), caught.value
    info = connection.get_flight_info(flight.FlightDescriptor.for_path("products"), options)
    assert connection.do_get(info.endpoints[0].ticket, options).read_all().num_rows > 1


@pytest.mark.parametrize(
    "path",
    ['products" LIMIT 1 --', "products; SELECT 1", 'products" AS p WHERE false --', "main.products", ""],
)
def test_a_path_is_one_quoted_identifier(quiver_server: QuiverServer, path: str) -> None:
    connection, options = client(quiver_server, "admin")
    with pytest.raises(flight.FlightServerError) as caught:
        connection.get_flight_info(flight.FlightDescriptor.for_path(path), options)
    assert sqlstate(caught.value) in ("42P01", "22023"), caught.value


def test_a_path_naming_a_relation_still_reads_it(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "analyst")
    info = connection.get_flight_info(flight.FlightDescriptor.for_path("products"), options)
    table = connection.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.num_rows > 1 and table.schema.names[0] == "product_id"


# -- 6. disconnects and timeouts stop the engine --------------------------------------------------------

_DISCONNECTING_CLIENT = textwrap.dedent(
    """
    import sys
    from pyarrow import flight
    location, user, password, ticket = sys.argv[1], sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4])
    connection = flight.FlightClient(location)
    options = flight.FlightCallOptions(headers=[connection.authenticate_basic_token(user, password)])
    print("reading", flush=True)
    connection.do_get(flight.Ticket(ticket), options).read_all()
    """
)


def _audit_records(server: QuiverServer, start: int) -> list[dict[str, Any]]:
    assert server.audit_log is not None
    return [json.loads(line) for line in server.audit_log.read_text().splitlines()[start:]]


def test_a_disconnecting_client_stops_its_engine_query_within_a_second(quiver_server: QuiverServer) -> None:
    assert quiver_server.audit_log is not None
    info = info_for(quiver_server, "analyst", LONG)
    before = len(quiver_server.audit_log.read_text().splitlines())
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _DISCONNECTING_CLIENT,
            quiver_server.flight_location,
            "analyst",
            DEMO_PASSWORDS["analyst"],
            info.endpoints[0].ticket.ticket.hex(),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == b"reading\n"
        time.sleep(1.5)  # the engine is computing (no batch yet)
        assert not _ended(quiver_server, before)
        process.kill()
        process.wait(10)
        killed = time.monotonic()
        while time.monotonic() - killed < 10 and not _ended(quiver_server, before):
            time.sleep(0.05)
        stopped_after = time.monotonic() - killed
        assert _ended(quiver_server, before), "the engine query is still running"
        assert stopped_after < 1.5, f"stopped {stopped_after:.2f} s after the client went away"
    finally:
        process.kill()
        cancel(quiver_server, "analyst", info)  # on a server that kept computing: stop it for the next tests


def _ended(server: QuiverServer, start: int) -> list[dict[str, Any]]:
    return [
        r
        for r in _audit_records(server, start)
        if r["user"] == "analyst" and r["channel"] == "flight" and set(r["relations"]) >= {"order_items", "orders"}
    ]


def test_the_statement_timeout_stops_a_flight_query_within_a_second(limited_server: QuiverServer) -> None:
    info = info_for(limited_server, "admin", LONG)
    started = time.monotonic()
    with pytest.raises(flight.FlightTimedOutError) as caught:
        read(limited_server, "admin", info.endpoints[0].ticket)
    assert time.monotonic() - started < 2.5
    assert sqlstate(caught.value) == "57014"
    assert "statement timeout" in str(caught.value)

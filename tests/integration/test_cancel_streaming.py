"""Cancel and the statement timeout stop a statement that is already streaming rows (issue 11).

A CancelRequest that arrived while the backend was sending DataRows once went unanswered
for 50 s. Here a statement that would stream for ever (a cross join of every order item
with every order item) is stopped after its first rows arrived, by a cancel and by the
statement timeout, over the wire (psycopg, asyncpg) and over Flight SQL; the client sees
57014 (CANCELLED on Flight) within one second, and the same connection answers ``SELECT 1``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.integration.conftest import DEMO_PASSWORDS, QuiverServer, start_server, stop_server

try:
    import asyncpg
    import psycopg
    from pyarrow import flight
except ImportError:  # pragma: no cover - QUIVER_STRICT makes this a failure
    psycopg = None

# Read at the grain of the columns used: every order item with every order item, billions of rows.
STREAMING = "SELECT a.order_item_id AS x, b.order_item_id AS y FROM order_items a, order_items b"
FIRST_ROWS = 5_000  # rows read before the cancel: the statement is streaming by then
WITHIN = 1.0  # seconds from the cancel (or the timeout) to the error


@pytest.fixture(scope="module", autouse=True)
def _clients() -> None:
    require(psycopg is not None, "psycopg, asyncpg and pyarrow.flight are needed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    """A server whose own statement timeout ends a cancel that never arrives (a failure, not a hang)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QUIVER_STATEMENT_TIMEOUT", "20")
        started = start_server(tmp_path_factory.mktemp("cancel-streaming"), demo_db, "--workers", "1")
    yield started
    stop_server(started)


def _select_one_still_works(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchall() == [(1,)]


# -- the wire, psycopg ----------------------------------------------------------------------------


def test_a_cancel_stops_a_statement_streaming_rows_within_a_second(server: QuiverServer) -> None:
    with psycopg.connect(server.dsn(), autocommit=True) as connection:
        rows = connection.cursor().stream(STREAMING)
        for count, _ in enumerate(rows, 1):
            if count >= FIRST_ROWS:
                break
        cancelled = time.monotonic()
        threading.Thread(target=connection.cancel).start()  # from another thread, as a client's UI would
        with pytest.raises(psycopg.errors.QueryCanceled) as caught:
            for _ in rows:
                pass
        assert time.monotonic() - cancelled < WITHIN
        assert caught.value.diag.message_primary == "canceling statement due to user request"
        _select_one_still_works(connection)


def test_a_cancel_reaches_a_statement_waiting_on_a_slow_client(server: QuiverServer) -> None:
    """The client stops reading (the server waits for the socket), cancels, then reads on."""
    with psycopg.connect(server.dsn(), autocommit=True) as connection:
        rows = connection.cursor().stream(STREAMING)
        for count, _ in enumerate(rows, 1):
            if count >= FIRST_ROWS:
                break
        time.sleep(2.0)  # the socket's buffers fill up: the server is blocked writing
        cancelled = time.monotonic()
        connection.cancel()
        with pytest.raises(psycopg.errors.QueryCanceled) as caught:
            for _ in rows:
                pass
        assert time.monotonic() - cancelled < WITHIN
        assert caught.value.diag.message_primary == "canceling statement due to user request"
        _select_one_still_works(connection)


def test_the_statement_timeout_stops_a_streaming_statement(server: QuiverServer) -> None:
    with psycopg.connect(server.dsn(), autocommit=True) as connection:
        _select_one_still_works(connection)
        connection.execute("SET statement_timeout = '1s'")  # mid-session
        started = time.monotonic()
        rows = connection.cursor().stream(STREAMING)
        with pytest.raises(psycopg.errors.QueryCanceled) as caught:
            for _ in rows:
                pass
        elapsed = time.monotonic() - started
        assert 1.0 <= elapsed < 1.0 + WITHIN
        assert caught.value.diag.message_primary == "canceling statement due to statement timeout"
        connection.execute("SET statement_timeout = 0")
        _select_one_still_works(connection)


def test_a_cancel_stops_a_streaming_extended_protocol_portal(server: QuiverServer) -> None:
    """A bound (extended protocol) statement read whole by the client, cancelled from another thread."""
    with psycopg.connect(server.dsn(), autocommit=True) as connection:
        timer = threading.Timer(0.7, connection.cancel)
        cursor = connection.cursor()
        timer.start()
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            cursor.execute(STREAMING + " WHERE a.order_item_id > %s", (0,))
        timer.join()
        assert time.monotonic() - started < 0.7 + WITHIN
        _select_one_still_works(connection)


# -- the wire, asyncpg ----------------------------------------------------------------------------


def test_asyncpg_cancels_a_streaming_statement(server: QuiverServer) -> None:
    async def run() -> tuple[float, int]:
        connection = await asyncpg.connect(
            host=server.host, port=server.port, user="admin", password=DEMO_PASSWORDS["admin"], database="quiver"
        )
        try:
            task = asyncio.ensure_future(connection.fetch(STREAMING))
            await asyncio.sleep(0.7)  # rows are on their way
            cancelled = time.monotonic()
            task.cancel()  # asyncpg sends a CancelRequest and waits for ReadyForQuery
            with pytest.raises(asyncio.CancelledError):
                await task
            elapsed = time.monotonic() - cancelled
            return elapsed, await connection.fetchval("SELECT 1")
        finally:
            await connection.close()

    elapsed, one = asyncio.run(run())
    assert elapsed < WITHIN
    assert one == 1


# -- Flight SQL ------------------------------------------------------------------------------------


def _flight(server: QuiverServer) -> tuple[Any, Any]:
    connection = flight.FlightClient(server.flight_location)
    token = connection.authenticate_basic_token(b"admin", DEMO_PASSWORDS["admin"].encode())
    return connection, flight.FlightCallOptions(headers=[token])


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def test_cancel_flight_info_stops_a_streaming_do_get(server: QuiverServer) -> None:
    connection, options = _flight(server)
    try:
        info = connection.get_flight_info(flight.FlightDescriptor.for_command(STREAMING.encode()), options)
        reader = connection.do_get(info.endpoints[0].ticket, options)
        received = 0
        while received < FIRST_ROWS:
            received += reader.read_chunk().data.num_rows
        serialized = info.serialize()
        request = b"\x0a" + _varint(len(serialized)) + serialized  # CancelFlightInfoRequest{info}
        cancelled = time.monotonic()
        (result,) = list(connection.do_action(flight.Action("CancelFlightInfo", request), options))
        assert result.body.to_pybytes() == b"\x08\x01"  # CANCEL_STATUS_CANCELLED
        with pytest.raises(flight.FlightCancelledError) as caught:
            while True:
                reader.read_chunk()
        assert time.monotonic() - cancelled < WITHIN
        extra = json.loads(caught.value.extra_info)
        assert (extra["sqlstate"], extra["message"]) == ("57014", "canceling statement due to user request")
        # The same client runs the next statement.
        again = connection.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT 1 AS one"), options)
        table = connection.do_get(again.endpoints[0].ticket, options).read_all()
        assert table.column("one").to_pylist() == [1]
    finally:
        connection.close()

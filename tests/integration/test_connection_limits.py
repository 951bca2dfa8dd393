"""Connections that never finish authenticating are bounded: a deadline, a cap per worker and per address.

Each test talks raw bytes to a real ``quiver serve`` (one worker, so the
per-worker caps are the server's caps), the way a slow or hostile client would:
connect and say nothing, send half a start-up packet, stall inside SCRAM.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.integration.conftest import QuiverServer, start_server, stop_server
from tests.unit.protocol.pgclient import Reply, ScramClient, parse_replies, startup

pytestmark = pytest.mark.integration

AUTH_TIMEOUT = 3.0
PER_WORKER = 6
PER_ADDRESS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QUIVER_AUTH_TIMEOUT", str(AUTH_TIMEOUT))
        patch.setenv("QUIVER_MAX_UNAUTHENTICATED", str(PER_WORKER))
        patch.setenv("QUIVER_MAX_UNAUTHENTICATED_PER_ADDRESS", str(PER_ADDRESS))
        running = start_server(tmp_path_factory.mktemp("limits"), demo_db, "--workers", "1")
    yield running
    stop_server(running)


def connect(server: QuiverServer, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect((server.host, server.port))
    return sock


def read_until_closed(sock: socket.socket, timeout: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started = time.monotonic()
    sock.settimeout(timeout)
    data = bytearray()
    with contextlib.suppress(ConnectionResetError):
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return bytes(data), time.monotonic() - started


def only_error(data: bytes) -> dict[str, str]:
    replies = [r for r in parse_replies(data) if r.kind != "R"]
    assert [r.kind for r in replies] == ["E"], replies
    return replies[0].fields()


def settle() -> None:
    """Give the server a moment to accept (and count) every socket just opened."""
    time.sleep(0.3)


def test_a_silent_connection_is_closed_at_the_authentication_deadline(server: QuiverServer) -> None:
    with connect(server) as sock:
        data, took = read_until_closed(sock, AUTH_TIMEOUT + 5)
    fields = only_error(data)
    assert (fields["S"], fields["C"], fields["M"]) == ("FATAL", "57014", "canceling authentication due to timeout")
    assert AUTH_TIMEOUT - 0.5 <= took <= AUTH_TIMEOUT + 2.5


def test_a_stalled_scram_exchange_is_closed_at_the_deadline(server: QuiverServer) -> None:
    with connect(server) as sock:
        started = time.monotonic()
        sock.sendall(startup(user="admin", database="quiver"))
        scram = ScramClient("admin", "admin-pass")
        sock.sendall(scram.first()[:7])  # half of the SASLInitialResponse, then silence
        data, _ = read_until_closed(sock, AUTH_TIMEOUT + 5)
        took = time.monotonic() - started
    replies: list[Reply] = parse_replies(data)
    assert replies[0].kind == "R"  # the SASL offer came, then nothing but the deadline
    fields = only_error(data)
    assert (fields["S"], fields["C"]) == ("FATAL", "57014")
    assert took <= AUTH_TIMEOUT + 2.5


def test_unauthenticated_connections_are_capped_per_address(server: QuiverServer) -> None:
    silent = [connect(server) for _ in range(PER_ADDRESS)]
    try:
        settle()
        with connect(server) as extra:
            data, took = read_until_closed(extra, 2)
        fields = only_error(data)
        assert (fields["S"], fields["C"], fields["M"]) == ("FATAL", "53300", "sorry, too many clients already")
        assert took < 1.0  # refused at once, not at the deadline
        with pytest.raises(psycopg.OperationalError, match="too many clients"):
            psycopg.connect(server.dsn() + " sslmode=disable", connect_timeout=5)
        # libpq does not show an error that comes before the SSL exchange (it cannot be authenticated).
        with pytest.raises(psycopg.OperationalError, match="error response during SSL exchange"):
            psycopg.connect(server.dsn() + " sslmode=prefer", connect_timeout=5)
    finally:
        for sock in silent:
            sock.close()
    time.sleep(0.3)
    with psycopg.connect(server.dsn(), connect_timeout=5) as conn:  # room again once they left
        assert conn.execute("SELECT order_count FROM orders").fetchone() == (20000,)


def test_unauthenticated_connections_are_capped_per_worker(server: QuiverServer) -> None:
    sources = ["127.0.0.2", "127.0.0.3"]
    silent = [connect(server, source) for source in sources for _ in range(PER_ADDRESS)]
    try:
        settle()
        with connect(server, "127.0.0.4") as extra:
            data, took = read_until_closed(extra, 2)
        fields = only_error(data)
        assert (fields["C"], fields["M"]) == ("53300", "sorry, too many clients already")
        assert took < 1.0
    finally:
        for sock in silent:
            sock.close()


def test_authenticated_connections_do_not_count_against_the_caps(server: QuiverServer) -> None:
    conns = [psycopg.connect(server.dsn(), connect_timeout=5) for _ in range(PER_WORKER + 2)]
    try:
        assert [c.execute("SELECT 1").fetchone() for c in conns] == [(1,)] * len(conns)
        with connect(server) as sock:  # still room for a new, unauthenticated one
            sock.sendall(startup(user="admin", database="quiver"))
            sock.settimeout(5)
            reply = parse_replies(sock.recv(65536))
            assert reply[0].kind == "R" and struct.unpack("!i", reply[0].body[:4])[0] == 10
    finally:
        for conn in conns:
            conn.close()


def test_a_flood_of_slow_startup_packets_holds_only_the_cap(server: QuiverServer) -> None:
    half_packet = struct.pack("!i", 80)  # a start-up packet's length, and then nothing
    flood: list[socket.socket] = []
    try:
        for _ in range(200):
            sock = connect(server)
            with contextlib.suppress(OSError):
                sock.sendall(half_packet)
            flood.append(sock)
        time.sleep(1.0)
        still_held, refused = 0, 0
        for sock in flood:
            sock.settimeout(0.05)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                still_held += 1  # the server keeps it, waiting for the rest of the packet
                continue
            except OSError:
                data = b""
            if data and only_error(data)["C"] == "53300":
                refused += 1
        assert still_held <= PER_ADDRESS
        assert refused >= len(flood) - PER_ADDRESS
    finally:
        for sock in flood:
            sock.close()
    time.sleep(0.3)
    with psycopg.connect(server.dsn(), connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)

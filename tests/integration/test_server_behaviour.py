"""The running server: TLS, cancellation (also across worker processes), limits, and surviving bad input."""

from __future__ import annotations

import contextlib
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import require
from tests.integration.conftest import QuiverServer, start_server, stop_server

pytestmark = pytest.mark.integration

SLOW_QUERY = (
    "WITH a AS (SELECT order_id FROM orders), b AS (SELECT order_item_id FROM order_items) "
    "SELECT COUNT(*) FROM a, b, (SELECT customer_id FROM customers) c"
)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    directory = tmp_path_factory.mktemp("tls")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    cert, key = directory / "server.crt", directory / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = start_server(directory, demo_db, "--workers", "1", "--tls-cert", str(cert), "--tls-key", str(key))
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    server = start_server(tmp_path_factory.mktemp("workers"), demo_db, "--workers", "2", "--max-connections", "8")
    yield server
    stop_server(server)


def test_tls_is_offered_and_used(tls_server: QuiverServer) -> None:
    with psycopg.connect(tls_server.dsn() + " sslmode=require") as conn:
        assert conn.info.pgconn.ssl_in_use
        assert conn.execute("SELECT order_count FROM orders").fetchone() == (20000,)


def test_without_tls_the_ssl_request_is_declined(quiver_server: QuiverServer) -> None:
    with psycopg.connect(quiver_server.dsn() + " sslmode=prefer") as conn:
        assert not conn.info.pgconn.ssl_in_use
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(quiver_server.dsn() + " sslmode=require")


def test_gssenc_request_is_declined(quiver_server: QuiverServer) -> None:
    with socket.create_connection((quiver_server.host, quiver_server.port)) as sock:
        sock.sendall(struct.pack("!ii", 8, 80877104))
        assert sock.recv(1) == b"N"


def test_server_reports_parameters(quiver_server: QuiverServer) -> None:
    with psycopg.connect(quiver_server.dsn()) as conn:
        assert conn.info.parameter_status("server_version").startswith("16.")
        assert "Quiver" in conn.info.parameter_status("server_version")
        assert conn.info.server_version >= 160000
        assert conn.info.parameter_status("client_encoding") == "UTF8"
        assert conn.info.parameter_status("DateStyle").startswith("ISO")
        assert conn.info.parameter_status("TimeZone") == "UTC"


def _cancel_while_running(server: QuiverServer) -> Exception | None:
    errors: list[Exception] = []
    conn = psycopg.connect(server.dsn(), autocommit=True)

    def run() -> None:
        try:
            conn.execute(SLOW_QUERY).fetchall()
        except Exception as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.5)
    conn.cancel_safe()
    worker.join(timeout=60)
    assert not worker.is_alive()
    # The connection stays usable after a cancel.
    assert conn.execute("SELECT order_count FROM orders").fetchone() == (20000,)
    conn.close()
    return errors[0] if errors else None


def test_cancel_request_stops_the_query(quiver_server: QuiverServer) -> None:
    error = _cancel_while_running(quiver_server)
    assert isinstance(error, psycopg.errors.QueryCanceled)
    assert error.sqlstate == "57014"


def test_cancel_request_reaches_the_right_worker(two_workers: QuiverServer) -> None:
    # Cancel requests arrive on a new connection, which the kernel may give to either worker.
    for _ in range(3):
        error = _cancel_while_running(two_workers)
        assert isinstance(error, psycopg.errors.QueryCanceled)


def test_statement_timeout_setting(quiver_server: QuiverServer) -> None:
    with psycopg.connect(quiver_server.dsn(), autocommit=True) as conn:
        conn.execute("SET statement_timeout = '200ms'")
        with pytest.raises(psycopg.errors.QueryCanceled) as caught:
            conn.execute(SLOW_QUERY).fetchall()
        assert "statement timeout" in str(caught.value)
        conn.execute("RESET statement_timeout")
        assert conn.execute("SELECT order_count FROM orders").fetchone() == (20000,)


def test_connection_limit(two_workers: QuiverServer) -> None:
    # 8 connections across 2 workers: each worker admits 4; the kernel's spread decides which fails first.
    conns, refused = [], []
    for _ in range(12):
        try:
            conns.append(psycopg.connect(two_workers.dsn()))
        except psycopg.OperationalError as exc:
            refused.append(exc)
    try:
        assert refused, "the connection limit was never reached"
        assert "too many clients" in str(refused[0])
        assert len(conns) <= 8
    finally:
        for conn in conns:
            conn.close()
    with psycopg.connect(two_workers.dsn()) as conn:  # capacity returns when connections close
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_garbage_and_abrupt_disconnects_do_not_hurt_the_server(quiver_server: QuiverServer) -> None:
    for payload in (b"GET / HTTP/1.1\r\n\r\n", b"\x00\x00\x00\x08\x00\x00\x00\x00", b"\xff" * 64, b""):
        with socket.create_connection((quiver_server.host, quiver_server.port)) as sock:
            sock.sendall(payload)
            sock.settimeout(2)
            with contextlib.suppress(TimeoutError, ConnectionError):
                sock.recv(1024)
    # A client that vanishes in the middle of a large result.
    conn = psycopg.connect(quiver_server.dsn())
    cursor = conn.cursor()
    cursor.execute("SELECT order_item_id, quantity FROM order_items")
    cursor.fetchmany(10)
    conn.pgconn.finish()
    with psycopg.connect(quiver_server.dsn()) as conn:
        assert conn.execute("SELECT order_count FROM orders").fetchone() == (20000,)
    assert quiver_server.process.poll() is None

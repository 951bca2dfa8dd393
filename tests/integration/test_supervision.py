"""Process supervision of a real ``quiver serve``: restarts, dying with the master, draining on SIGTERM.

The server's processes are found the way an operator would, without psutil:
the children of the master are read from ``/proc``, and a child is a wire
worker or the Flight process according to the port its listening socket has.
Every wait is bounded; a test that waits for something that never comes fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.integration.conftest import ROOT, QuiverServer, start_server, stop_server
from tests.support.postgres import free_port

pytestmark = [pytest.mark.integration, pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")]

# About 4e8 rows summed: a few seconds of engine work, well inside a 20 s grace period.
FINISHES_IN_SECONDS = "WITH a AS (SELECT order_id FROM orders) SELECT sum(a.order_id + b.order_id) FROM a, a b"
# 8e11 rows: hours of work, so only the end of the grace period stops it.
NEVER_FINISHES = (
    "WITH a AS (SELECT order_id FROM orders), c AS (SELECT customer_id FROM customers) "
    "SELECT sum(a.order_id + b.order_id + c.customer_id) FROM a, a b, c"
)


# -- processes, read from /proc -------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it no longer exists."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == pid and stat[0] not in ("Z", "X"):
                found.add(int(entry))
    return found


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(inode)
    return inodes


def listening_on(port: int, pids: set[int]) -> set[int]:
    """Which of ``pids`` hold a socket listening on ``port``."""
    inodes = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    found = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        found.add(pid)
                        break
    return found


def wire_workers(server: QuiverServer) -> set[int]:
    return listening_on(server.port, children(server.process.pid))


def flight_processes(server: QuiverServer) -> set[int]:
    return listening_on(server.flight_port, children(server.process.pid))


def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


# -- servers --------------------------------------------------------------------------------------


def serve(directory: Path, demo_db: Path, workers: int, **env: str) -> QuiverServer:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return start_server(directory, demo_db, "--workers", str(workers))


@pytest.fixture
def two_workers(tmp_path: Path, demo_db: Path) -> Iterator[QuiverServer]:
    server = serve(tmp_path, demo_db, 2)
    yield server
    stop_server(server)


def finish(server: QuiverServer, timeout: float) -> int:
    """The master's exit code, waiting at most ``timeout`` seconds."""
    try:
        return server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        raise AssertionError(f"quiver serve still running {timeout} s after SIGTERM") from None


def order_count(server: QuiverServer) -> int:
    with psycopg.connect(server.dsn(), connect_timeout=5) as conn:
        return conn.execute("SELECT order_count FROM orders").fetchone()[0]


# -- restarts -------------------------------------------------------------------------------------


def test_a_killed_wire_worker_is_restarted(two_workers: QuiverServer) -> None:
    before = eventually(lambda: (w := wire_workers(two_workers)) and len(w) == 2 and w, 10, "two wire workers")
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    after = eventually(
        lambda: (w := wire_workers(two_workers)) and len(w) == 2 and victim not in w and w, 15, "a replacement"
    )
    (replacement,) = after - before
    # The kernel spreads connections over both listening workers: the new one serves too.
    served_by = set()
    for _ in range(60):
        with psycopg.connect(two_workers.dsn(), connect_timeout=5) as conn:
            assert conn.execute("SELECT order_count FROM orders").fetchone() == (20000,)
            served_by.add(conn.info.backend_pid)
        if replacement in served_by:
            break
    assert replacement in served_by
    log = two_workers.log_text()
    assert re.search(rf"wire worker \d+ \(pid {victim}\) was killed by signal 9 \(SIGKILL\); restarting in", log), log


def test_a_killed_flight_process_is_restarted(two_workers: QuiverServer) -> None:
    flight = pytest.importorskip("pyarrow.flight")
    (before,) = eventually(lambda: flight_processes(two_workers), 10, "the Flight process")
    os.kill(before, signal.SIGKILL)
    (after,) = eventually(lambda: (f := flight_processes(two_workers)) and before not in f and f, 20, "a new one")
    assert after != before
    client = flight.FlightClient(two_workers.flight_location)
    token = client.authenticate_basic_token(b"admin", b"admin-pass")
    options = flight.FlightCallOptions(headers=[token])
    info = client.get_flight_info(flight.FlightDescriptor.for_command(b"SELECT order_count FROM orders"), options)
    assert client.do_get(info.endpoints[0].ticket, options).read_all().to_pylist() == [{"order_count": 20000}]
    assert f"Flight process (pid {before}) was killed by signal 9 (SIGKILL); restarting in" in two_workers.log_text()


def test_the_workers_exit_when_the_master_is_killed(two_workers: QuiverServer) -> None:
    eventually(lambda: len(wire_workers(two_workers)) == 2 and flight_processes(two_workers), 10, "all processes")
    family = children(two_workers.process.pid)
    assert len(family) >= 3
    two_workers.process.kill()
    two_workers.process.wait(5)
    eventually(lambda: not any(alive(pid) for pid in family), 10, f"children {family} gone")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(two_workers.dsn(), connect_timeout=2)


# -- draining -------------------------------------------------------------------------------------


class Background:
    """A statement running on its own connection in a thread: its rows, or the error it ended with."""

    def __init__(self, server: QuiverServer, sql: str) -> None:
        self.conn = psycopg.connect(server.dsn(), autocommit=True, connect_timeout=5)
        self.rows: list[tuple[Any, ...]] | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(sql,), daemon=True)
        self.thread.start()

    def _run(self, sql: str) -> None:
        try:
            self.rows = [tuple(row) for row in self.conn.execute(sql).fetchall()]
        except BaseException as exc:  # kept for the test to judge
            self.error = exc

    def wait(self, timeout: float) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the statement neither finished nor failed within {timeout} s"
        self.conn.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_running_queries_finish_and_refuses_new_ones(tmp_path: Path, demo_db: Path, workers: int) -> None:
    server = serve(tmp_path, demo_db, workers, QUIVER_SHUTDOWN_GRACE="30")
    try:
        total = order_count(server)
        with psycopg.connect(server.dsn(), autocommit=True) as probe:
            ids = probe.execute("WITH a AS (SELECT order_id FROM orders) SELECT sum(order_id) FROM a").fetchone()[0]
        idle = psycopg.connect(server.dsn(), autocommit=True, connect_timeout=5)
        busy = Background(server, FINISHES_IN_SECONDS)
        time.sleep(1.0)
        assert busy.thread.is_alive(), "the query finished before SIGTERM: the test proves nothing"
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        # An idle session is told why it ends (FATAL 57P01), not cut off.
        with pytest.raises(psycopg.errors.AdminShutdown) as refused:
            idle.execute("SELECT 1")
        assert refused.value.sqlstate == "57P01"
        assert "terminating connection due to administrator command" in str(refused.value)
        idle.close()
        # No new connections once draining.
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(server.dsn(), connect_timeout=2)
        busy.wait(30)
        assert busy.error is None, repr(busy.error)
        assert busy.rows == [(Decimal(2 * total * ids),)]
        assert finish(server, 15) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()
    log = server.log_text()
    assert "Traceback" not in log, log


@pytest.mark.parametrize("workers", [1, 2])
def test_after_the_grace_period_running_queries_end_with_admin_shutdown(
    tmp_path: Path, demo_db: Path, workers: int
) -> None:
    server = serve(tmp_path, demo_db, workers, QUIVER_SHUTDOWN_GRACE="1")
    try:
        busy = Background(server, NEVER_FINISHES)
        time.sleep(1.0)
        assert busy.thread.is_alive()
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        busy.wait(15)
        assert isinstance(busy.error, psycopg.errors.AdminShutdown), repr(busy.error)
        assert busy.error.sqlstate == "57P01"
        assert time.monotonic() - started < 8
        assert finish(server, 15) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()


def test_the_flight_process_stops_gracefully(two_workers: QuiverServer) -> None:
    (flight,) = eventually(lambda: flight_processes(two_workers), 10, "the Flight process")
    eventually(lambda: len(wire_workers(two_workers)) == 2, 10, "both wire workers listening")
    two_workers.process.send_signal(signal.SIGTERM)
    assert finish(two_workers, 20) == 0
    assert not alive(flight)
    log = two_workers.log_text()
    assert f"Flight process (pid {flight}) exited with code 0" in log, log
    assert "killed" not in log and "Traceback" not in log, log


# -- a broken model -------------------------------------------------------------------------------


def test_a_broken_model_is_reported_before_any_process_starts(tmp_path: Path, demo_db: Path) -> None:
    # The demo model over a database without its tables: every relation's source is missing.
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).execute("CREATE TABLE unrelated (x INTEGER)").close()
    models = str(ROOT / "semantic_models" / "orders")
    validate = subprocess.run(
        [sys.executable, "-m", "server.cli", "validate", models, "--source", str(empty)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    expected = [line for line in validate.stdout.splitlines() if ": error SM" in line]
    assert len(expected) >= 2
    started = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--database", str(empty), "--workers", "2", "--flight-port", "0"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QUIVER_AUDIT_LOG": "off", "QUIVER_PG_PORT": str(free_port())},
    )
    assert started.returncode in (1, 2)
    assert "Traceback" not in started.stderr, started.stderr
    printed = [line for line in started.stderr.splitlines() if re.match(r"^\S+:\d+:\d+: error SM\d+: ", line)]
    assert printed == expected
    assert "listening" not in started.stderr and "SpawnProcess" not in started.stderr

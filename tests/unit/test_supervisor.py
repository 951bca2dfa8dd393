"""The supervisor with tiny child processes: back-off, restarts, a child that cannot start, a graceful stop."""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from server.supervisor import Backoff, ChildSpec, Supervisor, describe_exit

# -- children (module level: spawned processes import them by name) -------------------------------


def _crash_after_ready(marker: str, ready: Callable[[], None]) -> None:
    with Path(marker).open("a") as out:
        out.write(f"{os.getpid()}\n")
    ready()
    time.sleep(0.2)
    raise SystemExit(3)


def _fail_at_start(ready: Callable[[], None]) -> None:
    raise SystemExit(2)


def _serve_until_sigterm(marker: str, ready: Callable[[], None]) -> None:
    stopping = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    ready()
    while not stopping:
        time.sleep(0.02)
    Path(marker).write_text("drained")


# -- back-off -------------------------------------------------------------------------------------


def test_backoff_doubles_to_its_ceiling_and_resets_after_a_stable_run() -> None:
    backoff = Backoff(first=0.5, longest=30.0, stable_after=30.0)
    delays, delay = [], 0.0
    for _ in range(9):
        delay = backoff.next(delay, uptime=1.0)
        delays.append(delay)
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert backoff.next(30.0, uptime=31.0) == 0.5


def test_exits_are_described_by_code_or_signal() -> None:
    assert describe_exit(0) == "exited with code 0"
    assert describe_exit(1) == "exited with code 1"
    assert describe_exit(-9) == "was killed by signal 9 (SIGKILL)"
    assert describe_exit(-15) == "was killed by signal 15 (SIGTERM)"


# -- supervising ----------------------------------------------------------------------------------


def test_a_child_that_dies_is_restarted_with_backoff(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    marker = tmp_path / "starts"
    supervisor = Supervisor(
        [ChildSpec("crasher", _crash_after_ready, (str(marker),))],
        grace=1.0,
        backoff=Backoff(first=0.1, longest=0.4, stable_after=60),
    )
    with caplog.at_level(logging.INFO, logger="quiver.supervisor"):
        thread = supervisor.start_thread()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(marker.read_text().split() if marker.exists() else []) < 3:
            time.sleep(0.05)
        supervisor.request_stop()
        thread.join(10)
    starts = marker.read_text().split()
    assert len(starts) >= 3 and len(set(starts)) == len(starts)  # a new process each time
    restarts = [r.getMessage() for r in caplog.records if "restarting in" in r.getMessage()]
    assert restarts[0].startswith("crasher (pid ") and "exited with code 3; restarting in 0.1 s" in restarts[0]
    assert "restarting in 0.2 s" in restarts[1]
    assert not supervisor.failed


def test_a_child_that_never_becomes_ready_stops_the_server(caplog: pytest.LogCaptureFixture) -> None:
    failures = []
    supervisor = Supervisor([ChildSpec("broken", _fail_at_start)], grace=1.0, on_failure=lambda: failures.append(True))
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="quiver.supervisor"):
        thread = supervisor.start_thread()
        thread.join(30)
    assert not thread.is_alive() and time.monotonic() - started < 30
    assert supervisor.failed and failures == [True]
    assert any("exited with code 2 before it was ready" in r.getMessage() for r in caplog.records)


def test_stop_sends_sigterm_and_waits_for_the_drain(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    marker = tmp_path / "drained"
    supervisor = Supervisor([ChildSpec("server", _serve_until_sigterm, (str(marker),))], grace=5.0)
    with caplog.at_level(logging.INFO, logger="quiver.supervisor"):
        thread = supervisor.start_thread()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not supervisor.children[0].ready:
            time.sleep(0.05)
        assert supervisor.children[0].ready
        pid = supervisor.children[0].process.pid  # type: ignore[union-attr]
        supervisor.request_stop()
        thread.join(10)
    assert marker.read_text() == "drained"
    assert any(r.getMessage() == f"server (pid {pid}) exited with code 0" for r in caplog.records)
    assert not supervisor.failed

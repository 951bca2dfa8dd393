"""Keep the server's child processes running, stop them gracefully, and make them die with the master.

``quiver serve`` is a master process over children (wire workers, the Flight
process). The master does no query work, so it is the one process that can
notice when a child dies and start another in its place:

* A child that dies is restarted after a back-off (0.5 s, doubling up to 30 s;
  back to 0.5 s once a child has stayed up 30 s), and the master logs why it
  died (exit code or signal). A child that dies before it ever became ready
  the first time points at a configuration error (a port in use): the whole
  server stops with exit status 1 instead of restarting it forever.
* On SIGTERM or SIGINT the master sends SIGTERM to every child, which drains
  (see the wire listener), waits up to the grace period plus a margin, then
  kills what is left. A second signal kills the children at once.
* Children exit when the master dies, even by SIGKILL: on Linux the kernel
  sends them SIGTERM (``prctl(PR_SET_PDEATHSIG)``); elsewhere, and as a
  fallback, a thread watches the parent process id.

Children are started with the ``spawn`` method (no inherited threads or DuckDB
state) and report readiness over a pipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("quiver.supervisor")

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
STOP_MARGIN = 5.0  # seconds a child may take beyond the grace period before it is killed


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a child that died."""

    first: float = 0.5
    longest: float = 30.0
    stable_after: float = 30.0  # a child up this long was healthy: its next restart waits ``first`` again

    def next(self, previous: float, uptime: float) -> float:
        if previous <= 0 or uptime >= self.stable_after:
            return self.first
        return min(previous * 2, self.longest)


@dataclass(frozen=True)
class ChildSpec:
    """A process to keep running: ``target(*args, ready=callback)`` calls ``ready()`` once it serves."""

    name: str
    target: Callable[..., None]
    args: tuple[Any, ...] = ()


@dataclass
class _Child:
    spec: ChildSpec
    process: BaseProcess | None = None
    ready_pipe: Connection | None = None
    started_at: float = 0.0
    ready: bool = False
    ever_ready: bool = False
    delay: float = 0.0  # the last restart's back-off
    restart_at: float | None = None

    @property
    def label(self) -> str:
        pid = self.process.pid if self.process is not None else "?"
        return f"{self.spec.name} (pid {pid})"

    def started(self) -> tuple[BaseProcess, int]:
        """The process and its pid, for a child known to be running (``Supervisor._alive``)."""
        assert self.process is not None and self.process.pid is not None, "the child was never started"
        return self.process, self.process.pid


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "is still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        return f"was killed by signal {-exitcode} ({name})"
    return f"exited with code {exitcode}"


class Supervisor:
    """Start children, restart the ones that die, stop them all on request.

    Run it on the main thread with :meth:`run` (it installs the SIGTERM/SIGINT
    handlers), or on a helper thread with :meth:`start_thread` and stop it with
    :meth:`request_stop` (the single-process server, whose main thread serves).
    The thread that starts the children must outlive them: the kernel's
    parent-death signal follows the starting thread, not the process.
    """

    def __init__(
        self,
        specs: list[ChildSpec],
        *,
        grace: float,
        backoff: Backoff | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        self.children = [_Child(spec) for spec in specs]
        self.grace = grace
        self.backoff = backoff or Backoff()
        self.on_failure = on_failure
        self.failed = False
        self._context = multiprocessing.get_context("spawn")
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self._stopping = False
        self._kill = False

    # -- requests, safe from signal handlers and other threads --------------------------------------

    def request_stop(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"s")

    def _on_signal(self, signum: int, frame: object) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"k" if self._stopping else b"s")

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    # -- running -----------------------------------------------------------------------------------

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="quiver-supervisor", daemon=True)
        thread.start()
        return thread

    def run(self) -> int:
        """Supervise until asked to stop; returns the exit status (1 when a child could not start)."""
        for child in self.children:
            self._start(child)
        while not self._stopping:
            self._step()
        self._stop_all()
        self._close()
        return 1 if self.failed else 0

    def _start(self, child: _Child) -> None:
        reader, writer = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child_main,
            args=(child.spec.target, child.spec.args, writer, os.getpid(), self.grace),
            name=child.spec.name,
            daemon=True,
        )
        process.start()
        writer.close()  # the child holds the only writing end: end-of-file means it is gone
        child.process, child.ready_pipe = process, reader
        child.started_at, child.ready, child.restart_at = time.monotonic(), False, None
        log.info("%s started", child.label)

    def _step(self) -> None:
        now = time.monotonic()
        waiting = [c.restart_at for c in self.children if c.restart_at is not None]
        timeout = max(0.0, min(waiting) - now) if waiting else None
        watched: list[Any] = [self._wake_read]
        for child in self.children:
            if child.process is not None and child.restart_at is None:
                watched.append(child.process.sentinel)
                if child.ready_pipe is not None:
                    watched.append(child.ready_pipe)
        ready = multiprocessing.connection.wait(watched, timeout)
        if self._wake_read in ready:
            self._wake(os.read(self._wake_read, 64))
        for child in self.children:
            if child.ready_pipe is not None and child.ready_pipe in ready:
                self._read_ready(child)
            if child.process is not None and child.restart_at is None and child.process.sentinel in ready:
                self._died(child)
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None and child.restart_at <= now and not self._stopping:
                self._start(child)

    def _wake(self, requests: bytes) -> None:
        if b"s" in requests and not self._stopping:
            log.info("stopping: %d process(es) drain for up to %g s", len(self._alive()), self.grace)
            self._stopping = True
        if b"k" in requests:
            self._kill = True

    def _read_ready(self, child: _Child) -> None:
        assert child.ready_pipe is not None
        try:
            child.ready_pipe.recv_bytes()
            child.ready = child.ever_ready = True
        except (EOFError, OSError):
            pass
        child.ready_pipe.close()
        child.ready_pipe = None

    def _died(self, child: _Child) -> None:
        assert child.process is not None
        child.process.join(5)  # the sentinel fired: it is exiting
        how = describe_exit(child.process.exitcode)
        if child.ready_pipe is not None:
            child.ready_pipe.close()
            child.ready_pipe = None
        if self._stopping:
            return
        if not child.ever_ready:
            log.error("%s %s before it was ready; stopping the server", child.label, how)
            self.failed = True
            self._stopping = True
            if self.on_failure is not None:
                self.on_failure()
            return
        uptime = time.monotonic() - child.started_at
        child.delay = self.backoff.next(child.delay, uptime)
        child.restart_at = time.monotonic() + child.delay
        log.warning("%s %s; restarting in %g s (it ran %.1f s)", child.label, how, child.delay, uptime)

    # -- stopping ----------------------------------------------------------------------------------

    def _alive(self) -> list[_Child]:
        return [c for c in self.children if c.process is not None and c.process.is_alive() and c.restart_at is None]

    def _stop_all(self) -> None:
        """SIGTERM every child (they drain), wait the grace period and a margin, then kill what is left."""
        running = self._alive()
        for child in running:
            with contextlib.suppress(OSError):
                os.kill(child.started()[1], signal.SIGTERM)
        deadline = time.monotonic() + self.grace + STOP_MARGIN
        while running:
            sentinels = {child.started()[0].sentinel: child for child in running}
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._kill:
                for child in running:
                    log.warning("%s did not stop in time; killing it", child.label)
                    with contextlib.suppress(OSError):
                        os.kill(child.started()[1], signal.SIGKILL)
                for child in running:
                    child.started()[0].join(5)
                break
            ready = multiprocessing.connection.wait([*sentinels, self._wake_read], remaining)
            if self._wake_read in ready:
                self._wake(os.read(self._wake_read, 64))
            for sentinel in ready:
                stopped = sentinels.get(sentinel) if isinstance(sentinel, int) else None
                if stopped is not None:
                    process = stopped.started()[0]
                    process.join(5)
                    log.info("%s %s", stopped.label, describe_exit(process.exitcode))
                    running.remove(stopped)

    def _close(self) -> None:
        for fd in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(fd)


# -- in the child ---------------------------------------------------------------------------------


def _child_main(
    target: Callable[..., None], args: tuple[Any, ...], ready_pipe: Connection, parent: int, grace: float
) -> None:
    """Entry of every supervised child: tie its life to the master's, then run ``target``."""
    # Until the target installs its own handlers, SIGTERM (a stop during start-up) exits quietly.
    signal.signal(signal.SIGTERM, _exit_quietly)
    die_with_parent(parent, grace)

    def ready() -> None:
        with contextlib.suppress(OSError):
            ready_pipe.send_bytes(b"ready")
            ready_pipe.close()

    target(*args, ready=ready)


def _exit_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def die_with_parent(parent: int, grace: float) -> None:
    """Get SIGTERM (and so drain) when the master dies; exit outright ``grace`` + margin seconds later.

    Linux delivers the signal itself (``PR_SET_PDEATHSIG``); a thread polling the
    parent pid covers other systems and the race where the master died before
    the request was made.
    """
    kernel = _set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:  # the master died before the kernel was asked to tell us
        os.kill(os.getpid(), signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        if not kernel:
            os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace + STOP_MARGIN)
        log.error("the master process is gone and this process did not stop in time; exiting")
        logging.shutdown()
        os._exit(1)

    threading.Thread(target=watch, name="quiver-parent-watch", daemon=True).start()


def _set_parent_death_signal(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False

"""The sockets: an asyncio server per worker process, sharing one port through SO_REUSEPORT.

One Python process is bound by one GIL, so ``--workers N`` starts N processes,
each with its own engine and DuckDB connection (read-only over the same file),
all accepting on the same port; the kernel spreads connections among them.
Starting, restarting and stopping those processes is the supervisor's job
(``server/supervisor.py``); this module serves one of them.

A CancelRequest may reach any worker: BackendKeyData carries the OS process id
of the worker running the query, and a worker that receives a cancel for
another forwards it over a Unix datagram socket named after that process.

On SIGTERM a worker drains rather than stops: it closes its listening socket,
idle sessions end with FATAL 57P01 (as PostgreSQL's fast shutdown), running
statements may finish within the grace period, and whatever still runs after
it is cancelled and its client told so, never cut off without a word.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import ssl
import struct
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from server.protocol.pgwire.auth import AuthMethod
from server.protocol.pgwire.backend import STARTUP_DRAIN_SECONDS, Backend, ServerContext

log = logging.getLogger("quiver.pgwire")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
TERMINATE_WAIT = 3.0  # after the grace period: how long cancelled connections get to say goodbye


@dataclass(frozen=True)
class ListenerConfig:
    host: str = "127.0.0.1"
    port: int = 15432
    workers: int = 1
    auth: AuthMethod = AuthMethod.SCRAM
    tls_cert: str | None = None
    tls_key: str | None = None
    database: str = "quiver"
    max_connections: int = 100
    idle_timeout: float = 0.0
    max_message_size: int = 64 * 1024 * 1024
    auth_timeout: float = 10.0
    max_unauthenticated: int = 64
    max_unauthenticated_per_address: int = 16
    shutdown_grace: float = 10.0


def _cancel_path(port: int, pid: int) -> str:
    return str(Path(tempfile.gettempdir()) / f"quiver-cancel-{port}-{pid}.sock")


def tls_context(config: ListenerConfig) -> ssl.SSLContext | None:
    if not config.tls_cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(config.tls_cert, config.tls_key or config.tls_cert)
    return context


def configure(context: ServerContext, config: ListenerConfig) -> None:
    """Copy the listener's settings onto the worker's shared context."""
    context.process_id = os.getpid()
    context.tls = tls_context(config)
    context.auth_method = config.auth
    context.database = config.database
    context.max_connections = max(1, config.max_connections // max(1, config.workers))
    context.idle_timeout = config.idle_timeout
    context.max_message_size = config.max_message_size
    context.auth_timeout = config.auth_timeout
    context.max_unauthenticated = config.max_unauthenticated
    context.max_unauthenticated_per_address = config.max_unauthenticated_per_address


class _CancelReceiver(asyncio.DatagramProtocol):
    def __init__(self, context: ServerContext) -> None:
        self.context = context

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) == 8:
            pid, secret = struct.unpack("!ii", data)
            self.context.cancel(pid, secret)


def _forwarder(port: int) -> Callable[[int, int], None]:
    def forward(pid: int, secret: int) -> None:
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(struct.pack("!ii", pid, secret), _cancel_path(port, pid))

    return forward


async def serve_worker(
    config: ListenerConfig,
    context: ServerContext,
    ready: asyncio.Event | None = None,
    *,
    stop: asyncio.Event | None = None,
    signals: Sequence[signal.Signals] = STOP_SIGNALS,
    on_ready: Callable[[], None] | None = None,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Accept connections until one of ``signals`` (or ``stop``), then drain and return.

    A second signal ends the grace period at once. ``on_ready`` runs once the port
    is open, ``on_stop`` when the drain begins (the single-process server stops its
    Flight process alongside).
    """
    configure(context, config)
    loop = asyncio.get_running_loop()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await Backend(context, reader, writer).run()

    try:
        server = await asyncio.start_server(
            handle, config.host, config.port, reuse_port=config.workers > 1, backlog=1024, limit=1 << 20
        )
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", config.host, config.port, exc.strerror or exc)
        raise SystemExit(1) from None
    cancel_transport = None
    if config.workers > 1:
        path = _cancel_path(config.port, context.process_id)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        cancel_transport, _ = await loop.create_datagram_endpoint(
            lambda: _CancelReceiver(context), local_addr=path, family=socket.AF_UNIX
        )
        context.forward_cancel = _forwarder(config.port)
    stop = stop if stop is not None else asyncio.Event()
    hurry = asyncio.Event()

    def on_signal() -> None:
        (hurry if stop.is_set() else stop).set()

    for signum in signals:
        # Not available off the main thread (tests run workers in threads) or on Windows: the
        # worker then stops with its process instead of on the signal.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, on_signal)
    log.info("worker %s listening on %s:%s", context.process_id, config.host, config.port)
    if ready is not None:
        ready.set()
    if on_ready is not None:
        on_ready()
    try:
        await stop.wait()
        if on_stop is not None:
            on_stop()
        await drain(context, config.shutdown_grace, hurry, stop_listening=server.close)
    finally:
        server.close()
        for signum in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signum)
        if cancel_transport is not None:
            cancel_transport.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(_cancel_path(config.port, context.process_id))


async def drain(
    context: ServerContext,
    grace: float,
    hurry: asyncio.Event | None = None,
    *,
    stop_listening: Callable[[], None] | None = None,
) -> None:
    """End every connection: idle ones now, running statements within ``grace`` seconds, then cancel the rest.

    Every client gets an ErrorResponse before its connection closes: sessions FATAL
    57P01, and a client that connects meanwhile FATAL 57P03 "the database system is
    shutting down" after its start-up packet, as PostgreSQL answers. That is why the
    port stays open until the sessions are done: closing a listening socket resets the
    connections the kernel had accepted for it, and a reset says nothing. After that a
    connection still in start-up gets ``STARTUP_DRAIN_SECONDS`` to finish it.
    """
    loop = asyncio.get_running_loop()
    log.info(
        "worker %s shutting down: %d connection(s) open; running statements may take %g s to finish",
        context.process_id,
        len(context.live),
        grace,
    )
    context.begin_drain()
    started = loop.time()
    deadline = started + grace

    def sessions() -> bool:
        return any(backend.authenticated for backend in context.live)

    def hurried() -> bool:
        return hurry is not None and hurry.is_set()

    while sessions() and loop.time() < deadline and not hurried():
        await asyncio.sleep(0.05)
    if stop_listening is not None:
        stop_listening()
    startups_end = min(deadline, max(loop.time(), started + STARTUP_DRAIN_SECONDS))
    while context.live and loop.time() < startups_end and not hurried():
        await asyncio.sleep(0.05)
    context.end_idle_startups()
    while context.live and loop.time() < deadline and not hurried():
        await asyncio.sleep(0.05)
    if context.live:
        log.warning(
            "worker %s: %d connection(s) still busy after the grace period; cancelling their statements",
            context.process_id,
            len(context.live),
        )
        context.terminate_all()
        deadline = loop.time() + TERMINATE_WAIT
        while context.live and loop.time() < deadline:
            await asyncio.sleep(0.05)
    log.info("worker %s stopped", context.process_id)


def run_worker(
    config: ListenerConfig,
    make_context: Callable[[], ServerContext],
    *,
    signals: Sequence[signal.Signals] = STOP_SIGNALS,
    on_ready: Callable[[], None] | None = None,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Serve in this process until a stop signal, then drain (the body of one worker process)."""
    context = make_context()
    asyncio.run(serve_worker(config, context, signals=signals, on_ready=on_ready, on_stop=on_stop))

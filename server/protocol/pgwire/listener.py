"""The sockets: an asyncio server per worker process, sharing one port through SO_REUSEPORT.

One Python process is bound by one GIL, so ``--workers N`` starts N processes,
each with its own engine and DuckDB connection (read-only over the same file),
all accepting on the same port; the kernel spreads connections among them.
A CancelRequest may reach any worker: BackendKeyData carries the OS process id
of the worker running the query, and a worker that receives a cancel for
another forwards it over a Unix datagram socket named after that process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import ssl
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server.protocol.pgwire.auth import AuthMethod
from server.protocol.pgwire.backend import Backend, ServerContext

log = logging.getLogger("quiver.pgwire")


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


def _cancel_path(port: int, pid: int) -> str:
    return str(Path(tempfile.gettempdir()) / f"quiver-cancel-{port}-{pid}.sock")


def tls_context(config: ListenerConfig) -> ssl.SSLContext | None:
    if not config.tls_cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(config.tls_cert, config.tls_key or config.tls_cert)
    return context


class _CancelReceiver(asyncio.DatagramProtocol):
    def __init__(self, context: ServerContext) -> None:
        self.context = context

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) == 8:
            pid, secret = struct.unpack("!ii", data)
            self.context.cancel(pid, secret)


def _forwarder(port: int) -> callable:  # type: ignore[valid-type]
    def forward(pid: int, secret: int) -> None:
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(struct.pack("!ii", pid, secret), _cancel_path(port, pid))

    return forward


async def serve_worker(config: ListenerConfig, context: ServerContext, ready: asyncio.Event | None = None) -> None:
    """Accept connections until SIGTERM/SIGINT."""
    context.process_id = os.getpid()
    context.tls = tls_context(config)
    context.auth_method = config.auth
    context.database = config.database
    context.max_connections = max(1, config.max_connections // max(1, config.workers))
    context.idle_timeout = config.idle_timeout
    context.max_message_size = config.max_message_size
    loop = asyncio.get_running_loop()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await Backend(context, reader, writer).run()

    server = await asyncio.start_server(
        handle, config.host, config.port, reuse_port=config.workers > 1, backlog=1024, limit=1 << 20
    )
    cancel_transport = None
    if config.workers > 1:
        path = _cancel_path(config.port, context.process_id)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        cancel_transport, _ = await loop.create_datagram_endpoint(
            lambda: _CancelReceiver(context), local_addr=path, family=socket.AF_UNIX
        )
        context.forward_cancel = _forwarder(config.port)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Not available off the main thread (tests run workers in threads) or on Windows: the
        # worker then stops with its process instead of on the signal.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    log.info("worker %s listening on %s:%s", context.process_id, config.host, config.port)
    if ready is not None:
        ready.set()
    async with server:
        await stop.wait()
    if cancel_transport is not None:
        cancel_transport.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_cancel_path(config.port, context.process_id))


def run_workers(config: ListenerConfig, make_context: callable) -> None:  # type: ignore[valid-type]
    """Run ``config.workers`` worker processes (or this process alone when there is one)."""
    if config.workers <= 1:
        asyncio.run(serve_worker(config, make_context()))
        return
    ctx = multiprocessing.get_context("spawn")
    processes = [
        ctx.Process(target=_worker_entry, args=(config, make_context), daemon=True) for _ in range(config.workers)
    ]
    for process in processes:
        process.start()

    def stop(*_: object) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.join()


def _worker_entry(config: ListenerConfig, make_context: callable) -> None:  # type: ignore[valid-type]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve_worker(config, make_context()))

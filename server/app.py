"""Assemble a running Quiver from settings: models, connector, engine.

The one place that decides which connector serves which model, and that builds
the demo data on first use so the quick start needs no separate step.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import multiprocessing
import os
import secrets
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from connectors.duckdb import DuckDBConnector
from server.config import Settings
from server.demo.generate import build_demo, text_progress
from server.engine import Engine
from server.errors import ModelInvalid
from server.execution.executor import Executor
from server.execution.source_check import check_sources
from server.observability.audit import AuditLog
from server.policy.identity import QueryLimits
from server.policy.users import UserStore
from server.protocol.flight.service import QuiverFlightServer
from server.protocol.pgwire.auth import AuthMethod, method_warnings
from server.protocol.pgwire.backend import ServerContext
from server.protocol.pgwire.listener import ListenerConfig, run_workers
from server.semantic.store import ModelStore


@dataclass
class App:
    settings: Settings
    engine: Engine
    connector: DuckDBConnector

    def close(self) -> None:
        self.connector.close()
        if self.engine.audit is not None:
            self.engine.audit.close()


def ensure_demo_data(settings: Settings, quiet: bool = False) -> None:
    """Build the demo database if the demo model is served and its file is missing."""
    if settings.is_demo and not settings.database.exists():
        build_demo(settings.database, settings.demo_scale, None if quiet else text_progress())


def engine_memory_limit(settings: Settings) -> str:
    """What one engine process may hold for queries: the setting, or half the RAM shared by the processes.

    Every wire worker and the Flight process has its own DuckDB, so an automatic limit divides
    half of the machine's memory among them (the other half is for Arrow buffers, the
    catalog engines and the operating system).
    """
    if settings.memory_limit and settings.memory_limit.lower() != "auto":
        return settings.memory_limit
    processes = (settings.workers or os.cpu_count() or 1) + (1 if settings.flight_port else 0)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(256, total // 2 // processes // (1024 * 1024))}MB"


def build_app(settings: Settings, quiet: bool = False) -> App:
    ensure_demo_data(settings, quiet)
    connector = DuckDBConnector(
        settings.database,
        threads=settings.threads or None,
        workers=settings.query_workers,
        memory_limit=engine_memory_limit(settings),
    )
    try:
        store = ModelStore(settings.models, settings.model_dialect)
        executor = Executor(connector)
        problems = [issue for issue in check_sources(store.manifest, executor) if issue.is_error]
        if problems:
            raise ModelInvalid(problems)
        engine = Engine(
            store,
            executor,
            plan_cache_size=settings.plan_cache_size,
            statement_timeout=settings.statement_timeout,
            mask_secret=settings.mask_secret.encode() or None,
            limits=QueryLimits(
                max_result_rows=settings.max_result_rows or None,
                max_concurrent_queries=settings.max_concurrent_queries or None,
            ),
            audit=AuditLog(settings.audit_path) if settings.audit_path is not None else None,
        )
    except Exception:
        connector.close()
        raise
    return App(settings, engine, connector)


def make_server_context(settings: Settings) -> ServerContext:
    """Everything one wire-server worker process needs (called inside each worker)."""
    app = build_app(settings, quiet=True)
    users = UserStore.load(settings.users_file)
    app.engine.database_name = settings.database_name
    app.engine.user_names = tuple(users.names())
    return ServerContext(engine=app.engine, users=users)


def listener_config(settings: Settings) -> ListenerConfig:
    workers = settings.workers or (os.cpu_count() or 1)
    return ListenerConfig(
        host=settings.pg_host,
        port=settings.pg_port,
        workers=workers,
        auth=AuthMethod(settings.auth),
        tls_cert=str(settings.tls_cert) if settings.tls_cert else None,
        tls_key=str(settings.tls_key) if settings.tls_key else None,
        database=settings.database_name,
        max_connections=settings.max_connections,
        idle_timeout=settings.idle_timeout,
        max_message_size=settings.max_message_bytes,
    )


def make_flight_server(settings: Settings) -> QuiverFlightServer:
    """The Arrow Flight endpoint over its own engine (one process; gRPC threads, DuckDB releases the GIL)."""
    app = build_app(settings, quiet=True)
    users = UserStore.load(settings.users_file)
    app.engine.database_name = settings.database_name
    app.engine.user_names = tuple(users.names())
    tls = []
    if settings.tls_cert and settings.tls_key:
        tls = [(Path(settings.tls_cert).read_bytes(), Path(settings.tls_key).read_bytes())]
    scheme = "grpc+tls" if tls else "grpc+tcp"
    return QuiverFlightServer(
        f"{scheme}://{settings.flight_host}:{settings.flight_port}",
        app.engine,
        users,
        tls_certificates=tls,
        ticket_lifetime=settings.flight_ticket_lifetime,
        max_prepared=settings.flight_max_prepared,
    )


def run_flight(settings: Settings, parent: int) -> None:
    """Entry of the Flight process: serve until the parent ``quiver serve`` goes away."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    server = make_flight_server(settings)

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    logging.getLogger(__name__).info("Arrow Flight listening on %s:%s", settings.flight_host, settings.flight_port)
    server.serve()


def serve(settings: Settings) -> None:
    """Run the wire server, and the Flight server beside it, until interrupted (demo data built first)."""
    ensure_demo_data(settings)
    if not settings.mask_secret:
        # One key for every worker of this run; set QUIVER_MASK_SECRET to keep hashes across restarts.
        logging.getLogger(__name__).warning("QUIVER_MASK_SECRET is not set: hash masks change on restart")
        settings = dataclasses.replace(settings, mask_secret=secrets.token_hex(32))
    for warning in method_warnings(AuthMethod(settings.auth), tls=bool(settings.tls_cert)):
        logging.getLogger(__name__).warning("%s", warning)
    flight_process = None
    if settings.flight_port:
        context = multiprocessing.get_context("spawn")
        flight_process = context.Process(target=run_flight, args=(settings, os.getpid()), daemon=True)
        flight_process.start()
    # SIGTERM ends this process through SystemExit, so the Flight process is stopped on the way out.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        run_workers(listener_config(settings), functools.partial(make_server_context, settings))
    finally:
        if flight_process is not None and flight_process.is_alive():
            flight_process.terminate()
            flight_process.join(5)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)

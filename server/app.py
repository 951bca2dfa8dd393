"""Assemble a running Quiver from settings: models, sources, engine.

The one place that decides which sources a server reads (built once, at start,
into a :class:`~server.execution.sources.Sources` registry), and that builds the
demo data on first use so the quick start needs no separate step.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import secrets
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from connectors.duckdb import DuckDBConnector
from server.config import Settings
from server.demo.generate import build_demo, text_progress
from server.engine import Engine
from server.errors import ModelInvalid
from server.execution.executor import Executor
from server.execution.source_check import check_sources
from server.execution.sources import DEFAULT_SOURCE, Sources
from server.observability.audit import AuditLog
from server.policy.identity import QueryLimits
from server.policy.users import UserStore
from server.protocol.flight.service import QuiverFlightServer
from server.protocol.pgwire.auth import AuthMethod, method_warnings
from server.protocol.pgwire.backend import ServerContext
from server.protocol.pgwire.listener import ListenerConfig, run_worker
from server.semantic.build import build_manifest
from server.semantic.store import ModelStore
from server.sql.limits import set_max_query_bytes
from server.supervisor import ChildSpec, Supervisor

log = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


@dataclass
class App:
    settings: Settings
    engine: Engine
    sources: Sources

    def close(self) -> None:
        self.sources.close()
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


def build_sources(settings: Settings, *, checking: bool = False) -> Sources:
    """The sources this process reads, each with the target its connector's capabilities name.

    Today one: the embedded DuckDB over ``settings.database``, the default source.
    ``checking`` builds a small one for validating the model (one thread, no spill).
    """
    if checking:
        connector = DuckDBConnector(settings.database, threads=1, spill=False)
    else:
        connector = DuckDBConnector(
            settings.database, threads=settings.threads or None, memory_limit=engine_memory_limit(settings)
        )
    return Sources.single(connector, DEFAULT_SOURCE)


def build_app(settings: Settings, quiet: bool = False) -> App:
    # Every serving process (wire workers, Flight, quiver query) is built here: one place for the size limit.
    set_max_query_bytes(settings.max_query_bytes)
    ensure_demo_data(settings, quiet)
    sources = build_sources(settings)
    try:
        store = ModelStore(settings.models, settings.model_dialect)
        executor = Executor(sources.default.connector)
        problems = [issue for issue in check_sources(store.manifest, executor) if issue.is_error]
        if problems:
            raise ModelInvalid(problems)
        engine = Engine(
            store,
            executor,
            sources=sources,
            plan_cache_size=settings.plan_cache_size,
            catalog_cache_size=settings.catalog_cache_size,
            statement_timeout=settings.statement_timeout,
            mask_secret=settings.mask_secret.encode() or None,
            limits=QueryLimits(
                max_result_rows=settings.max_result_rows or None,
                max_concurrent_queries=settings.max_concurrent_queries or None,
            ),
            audit=AuditLog(settings.audit_path) if settings.audit_path is not None else None,
        )
    except Exception:
        sources.close()
        raise
    return App(settings, engine, sources)


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
        auth_timeout=settings.auth_timeout,
        max_unauthenticated=settings.max_unauthenticated,
        max_unauthenticated_per_address=settings.max_unauthenticated_per_address,
        shutdown_grace=settings.shutdown_grace,
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


def check_model(settings: Settings) -> None:
    """Validate the model and its sources once, before any process starts; raise every problem found.

    The checks ``quiver validate --source`` makes, so a broken model is reported
    once, completely, instead of crashing every child process with a count.
    """
    ensure_demo_data(settings)
    result = build_manifest(Path(settings.models), settings.model_dialect)
    problems = [issue for issue in result.issues if issue.is_error]
    if not problems and result.manifest is not None:
        sources = build_sources(settings, checking=True)
        try:
            executor = Executor(sources.default.connector)
            problems = [issue for issue in check_sources(result.manifest, executor) if issue.is_error]
        finally:
            sources.close()
    if problems:
        raise ModelInvalid(problems)


def run_wire_worker(settings: Settings, ready: Callable[[], None]) -> None:
    """Entry of one wire worker process: serve until SIGTERM (from the master), then drain."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the master, which stops the workers
    with _reported_model_problems():
        run_worker(
            listener_config(settings),
            functools.partial(make_server_context, settings),
            signals=(signal.SIGTERM,),
            on_ready=ready,
        )


def run_flight(settings: Settings, ready: Callable[[], None]) -> None:
    """Entry of the Flight process: serve until SIGTERM, then let running calls finish within the grace period."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with _reported_model_problems():
        server = make_flight_server(settings)  # gRPC serves from here; serve() would only block
    ready()
    log.info("Arrow Flight listening on %s:%s", settings.flight_host, settings.flight_port)
    while not stop.wait(0.5):  # a timed wait, so the signal handler runs promptly
        pass
    log.info("Arrow Flight shutting down: running calls may take %g s to finish", settings.shutdown_grace)
    closing = threading.Thread(target=server.shutdown, name="flight-shutdown", daemon=True)
    closing.start()  # refuses new calls, waits for running ones
    closing.join(settings.shutdown_grace)
    if closing.is_alive():
        log.warning("Arrow Flight: calls still running after %g s; exiting", settings.shutdown_grace)
        logging.shutdown()
        os._exit(1)
    log.info("Arrow Flight stopped")


@contextlib.contextmanager
def _reported_model_problems() -> Iterator[None]:
    """A model that became invalid after the start (a restarted child): log its problems, exit 1, no traceback."""
    try:
        yield
    except ModelInvalid as error:
        for issue in error.issues:
            log.error("%s", issue)
        log.error("%s", error.message)
        raise SystemExit(1) from None


def serve(settings: Settings, checked: bool = False) -> int:
    """Run the wire server, and the Flight server beside it, until SIGTERM/SIGINT; returns the exit status.

    The model is checked first (unless the caller just did): a broken one raises
    :class:`ModelInvalid` with every problem, before any process starts. With
    several workers this process is only the supervisor; with one, it also serves.
    """
    if not checked:
        check_model(settings)
    if not settings.mask_secret:
        # One key for every worker of this run; set QUIVER_MASK_SECRET to keep hashes across restarts.
        log.warning("QUIVER_MASK_SECRET is not set: hash masks change on restart")
        settings = dataclasses.replace(settings, mask_secret=secrets.token_hex(32))
    for warning in method_warnings(AuthMethod(settings.auth), tls=bool(settings.tls_cert)):
        log.warning("%s", warning)
    config = listener_config(settings)
    flight = [ChildSpec("Flight process", run_flight, (settings,))] if settings.flight_port else []
    if config.workers > 1:
        wire = [ChildSpec(f"wire worker {n}", run_wire_worker, (settings,)) for n in range(1, config.workers + 1)]
        supervisor = Supervisor(wire + flight, grace=settings.shutdown_grace)
        supervisor.install_signal_handlers()
        return supervisor.run()
    # One worker: this process serves the wire protocol itself and supervises Flight from a thread.
    # A Flight process that cannot start stops this one too (SIGTERM to itself: the same drain).
    supervisor = Supervisor(
        flight, grace=settings.shutdown_grace, on_failure=lambda: os.kill(os.getpid(), signal.SIGTERM)
    )
    thread = supervisor.start_thread() if flight else None
    try:
        run_worker(config, functools.partial(make_server_context, settings), on_stop=supervisor.request_stop)
    finally:
        supervisor.request_stop()
        if thread is not None:
            thread.join(settings.shutdown_grace + 10)
    return 1 if supervisor.failed else 0

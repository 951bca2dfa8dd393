"""Soak: 100 concurrent clients, well-behaved and abusive, against one ``quiver serve`` for a duration.

The server runs the demo data product (``quiver demo``, scale 1, built into a
temporary directory) with one worker per core, started and stopped by this
script. The clients, all threads of this one process (they wait on sockets, so
two cores drive them), are by default:

* **60 dashboard clients** (psycopg, one connection each, reconnecting now and
  then) as admin, analyst and eu_analyst in turn, running dashboard queries over
  ``sales`` and ``orders`` with a random think time; every answer is compared with
  the answer that user got before the load started (the data does not change);
* **20 catalog clients** as guest: a SQLAlchemy-style reflection session
  (pg_catalog and information_schema queries) on a fresh connection each time;
* **1 export client** as admin: ``COPY (SELECT * FROM order_items) TO STDOUT`` and
  a full ``SELECT * FROM order_items`` in turn, each checked for its row count;
* **19 abusive clients**, each from its own loopback address so the per-address
  back-off and caps they earn stay theirs: 5 guess passwords in a loop (one at a
  real user, four at names that do not exist), 5 hold slow start-up connections
  (a byte every half second, four connections each), 5 send malformed messages
  (mutated start-up packets, unknown message types, bad Binds, garbage binary
  parameters, statements nested too deep) and 4 make a cancel storm (two cancel
  their own long queries at random moments, two send CancelRequests with guessed
  keys).

Errors are counted by client kind and SQLSTATE, the abusive clients' expected
ones (28P01, 08P01, 53300, 57014, 22xxx, 54001, connections closed by the server)
apart from the unexpected ones (anything a well-behaved client gets, a wrong
answer, an internal error, an error without SQLSTATE or with a traceback, a
server that stops answering): the target is zero unexpected. The report gives
dashboard latency (p50/p99 after the warm-up), queries per second, and the
server's memory (RSS of its whole process tree, from /proc) before the load, after
the warm-up, every ``--sample-every`` seconds and at the end; the target is the
end within 20 % of the post-warm-up figure.

    python benchmarks/soak.py                    # 600 s: writes benchmarks/results/soak.{json,md}
    python benchmarks/soak.py --duration 60      # a short run: results in benchmarks/.cache/ unless --publish
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from benchmarks.harness import machine, machine_markdown, percentile, write_results  # noqa: E402
from tests.support import wire_client as w  # noqa: E402
from tests.support.oracle import judge_error, process_tree_rss_by_pid  # noqa: E402
from tests.support.postgres import free_port  # noqa: E402
from tests.support.wire_client import LoginFailed, WireClient  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
PASSWORDS = {"admin": "admin-pass", "analyst": "analyst-pass", "eu_analyst": "eu-analyst-pass", "guest": "guest-pass"}
DASHBOARD_USERS = ("admin", "analyst", "eu_analyst")
# Same trick as benchmarks/wire.py: server.cli's main from -c, so a blanket pkill of "server.cli serve" elsewhere
# on a shared machine leaves this server alone.
QUIVER_MAIN = "import sys; from server.cli import main; sys.exit(main(sys.argv[1:]))"

DASHBOARD = {
    "revenue_by_region": "SELECT customer_region, net_revenue, order_count FROM sales GROUP BY 1 ORDER BY 1",
    "revenue_by_month": (
        "SELECT customer_region, DATE_TRUNC('month', order_ts) AS month, net_revenue, order_count FROM sales "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    ),
    "category_mix": (
        "SELECT product_category, net_revenue, units_sold, average_order_value FROM sales GROUP BY 1 ORDER BY 1"
    ),
    "orders_by_status": "SELECT status, order_count, return_rate FROM orders GROUP BY 1 ORDER BY 1",
    "order_count": "SELECT count(*) FROM orders",
    "orders_by_region": "SELECT customer_region, order_count FROM sales GROUP BY 1 ORDER BY 1",
    "top_countries": (
        "SELECT customer_country, net_revenue FROM sales GROUP BY 1 HAVING net_revenue > 1000 ORDER BY 2 DESC, 1"
    ),
    "channel_kpis": "SELECT channel, average_order_value, order_count FROM orders GROUP BY 1 ORDER BY 1",
}
CATALOG = (
    "SELECT pg_catalog.version()",
    "SELECT current_schema()",
    "SHOW standard_conforming_strings",
    "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname NOT LIKE 'pg_%' ORDER BY 1",
    "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname",
    "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
    "WHERE table_schema = 'public' AND table_name = 'products' ORDER BY ordinal_position",
    "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'products' AND a.attnum > 0 "
    "AND NOT a.attisdropped ORDER BY a.attnum",
    "SELECT t.oid, t.typname FROM pg_catalog.pg_type t WHERE t.typname IN ('hstore', 'geometry')",
)
GRACE = float(os.environ.get("QUIVER_SHUTDOWN_GRACE", "10"))  # seconds running queries may take after SIGTERM
AUTH_DEADLINE = float(os.environ.get("QUIVER_AUTH_TIMEOUT", "10"))  # the server's start-up deadline, seconds
LONG_QUERY = "SELECT count(*) FROM generate_series(1, 3000000000)"  # about a second: something to cancel
DEEP = "SELECT " + "(" * 3_000 + "1" + ")" * 3_000
# What the abusive clients may get without it being a finding.
EXPECTED_ABUSE_CODES = (
    "28P01",
    "28000",
    "3D000",
    "08P01",
    "53300",
    "57014",
    "54001",
    "42601",
    "34000",
    "26000",
    "0A000",
    "22",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- what happened ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Everything the clients report, under one lock (client threads report a few hundred times a second)."""

    started: float = field(default_factory=time.monotonic)
    warm_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: Counter[str] = field(default_factory=Counter)  # successful operations by client kind
    latencies: dict[str, list[float]] = field(default_factory=dict)  # dashboard query -> seconds (after warm-up)
    logins: list[float] = field(default_factory=list)  # well-behaved clients' connection times
    expected: Counter[str] = field(default_factory=Counter)  # "kind code" -> count
    unexpected: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # the first unexpected errors, in full
    held_unauthenticated: list[float] = field(default_factory=list)  # seconds a slow start-up was held
    export_rows: Counter[str] = field(default_factory=Counter)

    def ok(self, kind: str, query: str | None = None, seconds: float | None = None) -> None:
        with self.lock:
            self.done[kind] += 1
            if query is not None and seconds is not None and time.monotonic() >= self.warm_until:
                self.latencies.setdefault(query, []).append(seconds)

    def login(self, seconds: float) -> None:
        with self.lock:
            self.logins.append(seconds)

    def error(self, kind: str, code: str, message: str, expected: bool) -> None:
        with self.lock:
            key = f"{kind} {code}"
            if expected:
                self.expected[key] += 1
                return
            self.unexpected[key] += 1
            if len(self.samples) < 50:
                self.samples.append(f"{time.monotonic() - self.started:.1f}s {key}: {message[:400]}")

    def judge(self, kind: str, errors: list[dict[str, str]], expected: tuple[str, ...]) -> None:
        """Wire ErrorResponses of an abusive client: the oracle first, then expected or not by SQLSTATE."""
        for fields in errors:
            code = fields.get("C", "none")
            problems = judge_error(fields)
            ok = not problems and any(code.startswith(prefix) for prefix in expected)
            self.error(kind, code, "; ".join(problems) or fields.get("M", ""), expected=ok)


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants so far (/proc, clock ticks)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, (0, 0.0))[1]
        todo.extend(child for child, (parent, _) in stats.items() if parent == current)
    return total


def git_commit() -> str:
    """The commit measured, and whether server code differed from it."""

    def git(*command: str) -> str:
        result = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True, check=False)
        return result.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (
        " (with uncommitted server changes)" if git("status", "--porcelain", "server", "connectors") else ""
    )


def sqlstate(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", None) or type(exc).__name__)


# -- the server ---------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def memory(self, t: float, label: str = "") -> dict[str, Any]:
        """A memory sample: the process tree's RSS in MiB, in all and per process (master first)."""
        sizes = process_tree_rss_by_pid(self.process.pid)
        per_process = [round(size / 2**20, 1) for _, size in sorted(sizes.items())]
        return {"t": t, "label": label, "rss_mib": sum(sizes.values()) / 2**20, "per_process_mib": per_process}

    def dsn(self, user: str) -> str:
        return (
            f"host=127.0.0.1 port={self.port} user={user} password={PASSWORDS[user]} dbname=quiver "
            "connect_timeout=30 options='-c statement_timeout=60000'"
        )

    def stop(self) -> None:
        if not self.alive:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only this server and its workers
            self.process.wait(timeout=5)


def start_server(directory: Path, workers: int, max_connections: int) -> Server:
    database = directory / "orders.duckdb"
    subprocess.run(
        [sys.executable, "-c", QUIVER_MAIN, "demo", "--database", str(database), "--scale", "1"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log_path = directory / "server.log"
    command = [
        sys.executable,
        "-c",
        QUIVER_MAIN,
        "serve",
        "--database",
        str(database),
        "--pg-host",
        "127.0.0.1",
        "--pg-port",
        str(port),
        "--workers",
        str(workers),
        "--flight-port",
        "0",
        "--max-connections",
        str(max_connections),
    ]
    environment = {**os.environ, "QUIVER_AUDIT_LOG": str(directory / "audit.jsonl")}
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=environment, start_new_session=True
        )
    server = Server(process, port, log_path)
    deadline = time.monotonic() + 120
    while True:
        if not server.alive:
            raise RuntimeError(f"quiver serve exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            with psycopg.connect(server.dsn("admin"), autocommit=True) as conn:
                conn.execute("SELECT 1").fetchall()
            return server
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


# -- well-behaved clients -----------------------------------------------------------------------------


def connect(server: Server, tally: Tally, user: str) -> psycopg.Connection:
    t0 = time.perf_counter()
    conn = psycopg.connect(server.dsn(user), autocommit=True)
    tally.login(time.perf_counter() - t0)
    return conn


def dashboard_client(
    index: int, server: Server, tally: Tally, stop: threading.Event, reference: dict[tuple[str, str], Any], think: float
) -> None:
    rng = random.Random(f"dashboard-{index}")
    user = DASHBOARD_USERS[index % len(DASHBOARD_USERS)]
    names = [name for name in DASHBOARD if (user, name) in reference]
    conn: psycopg.Connection | None = None
    queries_left = 0
    while not stop.is_set():
        try:
            if conn is None or queries_left <= 0:
                if conn is not None:
                    conn.close()
                conn = connect(server, tally, user)
                queries_left = rng.randint(100, 400)  # a dashboard tab reopened now and then
            name = rng.choice(names)
            t0 = time.perf_counter()
            rows = conn.execute(DASHBOARD[name]).fetchall()
            elapsed = time.perf_counter() - t0
            queries_left -= 1
            if rows != reference[(user, name)]:
                tally.error("dashboard", "wrong_answer", f"{user} {name}: {rows[:3]}", expected=False)
            else:
                tally.ok("dashboard", name, elapsed)
        except psycopg.Error as exc:
            tally.error("dashboard", sqlstate(exc), f"{user}: {exc}", expected=False)
            conn = _discard(conn)
        stop.wait(rng.uniform(0, 2 * think))
    _discard(conn)


def catalog_client(index: int, server: Server, tally: Tally, stop: threading.Event, think: float) -> None:
    """A reflection session per fresh connection, as a BI tool's or SQLAlchemy's inspector does it."""
    rng = random.Random(f"catalog-{index}")
    while not stop.is_set():
        try:
            with connect(server, tally, "guest") as conn:
                for sql in rng.sample(CATALOG, rng.randint(3, 6)):
                    conn.execute(sql).fetchall()
                    tally.ok("catalog")
        except psycopg.Error as exc:
            tally.error("catalog", sqlstate(exc), str(exc), expected=False)
        stop.wait(rng.uniform(0, 2 * think))


def export_client(server: Server, tally: Tally, stop: threading.Event, expected_rows: int) -> None:
    turn = 0
    while not stop.is_set():
        try:
            with connect(server, tally, "admin") as conn:
                if turn % 2 == 0:
                    rows = 0
                    with conn.cursor() as cursor, cursor.copy("COPY (SELECT * FROM order_items) TO STDOUT") as copy:
                        for _ in copy.rows():
                            rows += 1
                    how = "copy"
                else:
                    rows = len(conn.execute("SELECT * FROM order_items").fetchall())
                    how = "select"
            if rows != expected_rows:
                tally.error("export", "wrong_row_count", f"{how}: {rows} rows, not {expected_rows}", expected=False)
            else:
                tally.ok("export")
                with tally.lock:
                    tally.export_rows[how] += rows
        except psycopg.Error as exc:
            tally.error("export", sqlstate(exc), str(exc), expected=False)
        turn += 1
        stop.wait(0.5)


def _discard(conn: psycopg.Connection | None) -> None:
    if conn is not None:
        with contextlib.suppress(Exception):
            conn.close()


# -- abusive clients ------------------------------------------------------------------------------------


def password_guesser(index: int, server: Server, tally: Tally, stop: threading.Event) -> None:
    """Wrong passwords in a loop; the server's back-off decides the pace."""
    source = f"127.0.0.{21 + index}"
    user = "analyst" if index == 0 else f"mallory{index}"
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            with WireClient("127.0.0.1", server.port, source=source, timeout=30) as client:
                with contextlib.suppress(LoginFailed):
                    client.login(user, f"guess-{attempt}")
                    tally.error("guesser", "let_in", f"{user} logged in with a wrong password", expected=False)
                tally.judge("guesser", client.errors, EXPECTED_ABUSE_CODES)
                tally.ok("guesser")
        except OSError as exc:
            tally.error("guesser", type(exc).__name__, str(exc), expected=True)
            stop.wait(0.5)


def slow_starter(index: int, server: Server, tally: Tally, stop: threading.Event) -> None:
    """Four connections that dribble a start-up packet a byte every half second; replaced when the server ends one."""
    source = "127.0.0.31"  # all five share one address: 20 connections against a per-address cap
    packet = w.startup_packet(user="admin", database="quiver", application_name="slow" * 30)
    slots: list[tuple[WireClient, float, int] | None] = [None] * 4
    while not stop.is_set():
        for slot, held in enumerate(slots):
            if held is None:
                try:
                    slots[slot] = (WireClient("127.0.0.1", server.port, source=source, timeout=5), time.monotonic(), 0)
                except OSError as exc:
                    tally.error("slow_start", type(exc).__name__, str(exc), expected=True)
                continue
            client, since, sent = held
            if client.closed_by_server():
                with tally.lock:
                    tally.held_unauthenticated.append(time.monotonic() - since)
                tally.judge("slow_start", client.errors, EXPECTED_ABUSE_CODES)
                tally.error("slow_start", "closed_by_server", "", expected=True)
                client.close()
                slots[slot] = None
            elif time.monotonic() - since > AUTH_DEADLINE + 5:
                # The server should have ended it at QUIVER_AUTH_TIMEOUT (issue 9: 600 were all held after 20 s).
                tally.error("slow_start", "held_past_auth_timeout", f"{time.monotonic() - since:.0f} s", False)
                client.close()
                slots[slot] = None
            elif sent < len(packet):
                client.send(packet[sent : sent + 1])
                slots[slot] = (client, since, sent + 1)
        stop.wait(0.5)
    for held in slots:
        if held is not None:
            held[0].close()


MALFORMED_STEPS: tuple[str, ...] = ("startup", "unknown_type", "bad_bind", "binary_garbage", "deep", "random_after")


def malformed_client(index: int, server: Server, tally: Tally, stop: threading.Event) -> None:
    source = f"127.0.0.{41 + index}"
    rng = random.Random(f"malformed-{index}")
    valid_startup = w.startup_packet(user="analyst", database="quiver")
    while not stop.is_set():
        step = rng.choice(MALFORMED_STEPS)
        try:
            with WireClient("127.0.0.1", server.port, source=source, timeout=30) as client:
                if step == "startup":
                    data = bytearray(valid_startup)
                    data[rng.randrange(len(data))] = rng.randrange(256)
                    client.send(bytes(data))
                    client.half_close()
                    result = client.drain()
                else:
                    client.login("analyst", PASSWORDS["analyst"])
                    result = _malformed_after_login(step, client, rng)
                if result.timed_out:
                    tally.error("malformed", "no_answer", f"{step}: the server neither answered nor closed", False)
                tally.judge("malformed", client.errors, EXPECTED_ABUSE_CODES)
                tally.ok("malformed")
        except LoginFailed as exc:
            tally.error("malformed", "login_failed", f"{step}: {exc}", expected=False)
        except OSError as exc:
            tally.error("malformed", type(exc).__name__, f"{step}: {exc}", expected=True)
        stop.wait(rng.uniform(0.05, 0.3))


def _malformed_after_login(step: str, client: WireClient, rng: random.Random) -> w.Result:
    if step == "unknown_type":
        client.send(w.frame(rng.choice((b"z", b"A", b"\x00", b"p")), rng.randbytes(8)))
        return client.drain()
    if step == "bad_bind":
        return client.extended(w.parse("s", "SELECT $1 AS a, $2 AS b", (23, 25)), w.bind("", "s", []), w.execute(""))
    if step == "binary_garbage":
        oid = rng.choice((20, 23, 701, 1700, 1082, 1114, 1186, 2950, 16))
        value = rng.randbytes(rng.choice((0, 1, 3, 8, 16)))
        return client.extended(w.parse("", "SELECT $1 AS v", (oid,)), w.bind("", "", [value], [1]), w.execute(""))
    if step == "deep":
        return client.simple(DEEP)
    client.send(rng.randbytes(rng.randint(1, 200)))
    client.half_close()
    return client.drain()


def cancel_own_queries(index: int, server: Server, tally: Tally, stop: threading.Event) -> None:
    """A long query, cancelled at a random moment (psycopg's cancel: a CancelRequest with the right key)."""
    rng = random.Random(f"cancel-{index}")
    conn: psycopg.Connection | None = None
    while not stop.is_set():
        try:
            if conn is None:
                conn = connect(server, tally, "analyst")
            timer = threading.Timer(rng.uniform(0.05, 0.4), conn.cancel)
            timer.start()
            try:
                conn.execute(LONG_QUERY).fetchall()
                tally.ok("cancel_storm")  # finished before the cancel arrived
            finally:
                timer.cancel()
        except psycopg.errors.QueryCanceled:
            tally.error("cancel_storm", "57014", "", expected=True)
        except psycopg.Error as exc:
            tally.error("cancel_storm", sqlstate(exc), str(exc), expected=False)
            conn = _discard(conn)
        stop.wait(0.05)
    _discard(conn)


def cancel_guesser(index: int, server: Server, tally: Tally, stop: threading.Event) -> None:
    """CancelRequests with guessed keys, about 20 a second: they must cancel nobody's query."""
    rng = random.Random(f"guess-cancel-{index}")
    source = f"127.0.0.{51 + index}"
    while not stop.is_set():
        try:
            with WireClient("127.0.0.1", server.port, source=source, timeout=5) as client:
                client.send(w.cancel_request(rng.randint(1, 4_000_000), rng.randint(-(2**31), 2**31 - 1)))
            tally.ok("cancel_guess")
        except OSError as exc:
            tally.error("cancel_guess", type(exc).__name__, str(exc), expected=True)
        stop.wait(0.05)


# -- the run ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mix:
    dashboard: int
    catalog: int
    export: int
    guessers: int
    slow: int
    malformed: int
    cancel_own: int
    cancel_guess: int

    @property
    def total(self) -> int:
        return sum(vars(self).values())

    @classmethod
    def for_clients(cls, clients: int) -> Mix:
        """The default mix of 100, scaled (abusive clients kept at 19 % of the total, at least one of each)."""
        scale = clients / 100
        abuse = [max(1, round(n * scale)) for n in (5, 5, 5, 2, 2)]
        catalog = max(1, round(20 * scale))
        dashboard = max(1, clients - sum(abuse) - catalog - 1)
        return cls(dashboard, catalog, 1, *abuse)


def reference_answers(server: Server) -> tuple[dict[tuple[str, str], Any], dict[str, str], int]:
    """Each user's answer to each dashboard query before the load, and the queries a user's policy refuses.

    A refused query (eu_analyst may not see revenue derived from gross amounts, for one) is left out of that
    user's dashboard rather than counted as an error a hundred times a second.
    """
    answers: dict[tuple[str, str], Any] = {}
    refused: dict[str, str] = {}
    for user in DASHBOARD_USERS:
        with psycopg.connect(server.dsn(user), autocommit=True) as conn:
            for name, sql in DASHBOARD.items():
                try:
                    answers[(user, name)] = conn.execute(sql).fetchall()
                except psycopg.Error as exc:
                    refused[f"{user} {name}"] = sqlstate(exc)
    with psycopg.connect(server.dsn("admin"), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM order_items").fetchone()
    return answers, refused, int(row[0]) if row else 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    started_wall = time.perf_counter()
    workers = args.workers or os.cpu_count() or 1
    mix = Mix.for_clients(args.clients)
    if args.only:
        kinds = set(args.only.split(","))
        unknown = kinds - set(vars(mix))
        if unknown:
            raise SystemExit(f"--only: unknown client kinds {sorted(unknown)}; known: {sorted(vars(mix))}")
        mix = Mix(**{kind: count if kind in kinds else 0 for kind, count in vars(mix).items()})
    directory = Path(tempfile.mkdtemp(prefix="quiver-soak-"))
    log(f"building the demo data and starting quiver serve --workers {workers}")
    server = start_server(directory, workers, args.max_connections)
    data: dict[str, Any] = {
        "machine": machine(),
        "parameters": {k: v for k, v in vars(args).items() if k not in ("publish",)},
        "server": {
            "workers": workers,
            "max_connections": args.max_connections,
            "flight": "off",
            "commit": git_commit(),
        },
        "clients": {**vars(mix), "total": mix.total, "threads_in_one_process": mix.total, "client_processes": 1},
        "psycopg": psycopg.__version__,
    }
    try:
        reference, refused, export_rows = reference_answers(server)
        data["dashboard_queries_refused_by_policy"] = refused
        memory: list[dict[str, Any]] = [server.memory(0.0, "before load")]
        log(f"server up, {memory[0]['rss_mib']:.0f} MiB; starting {mix.total} clients for {args.duration:g} s")
        tally = Tally()
        tally.warm_until = tally.started + args.warmup
        cpu_start = (tree_cpu_seconds(server.process.pid), time.process_time())
        load_average = {"start": round(os.getloadavg()[0], 2)}
        stop = threading.Event()
        threads = _client_threads(mix, server, tally, stop, reference, export_rows, args)
        for thread in threads:
            thread.start()
        events: list[str] = []
        next_sample = args.sample_every
        warm_sampled = False
        while True:
            elapsed = time.monotonic() - tally.started
            if elapsed >= args.duration:
                break
            time.sleep(min(1.0, args.duration - elapsed))
            elapsed = time.monotonic() - tally.started
            if not server.alive:
                events.append(f"{elapsed:.0f}s server exited with {server.process.returncode}")
                tally.error("server", "died", events[-1], expected=False)
                break
            if not warm_sampled and elapsed >= args.warmup:
                memory.append(server.memory(elapsed, "after warm-up"))
                warm_sampled = True
            if elapsed >= next_sample:
                memory.append(server.memory(elapsed))
                with tally.lock:
                    done = dict(tally.done)
                bad = sum(tally.unexpected.values())
                log(f"{elapsed:.0f}s rss {memory[-1]['rss_mib']:.0f} MiB, done {done}, unexpected {bad}")
                next_sample += args.sample_every
        load_seconds = time.monotonic() - tally.started
        cpu = {
            "server_percent_of_one_core": 100 * (tree_cpu_seconds(server.process.pid) - cpu_start[0]) / load_seconds,
            "clients_percent_of_one_core": 100 * (time.process_time() - cpu_start[1]) / load_seconds,
        }
        load_average["end"] = round(os.getloadavg()[0], 2)
        if server.alive:
            memory.append(server.memory(load_seconds, "end of load"))
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
        hung = [t.name for t in threads if t.is_alive()]
        if hung:
            tally.error("harness", "client_stuck", f"clients still running after stop: {hung[:10]}", expected=False)
        time.sleep(3)
        if server.alive:
            memory.append(server.memory(time.monotonic() - tally.started, "clients gone"))
        data.update(summarise(tally, memory, load_seconds, args))
        data["server_events"] = events
        data["cpu"] = {k: round(v, 1) for k, v in cpu.items()}
        data["load_average_1min"] = load_average
        if args.drain and server.alive:
            data["drain"] = drain(server, reference, export_rows, args)
            cut = sum(data["drain"]["unexpected"].values())
            data["targets"]["sigterm_drain_unexpected"] = {"measured": cut, "limit": "0", "met": cut == 0}
        log_text = server.log_path.read_text(errors="replace")
        data["server_log"] = {
            "bytes": len(log_text.encode()),
            "internal_errors": log_text.count("internal error (request"),
            "tracebacks": log_text.count("Traceback (most recent call last)"),
        }
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
    data["wall_seconds"] = time.perf_counter() - started_wall
    return data


class DrainTally(Tally):
    """Outcomes while the server shuts down: an error naming the shutdown is expected, a cut connection is not."""

    def error(self, kind: str, code: str, message: str, expected: bool) -> None:
        if kind in ("dashboard", "export", "catalog"):
            text = message.lower()
            if code in ("57P01", "57P03") or "administrator command" in text or "shutting down" in text:
                expected = True
            elif "refused" in text:  # a new connection after the server has gone
                code, expected = "refused_after_shutdown", True
            else:
                code = f"cut ({code})"
        super().error(kind, code, message, expected)


def drain(server: Server, reference: dict[tuple[str, str], Any], export_rows: int, args: argparse.Namespace) -> Any:
    """SIGTERM under load: 20 dashboard clients and the export run while the server drains and exits.

    Running queries may finish within QUIVER_SHUTDOWN_GRACE, everyone else gets 57P01 (issue 9: queries
    were cut off after a second with no error). Expected: errors naming the shutdown and refused
    reconnections; unexpected: anything else, or a server still running past the grace period.
    """
    tally = DrainTally()
    stop = threading.Event()
    mix = Mix(min(20, args.clients), catalog=0, export=1, guessers=0, slow=0, malformed=0, cancel_own=0, cancel_guess=0)
    threads = _client_threads(mix, server, tally, stop, reference, export_rows, args)
    for thread in threads:
        thread.start()
    time.sleep(3)
    log(f"SIGTERM to the server with {mix.total} clients running")
    sent = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    limit = GRACE + 10
    try:
        code: int | None = server.process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        code = None
        tally.error("server", "still_running", f"{limit:g} s after SIGTERM", expected=False)
    exited_after = time.monotonic() - sent
    if code is not None and exited_after > GRACE + 5:
        tally.error("server", "slow_exit", f"exited {exited_after:.1f} s after SIGTERM", expected=False)
    time.sleep(1)  # the clients meet the closed port
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return {
        "clients": mix.total,
        "exit_code": code,
        "exited_after_seconds": round(exited_after, 2),
        "completed": dict(tally.done),
        "expected": dict(sorted(tally.expected.items())),
        "unexpected": dict(sorted(tally.unexpected.items())),
        "unexpected_samples": tally.samples[:10],
    }


def _client_threads(
    mix: Mix,
    server: Server,
    tally: Tally,
    stop: threading.Event,
    reference: dict[tuple[str, str], Any],
    export_rows: int,
    args: argparse.Namespace,
) -> list[threading.Thread]:
    specs: list[tuple[str, Callable[[], None]]] = []
    for i in range(mix.dashboard):
        specs.append((f"dashboard-{i}", lambda i=i: dashboard_client(i, server, tally, stop, reference, args.think)))
    for i in range(mix.catalog):
        specs.append((f"catalog-{i}", lambda i=i: catalog_client(i, server, tally, stop, args.catalog_think)))
    for _ in range(mix.export):
        specs.append(("export", lambda: export_client(server, tally, stop, export_rows)))
    for name, count, target in (
        ("guesser", mix.guessers, password_guesser),
        ("slow", mix.slow, slow_starter),
        ("malformed", mix.malformed, malformed_client),
        ("cancel-own", mix.cancel_own, cancel_own_queries),
        ("cancel-guess", mix.cancel_guess, cancel_guesser),
    ):
        for i in range(count):
            specs.append((f"{name}-{i}", lambda i=i, target=target: target(i, server, tally, stop)))
    return [threading.Thread(target=_guarded(name, fn, tally), name=name, daemon=True) for name, fn in specs]


def _guarded(name: str, function: Callable[[], None], tally: Tally) -> Callable[[], None]:
    """A client that crashes is an unexpected error of the harness, not a silent gap in the load."""

    def run_client() -> None:
        try:
            function()
        except Exception as exc:
            tally.error("harness", type(exc).__name__, f"{name}: {traceback.format_exc()[-600:]}", expected=False)

    return run_client


def summarise(tally: Tally, memory: list[dict[str, Any]], seconds: float, args: argparse.Namespace) -> dict[str, Any]:
    measured = max(1e-9, seconds - args.warmup)
    latency: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for name, values in sorted(tally.latencies.items()):
        every += values
        latency[name] = _stats(values)
    latency["all dashboard queries"] = _stats(every)
    warm = next((m["rss_mib"] for m in memory if m["label"] == "after warm-up"), None)
    end = next((m["rss_mib"] for m in memory if m["label"] == "end of load"), None)
    ratio = end / warm if warm and end else None
    unexpected = sum(tally.unexpected.values())
    return {
        "load_seconds": seconds,
        "operations": dict(tally.done),
        "rates_per_second": {k: v / seconds for k, v in tally.done.items()},
        "dashboard_queries_per_second_after_warmup": len(every) / measured,
        "latency_ms": latency,
        "login_ms": _stats(tally.logins),
        "errors": {
            "expected": dict(sorted(tally.expected.items())),
            "unexpected": dict(sorted(tally.unexpected.items())),
            "unexpected_samples": tally.samples,
        },
        "slow_startup_held_seconds": _stats(tally.held_unauthenticated, scale=1.0),
        "export_rows": dict(tally.export_rows),
        "memory": memory,
        "targets": {
            "unexpected_errors": {"measured": unexpected, "limit": "0", "met": unexpected == 0},
            "memory_end_over_warm": {
                "measured": None if ratio is None else round(ratio, 3),
                "limit": "0.8 to 1.2",
                "met": ratio is not None and 0.8 <= ratio <= 1.2,
            },
        },
    }


def _stats(values: list[float], scale: float = 1000.0) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": statistics.median(values) * scale,
        "p99": percentile(values, 0.99) * scale,
        "max": max(values) * scale,
    }


def markdown(data: dict[str, Any]) -> str:
    p, c = data["parameters"], data["clients"]
    lines = [
        "# Soak: 100 clients, well-behaved and abusive, against one `quiver serve`",
        "",
        f"Generated by `benchmarks/soak.py` in {data['wall_seconds']:.0f} s: {data['load_seconds']:.0f} s of load "
        f"(the first {p['warmup']:g} s a warm-up, left out of the latency figures), demo data product at scale 1, "
        f"`quiver serve --workers {data['server']['workers']} --max-connections {data['server']['max_connections']}` "
        f"(Flight off) at commit {data['server']['commit']}. Clients: "
        f"{c['dashboard']} dashboard (psycopg; admin, analyst, eu_analyst in turn; think time 0-{2 * p['think']:g} s), "
        f"{c['catalog']} catalog (guest, a reflection session per connection; pause 0-{2 * p['catalog_think']:g} s), "
        f"{c['export']} export (COPY / SELECT * of order_items), and abusive: {c['guessers']} password guessers, "
        f"{c['slow']} slow start-up clients (4 connections each), {c['malformed']} malformed-message clients, "
        f"{c['cancel_own']} cancelling their own queries, {c['cancel_guess']} sending guessed cancel keys: "
        f"{c['total']} clients, all threads of one Python process (psycopg {data['psycopg']}), on the same machine "
        "as the server.",
        "",
        machine_markdown(data["machine"]),
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, t in data["targets"].items():
        lines.append(f"| {name} | {t['measured']} | {t['limit']} | {'yes' if t['met'] else 'NO'} |")
    lines += ["", "## Dashboard latency after the warm-up (ms)", "", "| query | n | p50 | p99 | max |"]
    lines.append("| --- | --- | --- | --- | --- |")
    for name, s in data["latency_ms"].items():
        if s.get("n"):
            lines.append(f"| {name} | {s['n']:,} | {s['p50']:.1f} | {s['p99']:.1f} | {s['max']:.1f} |")
    login = data["login_ms"]
    lines += [
        "",
        f"Dashboard queries per second after the warm-up: {data['dashboard_queries_per_second_after_warmup']:.1f}. "
        + (
            f"Logins of the well-behaved clients: {login['n']:,}, p50 {login['p50']:.1f} ms, p99 {login['p99']:.1f} ms."
            if login.get("n")
            else ""
        ),
        "",
        f"CPU during the load: server processes {data['cpu']['server_percent_of_one_core']:.0f} % of one core, "
        f"the client process {data['cpu']['clients_percent_of_one_core']:.0f} % (of {data['machine']['cores']} cores); "
        f"one-minute load average {data['load_average_1min']['start']} at the start, "
        f"{data['load_average_1min']['end']} at the end (the machine may be shared with other work).",
        "",
        "## Operations (whole run)",
        "",
        "| client kind | done | per second |",
        "| --- | --- | --- |",
    ]
    for kind, count in sorted(data["operations"].items()):
        lines.append(f"| {kind} | {count:,} | {data['rates_per_second'][kind]:.1f} |")
    held = data["slow_startup_held_seconds"]
    if held.get("n"):
        lines.append("")
        lines.append(
            f"Slow start-up connections ended by the server: {held['n']:,}, held p50 {held['p50']:.1f} s, "
            f"max {held['max']:.1f} s."
        )
    lines += [
        "",
        "## Errors",
        "",
        "| client kind and SQLSTATE (or outcome) | expected | count |",
        "| --- | --- | --- |",
    ]
    for key, count in data["errors"]["expected"].items():
        lines.append(f"| {key} | yes | {count:,} |")
    for key, count in data["errors"]["unexpected"].items():
        lines.append(f"| {key} | **NO** | {count:,} |")
    if data["errors"]["unexpected_samples"]:
        lines += ["", "First unexpected errors:", ""]
        lines += [f"- `{s[:300]}`" for s in data["errors"]["unexpected_samples"][:15]]
    refused = data.get("dashboard_queries_refused_by_policy") or {}
    if refused:
        lines += [
            "",
            "Left out of a user's dashboard because the user's policy refuses them (checked before the load): ",
        ]
        lines[-1] += ", ".join(f"{k} ({v})" for k, v in refused.items()) + "."
    drained = data.get("drain")
    if drained:
        lines += [
            "",
            "## SIGTERM under load",
            "",
            f"After the load, {drained['clients']} clients (dashboards and the export) ran for 3 s, then the server "
            f"got SIGTERM: it exited after {drained['exited_after_seconds']} s with status {drained['exit_code']} "
            f"(grace {GRACE:g} s). Completed meanwhile: {drained['completed'] or 'nothing'}. Expected outcomes: "
            f"{drained['expected'] or 'none'}. Unexpected: {drained['unexpected'] or 'none'}.",
        ]
        lines += [f"- `{sample[:300]}`" for sample in drained["unexpected_samples"][:5]]
    log_info = data["server_log"]
    lines += [
        "",
        f"Server log: {log_info['bytes']:,} bytes, {log_info['internal_errors']} internal error(s), "
        f"{log_info['tracebacks']} traceback(s). Server events: {', '.join(data['server_events']) or 'none'}.",
        "",
        "## Server memory (RSS of the process tree, MiB)",
        "",
        "| at (s) | | RSS | per process (master first) |",
        "| --- | --- | --- | --- |",
    ]
    for sample in data["memory"]:
        each = " + ".join(f"{size:.0f}" for size in sample.get("per_process_mib", []))
        lines.append(f"| {sample['t']:.0f} | {sample['label']} | {sample['rss_mib']:.0f} | {each} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    parser.add_argument("--clients", type=int, default=100, help="clients in all (default 100)")
    parser.add_argument("--workers", type=int, default=0, help="server worker processes (default: one per core)")
    parser.add_argument("--max-connections", type=int, default=400, help="the server's --max-connections")
    parser.add_argument("--think", type=float, default=0.5, help="mean dashboard think time in seconds")
    parser.add_argument("--catalog-think", type=float, default=1.0, help="mean pause between reflection sessions")
    parser.add_argument("--warmup", type=float, help="seconds left out of latency; memory baseline (default 60)")
    parser.add_argument("--sample-every", type=float, default=30.0, help="seconds between memory samples")
    parser.add_argument(
        "--no-drain", dest="drain", action="store_false", help="skip the final SIGTERM-under-load phase"
    )
    parser.add_argument("--only", help="run only these client kinds (comma-separated, e.g. dashboard,catalog)")
    parser.add_argument("--publish", action="store_true", help="write benchmarks/results/ even for a short run")
    args = parser.parse_args()
    if args.warmup is None:
        args.warmup = min(60.0, args.duration / 5)
    data = run(args)
    text = markdown(data)
    if args.duration >= 600 or args.publish:
        write_results("soak", data, text)
    else:  # a short run never replaces the published figures
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / "soak-short.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
        (CACHE / "soak-short.md").write_text(text + "\n")
    print(text)
    if not all(target["met"] for name, target in data["targets"].items() if name != "memory_end_over_warm"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

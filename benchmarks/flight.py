"""Arrow Flight: Quiver's Flight SQL and plain Flight against a minimal DuckDB Flight server and DuckDB in process.

Targets (issue 5), one run, rounds interleaved:

* 1,000,000 TPC-H lineitem rows (8 columns) into an Arrow table through Quiver's
  Flight: at most 1.5x the time DuckDB takes in process to produce the same table;
* the same rows into pandas with DuckDB's ``.df()`` column types: at most 1.5x ``.df()``;
* at least 5x faster than the same rows into pandas through Quiver's PostgreSQL
  wire server with psycopg.

Also measured: a minimal pyarrow.flight server that only runs DuckDB (the cost of
Flight itself), and TPC-H Q1 (10 columns, 4 rows) on every path.

Small statements (issue 10), over the demo data product: ``SELECT 1`` and a dashboard
query through ADBC Flight SQL and through psycopg over the PostgreSQL wire, one
connection each kept open, in interleaved rounds of the same run; target: Flight SQL
takes at most 2x the wire's time. ``--small-only`` runs this section alone and writes
``results/flight_small.{json,md}``.

    python benchmarks/flight.py [--rows 1000000] [--rounds 5] [--small-only]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import adbc_driver_flightsql.dbapi as flightsql  # noqa: E402
import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import psycopg  # noqa: E402
import pyarrow as pa  # noqa: E402
from pyarrow import flight  # noqa: E402

from benchmarks.harness import machine, machine_markdown, write_results  # noqa: E402
from benchmarks.wire import (  # noqa: E402
    CACHE,
    MODELS,
    PASSWORD,
    Q1_SEMANTIC,
    Q1_STANDARD,
    QUIVER_MAIN,
    USER,
    Target,
    ensure_tpch,
    ensure_users,
    fetch_sql,
    git_state,
    log,
    subprocess_server,
)
from server.protocol.flight.frames import duckdb_like_pandas  # noqa: E402
from tests.support.postgres import free_port  # noqa: E402

# The reference server: pyarrow.flight over DuckDB and nothing else (no auth, no compiler, no policies).
MINIMAL_FLIGHT = """
import sys, duckdb, pyarrow.flight as flight
class Minimal(flight.FlightServerBase):
    def __init__(self, location, path):
        super().__init__(location)
        self.db = duckdb.connect(path, read_only=True)
    def do_get(self, context, ticket):
        cursor = self.db.cursor()
        return flight.RecordBatchStream(cursor.execute(ticket.ticket.decode()).to_arrow_reader(65536))
server = Minimal(f"grpc://127.0.0.1:{sys.argv[2]}", sys.argv[1])
print("minimal flight listening", flush=True)
server.serve()
"""


def wait_for_flight(location: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            flight.FlightClient(location).wait_for_available(timeout=1)
            return
        except flight.FlightUnauthenticatedError:
            return  # it answers: it wants credentials
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"no Flight server at {location}")


@contextlib.contextmanager
def minimal_flight(database: Path) -> Iterator[str]:
    port = free_port()
    log_path = CACHE / "logs" / "minimal-flight.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", MINIMAL_FLIGHT, str(database), str(port)], stdout=out,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    try:
        location = f"grpc://127.0.0.1:{port}"
        wait_for_flight(location)
        yield location
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def quiver(database: Path, users: Path) -> Iterator[tuple[Target, str]]:
    port, flight_port = free_port(), free_port()
    command = [
        sys.executable, "-c", QUIVER_MAIN, "serve", "--models", str(MODELS), "--database", str(database),
        "--pg-port", str(port), "--workers", "1", "--users", str(users), "--flight-port", str(flight_port),
    ]  # fmt: skip
    target = Target("quiver_1", port, "quiver", Q1_SEMANTIC, Q1_SEMANTIC)
    with subprocess_server("quiver_flight", command, target):
        location = f"grpc://127.0.0.1:{flight_port}"
        wait_for_flight(location)
        yield target, location


class Paths:
    """Every way of getting a query's rows, as functions returning an Arrow table or a DataFrame."""

    def __init__(self, direct: duckdb.DuckDBPyConnection, minimal: str, quiver_flight: str, wire: Target) -> None:
        self.direct = direct
        self.minimal = flight.FlightClient(minimal)
        self.quiver = flight.FlightClient(quiver_flight)
        token = self.quiver.authenticate_basic_token(USER.encode(), PASSWORD.encode())
        self.options = flight.FlightCallOptions(headers=[token])
        self.adbc = flightsql.connect(quiver_flight, db_kwargs={"username": USER, "password": PASSWORD},
                                      autocommit=True)  # fmt: skip
        self.wire = wire

    def close(self) -> None:
        self.adbc.close()

    def duckdb_arrow(self, sql: str) -> pa.Table:
        return self.direct.execute(sql).to_arrow_table()

    def duckdb_df(self, sql: str) -> pd.DataFrame:
        return self.direct.execute(sql).df()

    def minimal_arrow(self, sql: str) -> pa.Table:
        return self.minimal.do_get(flight.Ticket(sql.encode())).read_all()

    def quiver_flight_arrow(self, sql: str) -> pa.Table:
        info = self.quiver.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), self.options)
        return self.quiver.do_get(info.endpoints[0].ticket, self.options).read_all()

    def quiver_flight_pandas(self, sql: str) -> pd.DataFrame:
        return duckdb_like_pandas(self.quiver_flight_arrow(sql))

    def quiver_flightsql_arrow(self, sql: str) -> pa.Table:
        with self.adbc.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetch_arrow_table()

    def quiver_flightsql_pandas(self, sql: str) -> pd.DataFrame:
        return duckdb_like_pandas(self.quiver_flightsql_arrow(sql))

    def quiver_wire_pandas(self, sql: str) -> pd.DataFrame:
        with self.wire.psycopg() as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            names = [c.name for c in cursor.description or []]
            frame = pd.DataFrame(cursor.fetchall(), columns=names)
        # DuckDB's .df() types: numerics as float64, dates as datetime64.
        for name in frame.columns:
            if frame[name].dtype == object and len(frame) and not isinstance(frame[name].iloc[0], str):
                frame[name] = pd.to_numeric(frame[name]) if hasattr(frame[name].iloc[0], "as_tuple") else \
                    pd.to_datetime(frame[name])  # fmt: skip
        return frame


ARROW_PATHS = ("duckdb_arrow", "minimal_arrow", "quiver_flight_arrow", "quiver_flightsql_arrow")
PANDAS_PATHS = ("duckdb_df", "quiver_flight_pandas", "quiver_flightsql_pandas", "quiver_wire_pandas")


def check(paths: Paths, sql_semantic: str, sql_direct: str) -> None:
    """Before timing: Quiver's Arrow answers equal DuckDB's, and the pandas frames have DuckDB's dtypes."""
    expected = paths.duckdb_arrow(sql_direct)
    for name in ("minimal_arrow", "quiver_flight_arrow", "quiver_flightsql_arrow"):
        sql = sql_direct if name == "minimal_arrow" else sql_semantic
        got = getattr(paths, name)(sql)
        if got.num_rows != expected.num_rows or got.sort_by(got.column_names[0]).column(0) != expected.sort_by(
            expected.column_names[0]
        ).column(0):
            raise SystemExit(f"{name} answered differently from DuckDB")
    reference = paths.duckdb_df(sql_direct).dtypes.tolist()
    for name in ("quiver_flight_pandas", "quiver_flightsql_pandas"):
        if getattr(paths, name)(sql_semantic).dtypes.tolist() != reference:
            raise SystemExit(f"{name}: column types differ from DuckDB's .df()")


def measure(paths: Paths, names: tuple[str, ...], sql_semantic: str, sql_direct: str, rounds: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds + 1):  # round 0 warms up
        order = list(names[round_number % len(names) :] + names[: round_number % len(names)])
        for name in order:
            function: Callable[[str], Any] = getattr(paths, name)
            sql = sql_direct if name.startswith(("duckdb", "minimal")) else sql_semantic
            started = time.perf_counter()
            function(sql)
            if round_number:
                samples[name].append(time.perf_counter() - started)
    return {name: {"median": statistics.median(v), "min": min(v), "samples": v} for name, v in samples.items()}


# -- small statements: what a statement costs beyond its rows -----------------------------------------

SMALL_STATEMENTS = {  # name -> (SQL, executions per timed batch)
    "select_1": ("SELECT 1", 200),
    "dashboard": (  # the compile benchmark's dashboard question, over the demo data product
        "SELECT customer_region, DATE_TRUNC('month', order_ts) AS month, net_revenue, order_count FROM sales "
        "WHERE status IN ('shipped', 'placed') AND order_ts >= DATE '2024-01-01' "
        "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 100",
        20,
    ),
}
SMALL_PATHS = ("flightsql_adbc", "wire_psycopg")
DEMO_USER, DEMO_PASSWORD = "admin", "admin-pass"  # the demo's own users file


@contextlib.contextmanager
def demo_quiver() -> Iterator[tuple[Target, str]]:
    """``quiver serve`` over the demo data product (its models and users), one worker, Flight in its own process."""
    from server.demo.generate import build_demo

    database = CACHE / "flight-small-demo.duckdb"
    if not database.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        build_demo(database, scale=1.0)
    port, flight_port = free_port(), free_port()
    command = [
        sys.executable, "-c", QUIVER_MAIN, "serve", "--database", str(database),
        "--pg-port", str(port), "--workers", "1", "--flight-port", str(flight_port),
    ]  # fmt: skip
    target = Target("quiver_demo", port, "quiver", "SELECT 1", "SELECT 1", user=DEMO_USER, password=DEMO_PASSWORD)
    with subprocess_server("quiver_flight_small", command, target):
        location = f"grpc://127.0.0.1:{flight_port}"
        wait_for_flight(location)
        yield target, location


def small_statements(rounds: int) -> dict[str, Any]:
    """Per statement and path: seconds per execution (median of the rounds' batches) and the Flight/wire ratio."""
    results: dict[str, Any] = {}
    with demo_quiver() as (wire, location):
        adbc = flightsql.connect(location, db_kwargs={"username": DEMO_USER, "password": DEMO_PASSWORD},
                                 autocommit=True)  # fmt: skip
        cursor = adbc.cursor()
        connection = wire.psycopg()

        def flightsql_adbc(sql: str) -> list[Any]:
            cursor.execute(sql)
            return cursor.fetchall()

        def wire_psycopg(sql: str) -> list[Any]:
            return connection.execute(sql).fetchall()

        paths: dict[str, Callable[[str], list[Any]]] = {"flightsql_adbc": flightsql_adbc, "wire_psycopg": wire_psycopg}
        try:
            for name, (sql, batch) in SMALL_STATEMENTS.items():
                answers = {path: run(sql) for path, run in paths.items()}
                if answers["flightsql_adbc"] != [tuple(row) for row in answers["wire_psycopg"]]:
                    raise SystemExit(f"{name}: Flight SQL and the wire answered differently")
                samples: dict[str, list[float]] = {path: [] for path in SMALL_PATHS}
                for round_number in range(rounds + 1):  # round 0 warms up
                    order = SMALL_PATHS[round_number % 2 :] + SMALL_PATHS[: round_number % 2]
                    for path in order:
                        run = paths[path]
                        started = time.perf_counter()
                        for _ in range(batch):
                            run(sql)
                        if round_number:
                            samples[path].append((time.perf_counter() - started) / batch)
                cells = {
                    path: {"median": statistics.median(v), "min": min(v), "samples": v} for path, v in samples.items()
                }
                ratio = cells["flightsql_adbc"]["median"] / cells["wire_psycopg"]["median"]
                results[name] = {"sql": sql, "batch": batch, **cells, "flightsql_over_wire": ratio}
                log(f"{name}: Flight SQL {cells['flightsql_adbc']['median'] * 1e3:.2f} ms, "
                    f"wire {cells['wire_psycopg']['median'] * 1e3:.2f} ms, ratio {ratio:.2f}")  # fmt: skip
        finally:
            cursor.close()
            adbc.close()
            connection.close()
    return results


def small_markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Small statements: ADBC Flight SQL against psycopg over the PostgreSQL wire",
        "",
        f"Generated by `benchmarks/flight.py --small-only` in {results['seconds']} s over the demo data product "
        f"(`quiver serve --workers 1`, Flight in its own process); medians of {results['rounds']} interleaved "
        "rounds after a warm-up, each round a batch of executions on one open connection per client, rows "
        f"fetched with `fetchall`. Quiver commit {results['quiver'].get('commit', '?')}. Answers checked equal "
        "before timing.",
        "",
        machine_markdown(results["machine"]),
        "",
        "| statement | Flight SQL (ADBC), ms | wire (psycopg), ms | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, cell in results["small"].items():
        ratio = cell["flightsql_over_wire"]
        lines.append(
            f"| {name} | {cell['flightsql_adbc']['median'] * 1e3:.2f} | {cell['wire_psycopg']['median'] * 1e3:.2f} "
            f"| {ratio:.2f} | <= 2 | {'yes' if ratio <= 2 else 'NO'} |"
        )
    lines += ["", "Statements:", ""] + [f"* {name}: `{cell['sql']}`" for name, cell in results["small"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--small-only", action="store_true", help="only the small-statement section")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.small_only:
        small: dict[str, Any] = {"machine": machine(), "quiver": git_state(), "rounds": args.rounds}
        small["small"] = small_statements(args.rounds)
        small["seconds"] = round(time.perf_counter() - started, 1)
        write_results("flight_small", small, small_markdown(small))
        log("written benchmarks/results/flight_small.{json,md}")
        return
    database, data_info = ensure_tpch(1.0)
    users = ensure_users()
    direct = duckdb.connect(str(database), read_only=True)
    fetch = fetch_sql(args.rows)
    results: dict[str, Any] = {
        "machine": machine(),
        "data": data_info,
        "quiver": git_state(),
        "rows": args.rows,
        "rounds": args.rounds,
        "clients": {
            "pyarrow": pa.__version__,
            "adbc_driver_flightsql": flightsql.__version__ if hasattr(flightsql, "__version__") else "?",
            "psycopg": psycopg.__version__,
        },
    }
    with minimal_flight(database) as minimal, quiver(database, users) as (wire, quiver_flight):
        paths = Paths(direct, minimal, quiver_flight, wire)
        try:
            log("checking answers")
            check(paths, fetch, fetch)
            check(paths, Q1_SEMANTIC, Q1_STANDARD)
            log(f"fetch {args.rows:,} rows into Arrow")
            results["fetch_arrow"] = measure(paths, ARROW_PATHS, fetch, fetch, args.rounds)
            log("... into pandas")
            results["fetch_pandas"] = measure(paths, PANDAS_PATHS, fetch, fetch, args.rounds)
            log("TPC-H Q1")
            results["q1"] = measure(paths, ARROW_PATHS + PANDAS_PATHS, Q1_SEMANTIC, Q1_STANDARD, args.rounds)
        finally:
            paths.close()
    arrow, frames = results["fetch_arrow"], results["fetch_pandas"]
    results["targets"] = {
        "arrow_quiver_flight_over_duckdb": arrow["quiver_flight_arrow"]["median"] / arrow["duckdb_arrow"]["median"],
        "arrow_quiver_flightsql_over_duckdb": arrow["quiver_flightsql_arrow"]["median"]
        / arrow["duckdb_arrow"]["median"],
        "pandas_quiver_flight_over_duckdb_df": frames["quiver_flight_pandas"]["median"] / frames["duckdb_df"]["median"],
        "pandas_quiver_flightsql_over_duckdb_df": frames["quiver_flightsql_pandas"]["median"]
        / frames["duckdb_df"]["median"],
        "pandas_wire_psycopg_over_quiver_flight": frames["quiver_wire_pandas"]["median"]
        / frames["quiver_flight_pandas"]["median"],
    }
    results["seconds"] = round(time.perf_counter() - started, 1)
    write_results("flight", results, markdown(results))
    log("written benchmarks/results/flight.{json,md}")


LABELS = {
    "duckdb_arrow": "DuckDB in process, `.to_arrow_table()`",
    "minimal_arrow": "minimal pyarrow.flight server over DuckDB",
    "quiver_flight_arrow": "Quiver, plain Flight (pyarrow `read_all`)",
    "quiver_flightsql_arrow": "Quiver, Flight SQL (ADBC `fetch_arrow_table`)",
    "duckdb_df": "DuckDB in process, `.df()`",
    "quiver_flight_pandas": "Quiver, plain Flight + `duckdb_like_pandas`",
    "quiver_flightsql_pandas": "Quiver, Flight SQL (ADBC) + `duckdb_like_pandas`",
    "quiver_wire_pandas": "Quiver, PostgreSQL wire, psycopg 3 `fetchall` + DataFrame",
}
LIMITS = {
    "arrow_quiver_flight_over_duckdb": ("<= 1.5", lambda v: v <= 1.5),
    "arrow_quiver_flightsql_over_duckdb": ("<= 1.5", lambda v: v <= 1.5),
    "pandas_quiver_flight_over_duckdb_df": ("<= 1.5", lambda v: v <= 1.5),
    "pandas_quiver_flightsql_over_duckdb_df": ("<= 1.5", lambda v: v <= 1.5),
    "pandas_wire_psycopg_over_quiver_flight": (">= 5 (wire time / Flight time)", lambda v: v >= 5),
}


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Arrow Flight: Quiver against a minimal DuckDB Flight server and DuckDB in process",
        "",
        f"Generated by `benchmarks/flight.py` in {results['seconds']} s: TPC-H SF1, {results['rows']:,} lineitem "
        f"rows (8 columns) and TPC-H Q1; medians of {results['rounds']} interleaved rounds after a warm-up. "
        f"Quiver commit {results['quiver'].get('commit', '?')}; `quiver serve --workers 1`, Flight in its own "
        "process. Answers checked equal to DuckDB's, and pandas column types equal to `.df()`'s, before timing.",
        "",
        machine_markdown(results["machine"]),
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, value in results["targets"].items():
        limit, ok = LIMITS[name]
        lines.append(f"| {name} | {value:.2f} | {limit} | {'yes' if ok(value) else 'NO'} |")
    for section, title in (("fetch_arrow", "into Arrow"), ("fetch_pandas", "into pandas")):
        lines += [
            "",
            f"## {results['rows']:,} rows {title} (seconds)",
            "",
            "| path | median | min |",
            "| --- | --- | --- |",
        ]
        for name, cell in results[section].items():
            lines.append(f"| {LABELS[name]} | {cell['median']:.3f} | {cell['min']:.3f} |")
    lines += ["", "## TPC-H Q1 (ms)", "", "| path | median | min |", "| --- | --- | --- |"]
    for name, cell in results["q1"].items():
        lines.append(f"| {LABELS[name]} | {cell['median'] * 1000:.1f} | {cell['min'] * 1000:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""The README's figures and counts are still true (the way datasette's documentation tests keep its docs honest).

Each fact is found in the README by a pattern and compared with what it describes: the
code, the test suite, or the benchmark results file a figure cites. Rewording a sentence
makes its pattern miss, which fails as loudly as a wrong number, so the test and the README
change together. Benchmark figures must equal their results file's value within the
rounding the README shows; the prose figures that come from elsewhere (earlier runs,
profiles) are listed with where they come from, so a new figure cannot slip in unchecked.

Facts the README gets wrong today are strict xfails: fixing the README makes them pass,
and then the marker must go.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.duckdb import DuckDBConnector
from server.cli import build_parser
from server.config import DEMO_USERS, PROJECT_ROOT, documented_settings
from server.demo.generate import DemoSizes
from tests.meta.test_docs import _codes_used

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
RESULTS = ROOT / "benchmarks" / "results"
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def section(title: str) -> str:
    """The text under a ``## title`` or ``### title`` heading, up to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ |\Z)", README, flags=re.MULTILINE | re.DOTALL)
    assert match, f"the README has no section {title!r}"
    return match.group(1)


def stated(pattern: str, text: str = README) -> str:
    """The first group of ``pattern`` in ``text`` (whitespace in the pattern matches line breaks too)."""
    flexible = pattern.replace(" ", r"\s+")
    match = re.search(flexible, text)
    assert match, f"the README no longer says {pattern!r}: update it and this test together"
    return match.group(1)


def number(text: str) -> float:
    return float(text.replace(",", ""))


def roughly(claim: float, actual: float, tolerance: float = 0.1) -> bool:
    """``about N``: within ``tolerance`` (a fraction) of the actual value."""
    return abs(actual - claim) <= tolerance * actual


def within_rounding(text: str, actual: float) -> bool:
    """``text`` is ``actual`` rounded to the decimals ``text`` shows."""
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return abs(number(text) - actual) <= 0.5 * 10**-decimals + 1e-9


def table_rows(text: str) -> list[list[str]]:
    """The body rows of every Markdown table in ``text``, as stripped cells (headers and rules left out)."""
    lines = text.splitlines()
    rows = []
    for index, line in enumerate(lines):
        if not line.strip().startswith("|") or set(line.replace("|", "").strip()) <= set("- "):
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if following.startswith("| ---"):
            continue  # a header row
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


# -- counts -----------------------------------------------------------------------------------------


@cache
def collected_tests() -> int:
    """How many tests pytest collects (about 6 s: collection imports every test module once)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(ROOT / "tests")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    counts = re.findall(r"^\S+\.py: (\d+)$", result.stdout, flags=re.MULTILINE)
    assert counts, result.stdout[-2000:] + result.stderr[-2000:]
    return sum(int(count) for count in counts)


def test_the_number_of_tests() -> None:
    claim = number(stated(r"runs ruff, mypy and pytest \(about ([\d,]+) tests", section("Tests")))
    assert roughly(claim, collected_tests()), f"README: about {claim:,.0f} tests; collected {collected_tests():,}"


def test_the_number_of_compiler_cases() -> None:
    from tests.unit.compiler.cases import CASES

    claim = number(stated(r"test_cases.py`: (\d+) cases", section("Tests")))
    assert claim == len(CASES), f"README: {claim:.0f} compiler cases; cases.py has {len(CASES)}"


def test_every_compiler_case_has_a_snapshot_and_no_snapshot_is_orphaned() -> None:
    from tests.unit.compiler.cases import CASES

    snapshots = {path.stem for path in (ROOT / "tests/unit/compiler/snapshots").glob("*.sql")}
    assert snapshots == {case.name for case in CASES}


def test_the_number_of_captured_catalog_queries() -> None:
    from tests.unit.catalog.test_corpus import CORPUS

    claim = number(stated(r"`tests/unit/catalog/` replays (\d+) catalog queries", section("The catalog")))
    assert claim == len(CORPUS)


def test_the_number_of_bi_tool_introspection_queries() -> None:
    queries = list((ROOT / "tests/fixtures/introspection").glob("*/*.sql"))
    claim = number(stated(r"`tests/fixtures/introspection/` holds (\d+) queries", section("The catalog")))
    assert claim == len(queries)


def test_the_demo_data_sizes_at_scale_one(connector: DuckDBConnector) -> None:
    text = section("The demo data product")
    sizes = DemoSizes.for_scale(1.0)
    assert number(stated(r"Scale 1 is ([\d,]+) customers", text)) == sizes.customers
    assert number(stated(r"customers, ([\d,]+) products", text)) == sizes.products
    assert number(stated(r"products, ([\d,]+) orders", text)) == sizes.orders
    # Through the session's connector: DuckDB refuses a second connection to the same file with another
    # configuration while the connector holds it open.
    lines = connector.execute("SELECT count(*) AS n FROM raw.order_items").read_all().column("n")[0].as_py()
    assert roughly(number(stated(r"about ([\d,]+) order lines", text)), lines)


def test_the_jdbc_cursor_row_count(connector: DuckDBConnector) -> None:
    """The pgJDBC cursor reads every order line once per channel (tests/integration/clients.py)."""
    rows = connector.execute(
        "SELECT (SELECT count(*) FROM raw.order_items) * (SELECT count(DISTINCT channel) FROM raw.orders) AS n"
    ).read_all()
    assert (
        number(stated(r"a fetch-size cursor over ([\d,]+) rows", section("Clients tested")))
        == rows.column("n")[0].as_py()
    )


def test_the_number_of_fuzzed_binary_parameter_types() -> None:
    from tests.integration.test_fuzz_wire import OID

    assert number(stated(r"garbage binary parameters of (\d+) types", section("Tests"))) == len(OID)


def test_the_demo_users() -> None:
    users = [user["name"] for user in yaml.safe_load(DEMO_USERS.read_text())["users"]]
    assert stated(r"as each of the (\w+) demo users", section("Tests")) == _word(len(users))
    table = table_rows(section("Who sees what in the demo"))
    assert [re.findall(r"`(\w+)`", row[0])[0] for row in table] == users


def _word(count: int) -> str:
    return ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")[count]


def test_the_number_of_compile_benchmark_shapes() -> None:
    shapes = json.loads((RESULTS / "compile.json").read_text())["results"]
    claim = number(stated(r"render time for (\d+) query shapes", section("Benchmarks")))
    assert claim == len(shapes)


# -- settings, diagnostics and commands: what the README names exists, with the stated default ---------


def _default_text(default: Any) -> str | None:
    """A default as the settings table writes it; None where the table describes it in words."""
    if default is None or default == "":
        return None
    if isinstance(default, Path):
        return str(default.relative_to(PROJECT_ROOT)) if default.is_absolute() else str(default)
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def test_every_setting_default_in_the_readme_is_the_code_default() -> None:
    rows = {row[0]: row for row in table_rows(section("Settings"))}
    for _name, env, default, _description in documented_settings():
        expected = _default_text(default)
        row = rows.get(f"`{env}`")
        if expected is None or row is None:
            continue  # "unset" or described in words; shared rows (TLS) name two variables
        assert row[1].strip("`") == expected, f"{env}: README default {row[1]}, code default {expected}"


def test_every_setting_the_readme_names_exists() -> None:
    known = {env for _name, env, _default, _description in documented_settings()}
    known.add("QUIVER_STRICT")  # the test suite's own switch (tests/conftest.py)
    named = set(re.findall(r"`(QUIVER_[A-Z_]+)`", README))
    assert named <= known, f"the README names settings that do not exist: {sorted(named - known)}"


def test_every_diagnostic_code_in_the_readme_is_emitted() -> None:
    documented = set(re.findall(r"^\| `(SM\d{3})` \|", README, flags=re.MULTILINE))
    assert documented, "the README's diagnostics table moved"
    assert documented <= _codes_used(), f"documented but never emitted: {sorted(documented - _codes_used())}"


def test_every_command_in_the_readme_exists() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    documented = re.findall(r"^\| `quiver (\w+)", section("Commands"), flags=re.MULTILINE)
    assert documented, "the README's commands table moved"
    assert set(documented) <= set(commands), f"not commands: {sorted(set(documented) - set(commands))}"


# -- benchmark figures --------------------------------------------------------------------------------

Key = tuple[str | tuple[str, ...], ...]  # a tuple step: those keys; "*": every key


@dataclass(frozen=True)
class Figure:
    """A number in the Benchmarks section and the results value it reports.

    Either ``row``/``column``/``nth`` (the ``nth`` number in that cell of the table row
    whose first cell is ``row``) or ``pattern`` (its first group, in the section's prose)
    locates it. ``key`` is the path into ``results``'s JSON; a ``*`` step takes every
    key there, reduced by ``reduce`` (min or max). ``scale`` converts units (seconds to ms).
    ``bound``: the README states an upper bound (``under 1 ms``), not a rounded value.
    """

    results: str
    key: Key
    row: str | None = None
    column: int = 0
    nth: int = 0
    pattern: str | None = None
    scale: float = 1.0
    reduce: Callable[[Iterable[float]], float] | None = None
    bound: bool = False

    @property
    def label(self) -> str:
        where = f"{self.row!r} cell {self.column} #{self.nth}" if self.row else repr(self.pattern)
        return f"{where} = {self.source}"

    @property
    def source(self) -> str:
        return f"{self.results}:{'.'.join(map(str, self.key))}"

    def text(self, benchmarks: str) -> str:
        if self.pattern is not None:
            return stated(self.pattern, benchmarks)
        rows = [row for row in table_rows(benchmarks) if row[0] == self.row]
        assert len(rows) == 1, f"the Benchmarks section has {len(rows)} table rows {self.row!r}"
        return NUMBER.findall(rows[0][self.column])[self.nth]

    def value(self) -> float:
        values = list(_lookup(_results(self.results), self.key))
        if self.reduce is not None:
            return self.reduce(values) * self.scale
        assert len(values) == 1, self.key
        return values[0] * self.scale


@cache
def _results(name: str) -> Any:
    return json.loads((RESULTS / name).read_text())


def _lookup(data: Any, key: Key) -> Iterable[float]:
    if not key:
        found = NUMBER.findall(data)[0] if isinstance(data, str) else data  # "<= 1.0" limits
        yield number(found) if isinstance(found, str) else float(found)
        return
    head, rest = key[0], key[1:]
    keys = list(data) if head == "*" else list(head) if isinstance(head, tuple) else [head]
    for child in (data[k] for k in keys):
        yield from _lookup(child, rest)


MS = 1000.0
WIRE, FLIGHT, POLICY, COMPILE = "wire.json", "flight.json", "policy.json", "compile.json"
SOAK = "soak.json"
SMALL = "flight_small.json"
FETCH_TEXT = "fetch 1M lineitem rows, psycopg text"
LATENCY = "TPC-H Q1 / Q6 latency"
SELECT1 = "`SELECT 1` round trips, 1 connection"
T = ("targets",)
POLICY_ROWS = {
    "revenue by region (view)": "revenue by region (view, orders + customers)",
    "units by category (4 tables, fan-out)": "units by category (view, 4 tables, fan-out)",
    "order items total (2-hop propagation)": "order items total (2-hop propagation)",
    "customer list, 3 masked columns": "customer list, masked columns",
    "distinct emails (keyed hash of every row)": "distinct emails (hash of every row)",
}
# The row-filter sentence is about the three queries a row filter applies to.
BY_HAND = ("queries", tuple(POLICY_ROWS.values())[:3], "ratios", "run_eu_analyst_over_admin_by_hand")


def _wire_rows() -> list[Figure]:
    rows = [  # (row, reference, client, target named for the reference)
        (FETCH_TEXT, "postgresql", "psycopg_text", "fetch_time_quiver_over_postgresql_psycopg_text"),
        ("same, psycopg binary", "postgresql", "psycopg_binary", "fetch_time_quiver_over_postgresql_psycopg_binary"),
        ("same, asyncpg", "postgresql", "asyncpg", "fetch_time_quiver_over_postgresql_asyncpg"),
        ("same, psycopg text", "buenavista", "psycopg_text", "fetch_throughput_quiver_over_buenavista_psycopg_text"),
    ]
    figures = []
    for row, reference, client, target in rows:
        figures += [
            Figure(WIRE, ("fetch", "quiver_1", client, "median"), row=row, column=1),
            Figure(WIRE, ("fetch", reference, client, "median"), row=row, column=2),
            Figure(WIRE, (*T, target, "value"), row=row, column=3),
            Figure(WIRE, (*T, target, "limit"), row=row, column=4),
        ]
    for nth, query in enumerate(("q1", "q6")):
        figures += [
            Figure(WIRE, ("latency", "quiver_1", query, "median"), row=LATENCY, column=1, nth=nth, scale=MS),
            Figure(WIRE, ("latency", "duckdb_in_process", query, "median"), row=LATENCY, column=2, nth=nth, scale=MS),
            Figure(WIRE, (*T, f"{query}_latency_quiver_minus_duckdb_ms", "value"), row=LATENCY, column=3, nth=nth),
            Figure(WIRE, (*T, f"{query}_latency_quiver_minus_duckdb_ms", "limit"), row=LATENCY, column=4),
        ]
    for nth, client in enumerate(("psycopg_1", "asyncpg_1")):
        target = f"select1_rate_quiver_over_postgresql_{client}"
        figures += [
            Figure(WIRE, ("select1", "quiver_1", client, "median"), row=SELECT1, column=1, nth=nth),
            Figure(WIRE, ("select1", "postgresql", client, "median"), row=SELECT1, column=2, nth=nth),
            Figure(WIRE, (*T, target, "value"), row=SELECT1, column=3, nth=nth),
            Figure(WIRE, (*T, target, "limit"), row=SELECT1, column=4),
        ]
    return figures


def _policy_rows() -> list[Figure]:
    figures = []
    for row, query in POLICY_ROWS.items():
        run = ("queries", query, "run")
        ratios = ("queries", query, "ratios")
        figures += [
            Figure(POLICY, (*run, "admin", "median"), row=row, column=1, scale=MS),
            Figure(POLICY, (*run, "eu_analyst", "median"), row=row, column=2, scale=MS),
            Figure(POLICY, (*run, "admin, EU by hand", "median"), row=row, column=3, scale=MS),
            Figure(POLICY, (*ratios, "run_eu_analyst_over_admin"), row=row, column=4),
            Figure(POLICY, (*ratios, "run_eu_analyst_over_admin_by_hand"), row=row, column=5),
        ]
    return figures


def _flight_rows() -> list[Figure]:
    arrow, pandas = ("fetch_arrow",), ("fetch_pandas",)
    return [
        Figure(FLIGHT, (*arrow, "duckdb_arrow", "median"), row="into Arrow", column=1),
        Figure(FLIGHT, (*arrow, "minimal_arrow", "median"), row="into Arrow", column=2),
        Figure(FLIGHT, (*arrow, "quiver_flight_arrow", "median"), row="into Arrow", column=3),
        Figure(FLIGHT, (*T, "arrow_quiver_flight_over_duckdb"), row="into Arrow", column=3, nth=1),
        Figure(FLIGHT, (*arrow, "quiver_flightsql_arrow", "median"), row="into Arrow", column=4),
        Figure(FLIGHT, (*T, "arrow_quiver_flightsql_over_duckdb"), row="into Arrow", column=4, nth=1),
        Figure(FLIGHT, (*pandas, "duckdb_df", "median"), row="into pandas", column=1),
        Figure(FLIGHT, (*pandas, "quiver_flight_pandas", "median"), row="into pandas", column=3),
        Figure(FLIGHT, (*T, "pandas_quiver_flight_over_duckdb_df"), row="into pandas", column=3, nth=1),
        Figure(FLIGHT, (*pandas, "quiver_flightsql_pandas", "median"), row="into pandas", column=4),
        Figure(FLIGHT, (*T, "pandas_quiver_flightsql_over_duckdb_df"), row="into pandas", column=4, nth=1),
        Figure(FLIGHT, (*pandas, "quiver_wire_pandas", "median"), row="into pandas", column=5),
        Figure(FLIGHT, (*T, "pandas_wire_psycopg_over_quiver_flight"), row="into pandas", column=5, nth=1),
    ]


COMPILE_EU = ("queries", "*", "compile", "eu_analyst", "median")
COMPILE_RATIO = ("queries", "*", "ratios", "compile_eu_analyst_over_admin")
BI_REPLAY = "bi_replay.json"

PROSE = [
    Figure(BI_REPLAY, ("catalog", "statements"), pattern=r"corpus.py` \((\d+) catalog and scalar"),
    Figure(BI_REPLAY, ("semantic", "statements"), pattern=r"Sigma, Holistics and Domo send, and (\d+) BI-shaped"),
    Figure(BI_REPLAY, ("catalog", "overall", "refused"), pattern=r"answers and Quiver refuses \*\*(\d+)\*\*"),
    Figure(BI_REPLAY, ("semantic", "overall", "refused"), pattern=r"outside Quiver's documented rules \*\*(\d+)\*\*"),
    Figure(BI_REPLAY, ("catalog", "overall", "differs"), pattern=r"answers that differ \*\*(\d+)\*\* \(5"),
    Figure(BI_REPLAY, ("catalog", "overall", "hang"), pattern=r"hangs \*\*(\d+)\*\*, errors"),
    Figure(BI_REPLAY, ("catalog", "engine_text_leaks"), pattern=r"engine's text \*\*(\d+)\*\*\. The one"),
    Figure(SOAK, ("targets", "unexpected_errors", "measured"), pattern=r"Last run: \*\*(\d+)\*\* unexpected"),
    Figure(SOAK, ("targets", "memory_end_over_warm", "measured"), pattern=r"load \*\*([\d.]+)\*\* times its"),
    Figure(SOAK, ("latency_ms", "all dashboard queries", "p50"), pattern=r"p50 \*\*([\d.]+) ms\*\*"),
    Figure(SOAK, ("latency_ms", "all dashboard queries", "p99"), pattern=r"p99 \*\*([\d.]+) ms\*\*"),
    Figure(SOAK, ("dashboard_queries_per_second_after_warmup",), pattern=r"at (\d+) queries a second"),
    Figure(SOAK, ("targets", "sigterm_drain_unexpected", "measured"), pattern=r"SIGTERM drain \*\*(\d+)\*\* of"),
    Figure(COMPILE, (*T, "dashboard_total_median_ms", "value"), pattern=r"compiles in \*\*([\d.]+) ms\*\*"),
    Figure(COMPILE, (*T, "dashboard_total_median_ms", "limit"), pattern=r"\(target < ([\d.]+) ms; [\d.]+ ms in an"),
    Figure(COMPILE, (*T, "dashboard_cached_median_ms", "value"), pattern=r"a repeated one in \*\*([\d.]+) ms\*\*"),
    Figure(COMPILE, (*T, "dashboard_cached_median_ms", "limit"), pattern=r"ms\*\* \(target < ([\d.]+) ms\), an IN"),
    Figure(COMPILE, (*T, "in_list_10000_total_median_ms", "value"), pattern=r"values in \*\*([\d.]+) ms\*\*"),
    Figure(
        COMPILE, (*T, "in_list_10000_total_median_ms", "limit"), pattern=r"ms\*\*\s+\(target < ([\d.]+) ms\)\. Issue 11"
    ),
    Figure(POLICY, COMPILE_RATIO, pattern=r"Compiling is ([\d.]+)–", reduce=min),
    Figure(POLICY, COMPILE_RATIO, pattern=r"Compiling is [\d.]+–([\d.]+)×", reduce=max),
    Figure(POLICY, COMPILE_EU, pattern=r"admin's \(([\d.]+)–", scale=MS, reduce=min),
    Figure(POLICY, COMPILE_EU, pattern=r"admin's \([\d.]+–([\d.]+) ms uncached", scale=MS, reduce=max),
    Figure(POLICY, ("governance_cold_ms", "*"), pattern=r"policies takes under ([\d.]+) ms", reduce=max, bound=True),
    Figure(POLICY, BY_HAND, pattern=r"filters cost about ([\d.]+)–", reduce=min),
    Figure(POLICY, BY_HAND, pattern=r"filters cost about [\d.]+–([\d.]+)×", reduce=max),
    Figure(FLIGHT, ("q1", "duckdb_arrow", "median"), pattern=r"Q1 \(4 rows\): DuckDB ([\d.]+) ms", scale=MS),
    Figure(
        SMALL,
        ("small", "dashboard", "flightsql_adbc", "median"),
        pattern=r"takes \*\*([\d.]+) ms\*\* over Flight",
        scale=MS,
    ),
    Figure(
        SMALL,
        ("small", "dashboard", "wire_psycopg", "median"),
        pattern=r"and \*\*([\d.]+) ms\*\* over the wire",
        scale=MS,
    ),
    Figure(SMALL, ("small", "dashboard", "flightsql_over_wire"), pattern=r"over the wire \(\*\*([\d.]+)×\*\*"),
    Figure(
        SMALL,
        ("small", "select_1", "flightsql_adbc", "median"),
        pattern=r"`SELECT 1` takes \*\*([\d.]+) ms\*\*",
        scale=MS,
    ),
    Figure(SMALL, ("small", "select_1", "wire_psycopg", "median"), pattern=r"against \*\*([\d.]+) ms\*\* \(", scale=MS),
    Figure(
        SMALL, ("small", "select_1", "flightsql_over_wire"), pattern=r"\(\*\*([\d.]+)×\*\*, target ≤ 2,\s+\*\*not met"
    ),
    Figure(FLIGHT, ("q1", "minimal_arrow", "median"), pattern=r"minimal Flight ([\d.]+) ms, Quiver", scale=MS),
    Figure(FLIGHT, ("q1", "quiver_flight_arrow", "median"), pattern=r"Quiver Flight ([\d.]+) ms, Flight SQL", scale=MS),
    Figure(FLIGHT, ("q1", "quiver_flightsql_arrow", "median"), pattern=r"Flight SQL ([\d.]+) ms\.", scale=MS),
]
FIGURES = _wire_rows() + _policy_rows() + _flight_rows() + PROSE

# Prose figures in the Benchmarks section that no results file holds, and where they come from.
NOT_IN_RESULTS = {
    r"psycopg `SELECT 1` 2,552, 2,358 and 2,408/s before": "alternated runs of the pre-issue-11 and current servers",
    r"2,616 and 2,564/s after": "alternated runs of the pre-issue-11 and current servers",
    r"0\.060–0\.074 s before,\s+0\.059–0\.091 s after": "alternated runs of the pre-issue-11 and current servers",
    r"cost the dashboard query 7 to 14 %": "alternated compile runs of the pre-issue-11 code and main",
    r"\(2\.53 and 2\.68 ms\s+before, 2\.71 and 3\.06 ms after": "alternated compile runs, same session",
    r"\(5\.53 and 6\.28 ms before, 5\.38 and 6\.37 ms after\)": "alternated compile runs, same session",
    r"had cost 2\.8 ms": "a profile of parsing the IN list",
    r"\(target ≤ 3; 14 before issue 11's fixes\)": "the replay's results committed before the issue 11 merges",
    r"\*\* \(5 before\)": "the replay's results committed before the issue 11 merges",
    r"\*\* \(5 before:": "the replay's results committed before the issue 11 merges",
    r"PostgreSQL 15, and\s+counts": "the test server's version",
    r"the test server is 15\. The corpus": "the test server's version",
    r"PostgreSQL 16's columns": "the version Quiver reports",
    r"within this machine's ±10 % run-to-run spread": "spread over several compile runs",
    r"Quiver 4,701/s\)": "the previous published wire run (an earlier commit)",
    r"2,770/s before, 2,711/s\s+after \(2 % slower, target ≤ 5 %": "side-by-side SELECT 1 runs",
    r"gave 6 %": "the first side-by-side sample",
    r"\(13\.15 s\s+and 13\.14 s": "cProfile of both servers over the same queries",
    r"measured the dashboard query at 2\.53 ms and the IN\s+list at 5\.47 ms": "pre-issue-10 code, back to back",
    r"between 2 %\s+faster and 7 % slower": "per-shape comparison of the two compile runs",
    r"6\.41× for `SELECT 1` and 1\.39× for the dashboard": "the pre-issue-10 code, same benchmark, same session",
    r"about 2\.7 ms of client CPU per `SELECT 1`": "profile of the ADBC client",
    r"psycopg spends 0\.09 ms": "profile of the psycopg client",
    r"needs about 1\.6 ms for\s+those two calls": "a bare pyarrow Flight server, measured once",
    r"about 0\.23 ms": "profile of the Flight server",
    r"2× on `SELECT 1`": "the target restated",
    r"target within 20 %": "the soak's target (issue 9), not a measurement",
    r"measured p50 44 ms, p99\s+189 ms": "an earlier soak run on a quiet machine (commit 425f7e5)",
    r"more than 2 s after": "the close's wait for the client (CLOSE_SECONDS in pgwire/backend.py), not a measurement",
    r"1\.4 ms in an earlier, quieter run": "an earlier compile run",
    r"costs 0\.010 ms on the dashboard query \(0\.6 %\) and 0\.32 ms on the 100-deep filter \(1\.2 %\)": (
        "measured once for the aggregate-FILTER pass, not recorded in compile.json"
    ),
    r"about 50 µs of server CPU": "py-spy profile of the wire run",
    r"move by ±10 % between runs": "spread over several wire runs",
    r"about 35 µs per query in process \(15 µs without the audit file\)": "measured when governance landed",
    r"about 1 µs per value": "policy run profile",
    r"run-to-run spread is ±20 %": "spread over several Flight runs",
    r"measured 0\.164–0\.248 s over four runs, Quiver's plain Flight 0\.152–0\.205 s": "four Flight runs",
    r"measured 1\.52×, 1\.64×, 1\.69× and 1\.43× in four runs": "four Flight runs",
}
UNIT_FIGURE = re.compile(r"[+±]?\d[\d,]*(?:\.\d+)?(?:–[\d.]+)? ?(?:ms|s|µs|×|/s|%)(?!\w)")


@pytest.mark.parametrize("figure", FIGURES, ids=[f.source for f in FIGURES])
def test_benchmark_figure_matches_its_results_file(figure: Figure) -> None:
    text, value = figure.text(section("Benchmarks")), figure.value()
    if figure.bound:
        assert value < number(text), f"{figure.label}: README says under {text}, results say {value}"
    else:
        assert within_rounding(text, value), f"{figure.label}: README says {text}, results say {value}"


def test_every_number_in_a_benchmark_table_is_checked() -> None:
    """Each number in a table cell (bar the row label) is a figure above, or a target stated in words."""
    benchmarks = section("Benchmarks")
    checked = {(f.row, f.column, f.nth) for f in FIGURES if f.row is not None}
    unchecked = []
    for row in table_rows(benchmarks):
        for column, cell in enumerate(row[1:], start=1):
            for nth, _ in enumerate(NUMBER.findall(cell)):
                last = nth == len(NUMBER.findall(cell)) - 1
                target_in_words = last and re.search(r"target [≤≥] [\d.]+", cell)
                if (row[0], column, nth) not in checked and not target_in_words:
                    unchecked.append(f"{row[0]!r} column {column}: {cell!r}")
    assert not unchecked, "table figures no test checks:\n" + "\n".join(unchecked)


def test_every_prose_figure_is_checked_or_its_source_named() -> None:
    """A timing, ratio or rate written in the section's prose is a checked figure or listed in NOT_IN_RESULTS."""
    prose = " ".join(line.strip() for line in section("Benchmarks").splitlines() if not line.strip().startswith("|"))
    covered: list[tuple[int, int]] = []
    for figure in PROSE:
        assert figure.pattern is not None
        match = re.search(figure.pattern.replace(" ", r"\s+"), prose)
        assert match, figure.label
        covered.append(match.span(1))
    for pattern in NOT_IN_RESULTS:
        match = re.search(pattern, prose)
        assert match, f"NOT_IN_RESULTS entry no longer in the README: {pattern!r}"
        covered.append(match.span())
    loose = []
    for found in UNIT_FIGURE.finditer(prose):
        digits = found.start() + len(found.group()) - len(found.group().lstrip("+±"))  # after the sign
        if not any(start <= digits < end for start, end in covered):
            loose.append(found.group())
    assert not loose, f"prose figures neither checked nor sourced: {loose}"

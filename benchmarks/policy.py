"""Policy overhead: the same questions asked as ``admin`` (no policy applies) and as governed users.

Target (issue 4): report, for the same query, compile and run time as ``admin``
and as ``eu_analyst`` (masks, a row filter on customers and its propagation to
orders and order items, a hidden member), as ratios from one run.

Three callers per query, interleaved round by round:

* ``admin``: ungoverned scans;
* ``analyst``: masks only (keyed hash, partial, redact);
* ``eu_analyst``: masks, row filter, propagation.

``eu_analyst`` reads fewer rows than ``admin`` (only EU customers' data), so a
fourth column, ``admin, EU by hand``, asks ``admin`` the question with the
region filter written into the SQL: the difference between that and
``eu_analyst`` is what enforcing the policy costs, rather than what reading less
data saves.

    python benchmarks/policy.py [--scale 10] [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import machine, machine_markdown, ms, repeat, summary, write_results  # noqa: E402
from connectors.duckdb import DuckDBConnector  # noqa: E402
from server.config import DEMO_MODELS  # noqa: E402
from server.demo.generate import build_demo  # noqa: E402
from server.engine import Engine  # noqa: E402
from server.execution.executor import Executor  # noqa: E402
from server.policy.governance import CallerGovernance  # noqa: E402
from server.policy.identity import Caller  # noqa: E402
from server.semantic.store import ModelStore  # noqa: E402
from server.sql.parser import parse_statement  # noqa: E402
from server.sql.session_info import SessionInfo  # noqa: E402
from server.statement import StatementService  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
ADMIN = Caller("admin", roles=("admin",))
ANALYST = Caller("analyst", roles=("analyst",))
EU_ANALYST = Caller("eu_analyst", roles=("analyst",), attributes={"region": "EU"})
CALLERS = {"admin": ADMIN, "analyst": ANALYST, "eu_analyst": EU_ANALYST}

# name -> (the question, the same question with eu_analyst's row filter written by hand for admin)
QUERIES: dict[str, tuple[str, str]] = {
    "revenue by region (view, orders + customers)": (
        "SELECT customer_region, net_revenue, order_count FROM sales GROUP BY 1 ORDER BY 1",
        "SELECT customer_region, net_revenue, order_count FROM sales WHERE customer_region = 'EU' "
        "GROUP BY 1 ORDER BY 1",
    ),
    "units by category (view, 4 tables, fan-out)": (
        "SELECT product_category, units_sold, item_revenue FROM sales GROUP BY 1 ORDER BY 1",
        "SELECT product_category, units_sold, item_revenue FROM sales WHERE customer_region = 'EU' GROUP BY 1 "
        "ORDER BY 1",
    ),
    "order items total (2-hop propagation)": (
        "SELECT sum(quantity) AS units FROM order_items",
        "SELECT sum(quantity) AS units FROM order_items WHERE order_id IN (SELECT order_id FROM orders "
        "WHERE customer_id IN (SELECT customer_id FROM customers WHERE region = 'EU'))",
    ),
    "customer list, masked columns": (
        "SELECT customer_id, name, email, phone, region FROM customers ORDER BY customer_id LIMIT 1000",
        "SELECT customer_id, name, email, phone, region FROM customers WHERE region = 'EU' "
        "ORDER BY customer_id LIMIT 1000",
    ),
    "distinct emails (hash of every row)": (
        "SELECT count(DISTINCT email) AS emails FROM customers",
        "SELECT count(DISTINCT email) AS emails FROM customers WHERE region = 'EU'",
    ),
}


def demo_database(scale: float) -> Path:
    path = CACHE / f"policy-demo-s{scale:g}.duckdb"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        build_demo(path, scale=scale)
    return path


def run_once(engine: Engine, caller: Caller, sql: str) -> tuple[float, Any]:
    started = time.perf_counter()
    table = StatementService(engine).query(sql, caller, SessionInfo(user=caller.user)).read_all()
    return time.perf_counter() - started, table


def compile_times(engine: Engine, caller: Caller, sql: str, seconds: float) -> dict[str, float]:
    """Uncached compile (parse, resolve, policy rules, plan, render); the caller's decisions are warm."""
    engine.governance(caller)
    return summary(repeat(lambda: engine.compile_tree(parse_statement(sql), caller, "duckdb"), min_seconds=seconds))


def governance_cold(engine: Engine, caller: Caller) -> float:
    """Deciding a caller's policies for a model version from nothing (once per caller and model)."""
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        governance = CallerGovernance(engine.manifest, caller, engine.mask_secret)
        for relation in governance.relations().values():
            governance.rules(relation)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0, help="demo data scale (10 = 200,000 orders)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum time per compile measurement")
    args = parser.parse_args()
    database = demo_database(args.scale)
    connector = DuckDBConnector(database)
    engine = Engine(ModelStore(DEMO_MODELS), Executor(connector), mask_secret=b"benchmark-secret")
    results: dict[str, Any] = {"machine": machine(), "scale": args.scale, "rounds": args.rounds, "queries": {}}
    columns = [*CALLERS, "admin, EU by hand"]
    for name, (sql, by_hand) in QUERIES.items():
        runs: dict[str, list[float]] = {c: [] for c in columns}
        rows: dict[str, int] = {}
        plan = [(c, CALLERS[c], sql) for c in CALLERS] + [("admin, EU by hand", ADMIN, by_hand)]
        answers = {}
        for label, caller, text in plan:  # warm-up: plan cache, DuckDB caches
            answers[label] = run_once(engine, caller, text)[1]
            rows[label] = answers[label].num_rows
        governed, reference = answers["eu_analyst"], answers["admin, EU by hand"]
        same = governed.num_rows == reference.num_rows if "masked" in name else governed.equals(reference)
        if not same:
            raise SystemExit(f"{name}: eu_analyst's answer differs from admin's with the filter written by hand")
        for round_number in range(args.rounds):
            order = plan[round_number % len(plan) :] + plan[: round_number % len(plan)]
            for label, caller, text in order:
                runs[label].append(run_once(engine, caller, text)[0])
        compiled = {c: compile_times(engine, CALLERS[c], sql, args.seconds) for c in CALLERS}
        entry = {
            "sql": sql,
            "sql_by_hand": by_hand,
            "rows": rows,
            "run": {label: summary(values) for label, values in runs.items()},
            "compile": compiled,
        }
        run_median = {label: entry["run"][label]["median"] for label in columns}
        entry["ratios"] = {
            "run_eu_analyst_over_admin": run_median["eu_analyst"] / run_median["admin"],
            "run_eu_analyst_over_admin_by_hand": run_median["eu_analyst"] / run_median["admin, EU by hand"],
            "run_analyst_over_admin": run_median["analyst"] / run_median["admin"],
            "compile_eu_analyst_over_admin": compiled["eu_analyst"]["median"] / compiled["admin"]["median"],
            "compile_analyst_over_admin": compiled["analyst"]["median"] / compiled["admin"]["median"],
        }
        results["queries"][name] = entry
        print(
            f"{name}: run admin {ms(run_median['admin'])} ms, eu_analyst {ms(run_median['eu_analyst'])} ms, "
            f"by hand {ms(run_median['admin, EU by hand'])} ms",
            file=sys.stderr,
        )
    results["governance_cold_ms"] = {c: governance_cold(engine, CALLERS[c]) * 1000 for c in CALLERS}
    connector.close()
    write_results("policy", results, markdown(results))


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Policy overhead: the same questions as admin and as governed users",
        "",
        f"Generated by `benchmarks/policy.py`: demo data product at scale {results['scale']:g} "
        f"({int(20_000 * results['scale']):,} orders), in-process engine (no wire), medians of "
        f"{results['rounds']} interleaved rounds after a warm-up; plans cached for runs, uncached for compiles.",
        "",
        machine_markdown(results["machine"]),
        "",
        "## Run (compile cached, execute, read all rows), ms",
        "",
        "| query | admin | analyst | eu_analyst | admin, EU by hand | eu_analyst / admin | eu_analyst / by hand |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, entry in results["queries"].items():
        run = {k: v["median"] for k, v in entry["run"].items()}
        ratios = entry["ratios"]
        lines.append(
            f"| {name} | {ms(run['admin'])} | {ms(run['analyst'])} | {ms(run['eu_analyst'])} | "
            f"{ms(run['admin, EU by hand'])} | {ratios['run_eu_analyst_over_admin']:.2f} | "
            f"{ratios['run_eu_analyst_over_admin_by_hand']:.2f} |"
        )
    lines += [
        "",
        "## Compile (parse, resolve, policy rules, plan, render; not cached), ms",
        "",
        "| query | admin | analyst | eu_analyst | eu_analyst / admin |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, entry in results["queries"].items():
        compiled = {k: v["median"] for k, v in entry["compile"].items()}
        lines.append(
            f"| {name} | {ms(compiled['admin'])} | {ms(compiled['analyst'])} | {ms(compiled['eu_analyst'])} | "
            f"{entry['ratios']['compile_eu_analyst_over_admin']:.2f} |"
        )
    cold = results["governance_cold_ms"]
    lines += [
        "",
        "Deciding a caller's policies from nothing (once per caller and model version, then cached): "
        + ", ".join(f"{c} {v:.2f} ms" for c, v in cold.items())
        + ".",
        "",
        "Before timing, eu_analyst's answer is checked equal to admin's with the filter written by hand "
        "(row counts only where columns are masked).",
    ]
    for name, entry in results["queries"].items():
        lines.append(f"- {name}: `{entry['sql']}` / by hand: `{entry['sql_by_hand']}`")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

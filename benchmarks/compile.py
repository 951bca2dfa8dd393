"""Compile-time benchmark: parse, resolve, plan and render for a dozen query shapes.

Targets (issue 2): a typical dashboard query compiles in under 2 ms, a repeated
one (plan cache hit) in under 0.1 ms, and a query with an IN list of 10,000
values in under 50 ms. Nothing is executed: this measures Quiver's own work.

Stages are timed separately by wrapping the resolver and planner entry points;
"total" is the whole uncached compile (parse + resolve + plan + policy + render
to SQL text), "cached" is ``Engine.compile`` on a repeated statement.

    python benchmarks/compile.py            # writes benchmarks/results/compile.{json,md}
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import machine, machine_markdown, ms, repeat, summary, write_results  # noqa: E402
from server.compiler import statement as statement_module  # noqa: E402
from server.compiler.passes import state as passes_state  # noqa: E402
from server.config import DEMO_MODELS  # noqa: E402
from server.engine import Engine  # noqa: E402
from server.policy.identity import Caller  # noqa: E402
from server.render.statement import render_statement  # noqa: E402
from server.render.targets import target  # noqa: E402
from server.semantic.store import ModelStore  # noqa: E402
from server.sql.parser import parse_statement  # noqa: E402

ADMIN = Caller("admin")


def synthetic_model(directory: Path) -> Path:
    """A model with a 110-member table and a five-table join chain, for the wide and join shapes."""
    tables = directory / "tables"
    views = directory / "views"
    tables.mkdir(parents=True)
    views.mkdir()
    dims = "\n".join(
        f'      - name: d{i}\n        type: string\n        sql: "{{TABLE}}.c{i}"\n        description: d{i}'
        for i in range(1, 61)
    )
    measures = "\n".join(
        f'      - name: m{i}\n        type: sum\n        sql: "{{TABLE}}.v{i}"\n        description: m{i}'
        for i in range(1, 51)
    )
    (tables / "wide.yml").write_text(
        f"tables:\n  - name: wide\n    sql: SELECT * FROM raw.wide\n    description: wide\n"
        f"    dimensions:\n      - name: id\n        type: number\n        primary_key: true\n"
        f"        description: id\n{dims}\n    measures:\n{measures}\n"
    )
    chain = []
    for i in range(1, 6):
        join = (
            f"    joins:\n      - name: t{i + 1}\n        relationship: many_to_one\n"
            f'        sql: "{{TABLE}}.t{i + 1}_id = {{t{i + 1}}}.id"\n'
            if i < 5
            else ""
        )
        chain.append(
            f"  - name: t{i}\n    sql: SELECT * FROM raw.t{i}\n    description: t{i}\n{join}"
            f"    dimensions:\n      - name: id\n        type: number\n        primary_key: true\n"
            f"        description: id\n      - name: label\n        type: string\n        description: label\n"
            f'    measures:\n      - name: amount\n        type: sum\n        sql: "{{TABLE}}.amount"\n'
            f"        description: amount\n"
        )
    (tables / "chain.yml").write_text("tables:\n" + "".join(chain))
    includes = "".join(
        f"      - join_path: {'.'.join(f't{j}' for j in range(1, i + 1))}\n        prefix: true\n"
        f"        includes: [label, amount]\n"
        for i in range(1, 6)
    )
    (views / "chain.yml").write_text(f"views:\n  - name: chain\n    description: chain\n    tables:\n{includes}")
    return directory


def shapes() -> dict[str, tuple[str, str]]:
    """name -> (model, sql)."""
    in_list = ", ".join(str(i) for i in range(10_000))
    deep = "status = 'placed'"
    for i in range(100):
        deep = f"(channel = 'c{i}' OR ({deep} AND order_id > {i}))"
    wide = ", ".join([f"d{i}" for i in range(1, 51)] + [f"m{i}" for i in range(1, 51)])
    return {
        "one_measure": ("demo", "SELECT MEASURE(net_revenue) FROM orders"),
        "dashboard": (
            "demo",
            "SELECT customer_region, DATE_TRUNC('month', order_ts) AS month, net_revenue, order_count FROM sales "
            "WHERE status IN ('shipped', 'placed') AND order_ts >= DATE '2024-01-01' "
            "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 100",
        ),
        "number_measures": ("demo", "SELECT channel, average_order_value, return_rate FROM orders"),
        "having_order": (
            "demo",
            "SELECT customer_country, net_revenue FROM sales GROUP BY 1 HAVING net_revenue > 1000 ORDER BY 2 DESC",
        ),
        "fanout_multi_pass": (
            "demo",
            "SELECT product_category, net_revenue, units_sold, average_order_value FROM sales",
        ),
        "select_star_view": ("demo", "SELECT * FROM sales LIMIT 10"),
        "subquery_in_where": (
            "demo",
            "SELECT status, order_count FROM orders WHERE customer_id IN "
            "(SELECT customer_id FROM customers WHERE segment = 'enterprise')",
        ),
        "cte_window": (
            "demo",
            "WITH r AS (SELECT customer_country, net_revenue FROM sales) "
            "SELECT customer_country, RANK() OVER (ORDER BY net_revenue DESC) AS rnk FROM r",
        ),
        "union": (
            "demo",
            "SELECT 'orders' AS k, order_count AS n FROM orders UNION ALL SELECT 'customers', customer_count "
            "FROM customers",
        ),
        "deep_filters_100": ("demo", f"SELECT channel, order_count FROM orders WHERE {deep}"),
        "in_list_10000": ("demo", f"SELECT status, order_count FROM orders WHERE order_id IN ({in_list})"),
        "wide_100_members": ("synthetic", f"SELECT {wide} FROM wide"),
        "join_5_way": ("synthetic", "SELECT t5_label, t4_label, t3_label, t2_label, t1_amount FROM chain"),
    }


class StageClock:
    """Accumulates time spent in the resolver and the planner by wrapping their entry points."""

    def __init__(self) -> None:
        self.resolve = 0.0
        self.plan = 0.0
        self._originals = (passes_state.resolve_select, passes_state.plan_query)

    def _timed(self, function: Callable[..., Any], bucket: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                setattr(self, bucket, getattr(self, bucket) + time.perf_counter() - t0)

        return wrapper

    def __enter__(self) -> StageClock:
        passes_state.resolve_select = self._timed(self._originals[0], "resolve")
        passes_state.plan_query = self._timed(self._originals[1], "plan")
        return self

    def __exit__(self, *exc: object) -> None:
        passes_state.resolve_select, passes_state.plan_query = self._originals


def measure_shape(engine: Engine, sql: str, min_seconds: float) -> dict[str, Any]:
    duckdb_target = target("duckdb")
    stages: dict[str, list[float]] = {"parse": [], "resolve": [], "plan": [], "render": [], "total": []}

    def once() -> None:
        t0 = time.perf_counter()
        tree = parse_statement(sql)
        t1 = time.perf_counter()
        governance = engine.governance(ADMIN)
        with StageClock() as clock:
            compiled = statement_module.compile_statement(tree, engine.manifest, governance.relations(), governance)
        t2 = time.perf_counter()
        render_statement(compiled, compiled.plans, duckdb_target)
        t3 = time.perf_counter()
        stages["parse"].append(t1 - t0)
        # Qualifying columns and routing belong to resolution; the rest of compile_statement is planning.
        stages["resolve"].append(t2 - t1 - clock.plan)
        stages["plan"].append(clock.plan)
        stages["render"].append(t3 - t2)
        stages["total"].append(t3 - t0)

    repeat(once, min_runs=15, min_seconds=min_seconds)
    engine.compile(sql, ADMIN)
    cached = repeat(lambda: engine.compile(sql, ADMIN), min_runs=1000, min_seconds=min_seconds / 2)
    result = {name: summary(values) for name, values in stages.items()}
    result["cached"] = summary(cached)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum time spent per shape")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engines = {
            "demo": Engine(ModelStore(DEMO_MODELS)),
            "synthetic": Engine(ModelStore(synthetic_model(Path(tmp) / "synthetic"))),
        }
        results = {}
        for name, (model, sql) in shapes().items():
            results[name] = measure_shape(engines[model], sql, args.seconds)
            print(f"{name:20s} total median {ms(results[name]['total']['median'])} ms", file=sys.stderr)
    info = machine()
    targets = {
        "dashboard_total_median_ms": (results["dashboard"]["total"]["median"] * 1000, 2.0),
        "dashboard_cached_median_ms": (results["dashboard"]["cached"]["median"] * 1000, 0.1),
        "in_list_10000_total_median_ms": (results["in_list_10000"]["total"]["median"] * 1000, 50.0),
    }
    lines = [
        "# Compile time",
        "",
        "Generated by `benchmarks/compile.py`. Times in milliseconds; median and p99 of repeated compiles "
        "of the same statement, uncached, plus `cached` (a plan-cache hit in `Engine.compile`).",
        "",
        machine_markdown(info),
        "",
        "| shape | parse | resolve | plan | render | total median | total p99 | cached median | cached p99 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {ms(r['parse']['median'])} | {ms(r['resolve']['median'])} | {ms(r['plan']['median'])} | "
            f"{ms(r['render']['median'])} | {ms(r['total']['median'])} | {ms(r['total']['p99'])} | "
            f"{ms(r['cached']['median'])} | {ms(r['cached']['p99'])} |"
        )
    lines += ["", "| target | measured | limit | met |", "| --- | --- | --- | --- |"]
    for label, (value, limit) in targets.items():
        lines.append(f"| {label} | {value:.3f} | {limit} | {'yes' if value <= limit else 'NO'} |")
    write_results(
        "compile",
        {
            "machine": info,
            "results": results,
            "targets": {k: {"value": v, "limit": lim} for k, (v, lim) in targets.items()},
        },
        "\n".join(lines),
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()

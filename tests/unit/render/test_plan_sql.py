"""Render prints what a plan says, with helpers of its own: it reads no planner internals and edits no plan."""

from __future__ import annotations

import ast
from pathlib import Path

import sqlglot.expressions as exp

from server.compiler.plan import SemanticPlan
from server.engine import Engine
from server.policy.identity import Caller
from server.render.plan_sql import identifier, internal_name, render_plan

ADMIN = Caller("admin")
RENDER = Path(__file__).resolve().parents[3] / "server" / "render"
# What render may read of the compiler: the plan, the semantic query's references, the compiled statement.
ALLOWED = {"server.compiler.plan", "server.compiler.query", "server.compiler.statement"}


def test_render_reads_only_the_plan_vocabulary() -> None:
    for path in (RENDER / "plan_sql.py", RENDER / "statement.py"):
        imported = {
            node.module
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("server.compiler")
        }
        assert imported <= ALLOWED, (path.name, imported - ALLOWED)


def test_internal_names_are_legible_and_unique() -> None:
    used: set[str] = set()
    assert internal_name("Net Revenue", used) == "net_revenue"
    assert internal_name("net revenue", used) == "net_revenue_2"
    assert internal_name("2024", used) == "c_2024"
    assert internal_name("!!!", used) == "col"
    assert used == {"net_revenue", "net_revenue_2", "c_2024", "col"}


def test_identifiers_are_quoted_only_when_needed() -> None:
    assert identifier("status").sql() == "status"
    assert identifier("Status").sql() == '"Status"'
    assert identifier("order count").sql() == '"order count"'


def _plan(engine: Engine, sql: str) -> SemanticPlan:
    compiled = engine.compile(sql, ADMIN)
    assert len(compiled.plans) == 1
    return compiled.plans[0]


def _trees(plan: SemanticPlan) -> list[exp.Expression]:
    trees: list[exp.Expression] = [c.expression for c in (*plan.keys, *plan.derived, *plan.projections)]
    trees += [m.expression for p in plan.passes for m in p.measures]
    trees += [key for p in plan.passes for key in p.dedup_key]
    trees += [j.condition for j in plan.source.joins]
    trees += [o for o in plan.order]
    trees += [t for t in (plan.where, plan.having) if t is not None]
    return trees


def test_derived_measures_name_the_pass_they_read(engine: Engine) -> None:
    plan = _plan(engine, "SELECT product_category, net_revenue, units_sold, average_order_value FROM sales")
    assert not plan.single_pass
    outputs = {(p.name, m.name) for p in plan.passes for m in p.measures}
    read = {(c.table, c.name) for d in plan.derived for c in d.expression.find_all(exp.Column)}
    assert read and read <= outputs
    # Planning notes do not survive into the plan: it says everything by its shape.
    for tree in _trees(plan):
        for node in tree.walk():
            assert not {"quiver_owner", "quiver_leaf"} & set(node.meta), node.sql()


def test_rendering_leaves_the_plan_as_it_was(engine: Engine) -> None:
    for sql in (
        "SELECT customer_region, net_revenue FROM sales WHERE status = 'placed' ORDER BY 2 DESC LIMIT 3",
        "SELECT product_category, net_revenue, units_sold, average_order_value FROM sales",
    ):
        plan = _plan(engine, sql)
        before = [t.sql() for t in _trees(plan)]
        first = render_plan(plan).sql()
        assert render_plan(plan).sql() == first
        assert [t.sql() for t in _trees(plan)] == before

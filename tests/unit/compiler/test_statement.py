"""The compiler is an ordered tuple of small passes, and plans go through the plan-rewrite hook."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from server.compiler import planner
from server.compiler.plan import SemanticPlan
from server.compiler.statement import RULES, CompiledStatement, compile_statement, marker_index
from server.engine import Engine
from server.policy.identity import Caller
from server.semantic.model import Manifest
from server.sql.parser import parse_statement

ADMIN = Caller("admin")


def test_each_pass_is_a_documented_function_in_a_module_of_its_own() -> None:
    modules = [rule.__module__ for rule in RULES]
    assert all(m.startswith("server.compiler.passes.") for m in modules), modules
    assert len(set(modules)) == len(modules)
    for rule in RULES:
        assert inspect.isfunction(rule)
        doc = inspect.getdoc(rule) or ""
        assert "Why" in doc and "Guarantees" in doc, rule.__qualname__
        assert list(inspect.signature(rule).parameters) == ["state", "ctx"], rule.__qualname__


def _compile(engine: Engine, sql: str) -> CompiledStatement:
    governance = engine.governance(ADMIN)
    return compile_statement(parse_statement(sql), engine.manifest, governance.relations(), governance)


def test_one_semantic_select_is_planned_whole(engine: Engine) -> None:
    compiled = _compile(engine, "SELECT status, order_count FROM orders")
    assert marker_index(compiled.tree) == 0
    assert [p.relation for p in compiled.plans] == ["orders"]
    assert compiled.relations == ("orders",)


def test_plans_are_numbered_innermost_first(engine: Engine) -> None:
    compiled = _compile(
        engine,
        "SELECT status, order_count FROM orders WHERE customer_id IN "
        "(SELECT customer_id FROM customers WHERE segment = 'enterprise')",
    )
    assert [p.relation for p in compiled.plans] == ["customers", "orders"]
    assert compiled.relations == ("customers", "orders")


def test_the_parsed_tree_is_never_changed(engine: Engine) -> None:
    tree = parse_statement("WITH r AS (SELECT customer_country, net_revenue FROM sales) SELECT * FROM r")
    before = tree.sql()
    compiled = compile_statement(tree, engine.manifest, engine.governance(ADMIN).relations())
    assert compiled.plans
    assert tree.sql() == before


def test_statements_without_relations_compile_to_themselves(engine: Engine) -> None:
    compiled = _compile(engine, "SELECT 1 + 1")
    assert compiled.plans == () and compiled.relations == ()
    assert compiled.tree.sql() == 'SELECT 1 + 1 AS "?column?"'


def test_plan_rewrites_see_every_finished_plan(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[SemanticPlan] = []

    def first_row_only(plan: SemanticPlan, manifest: Manifest) -> SemanticPlan:
        assert manifest is engine.manifest
        seen.append(plan)
        return dataclasses.replace(plan, limit=1)

    monkeypatch.setattr(planner, "PLAN_REWRITES", (first_row_only,))
    compiled = _compile(engine, "SELECT status, order_count FROM orders")
    assert len(seen) == 1 and seen[0].limit is None
    assert compiled.plans[0].limit == 1


def test_no_plan_rewrite_is_installed_today() -> None:
    assert planner.PLAN_REWRITES == ()

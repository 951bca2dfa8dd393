"""Plan shapes: join paths, fan-out detection, explain output, the plan cache."""

from __future__ import annotations

import pytest

from connectors.duckdb import DuckDBConnector
from server.compiler.plan import SemanticPlan
from server.engine import Engine
from server.errors import QueryCanceled
from server.execution.executor import Executor
from server.policy.identity import Caller
from server.semantic.store import ModelStore
from server.sql.session_info import SessionInfo
from server.statement import StatementService

ADMIN = Caller("admin")


def plan_of(engine: Engine, sql: str) -> SemanticPlan:
    compiled = engine.compile(sql, ADMIN)
    assert len(compiled.plans) == 1
    return compiled.plans[0]


def test_only_needed_tables_are_joined(engine: Engine) -> None:
    plan = plan_of(engine, "SELECT status, order_count FROM sales")
    assert [s.table for s in plan.source.scans] == ["orders"]
    plan = plan_of(engine, "SELECT customer_region, order_count FROM sales")
    assert [s.table for s in plan.source.scans] == ["orders", "customers"]
    assert plan.single_pass


def test_join_path_follows_the_view(engine: Engine) -> None:
    plan = plan_of(engine, "SELECT product_category, units_sold FROM sales")
    assert [s.path for s in plan.source.scans] == [
        ("orders",),
        ("orders", "order_items"),
        ("orders", "order_items", "products"),
    ]


def test_fanout_is_detected_and_deduplicated(engine: Engine) -> None:
    plan = plan_of(engine, "SELECT product_category, net_revenue, units_sold FROM sales")
    assert not plan.single_pass
    owners = {p.owner for p in plan.passes if p.dedup_key}
    assert owners == {"orders"}


def test_distinct_counts_need_no_deduplication(engine: Engine) -> None:
    plan = plan_of(engine, "SELECT product_category, customer_count FROM sales")
    assert plan.single_pass


def test_explain_names_steps_and_policies(engine: Engine) -> None:
    compiled = engine.compile("SELECT product_category, order_count FROM sales WHERE returned", ADMIN)
    text = compiled.explain()
    assert "Aggregate per_orders deduplicated on orders primary key: order_count" in text
    assert "LeftJoin products as products (many_to_one from order_items)" in text
    assert "Policies applied:" in text
    assert "Engine SQL (duckdb):" in text


def test_repeated_query_comes_from_the_plan_cache(engine: Engine) -> None:
    sql = "SELECT channel, net_revenue FROM orders WHERE status = 'placed'"
    first = engine.compile(sql, ADMIN)
    assert engine.compile(sql, ADMIN) is first
    assert engine.compile(sql, Caller("analyst")) is not first


def test_statement_timeout_setting_cancels_long_queries(models: ModelStore, connector: DuckDBConnector) -> None:
    engine = Engine(models, Executor(connector), statement_timeout=0.2)
    slow = (
        "WITH a AS (SELECT order_id FROM orders), b AS (SELECT order_item_id FROM order_items) "
        "SELECT COUNT(*) FROM a, b, (SELECT customer_id FROM customers) c"
    )
    with pytest.raises(QueryCanceled) as caught:
        StatementService(engine).query(slow, ADMIN, SessionInfo(user=ADMIN.user)).read_all()
    assert caught.value.message == "canceling statement due to statement timeout"

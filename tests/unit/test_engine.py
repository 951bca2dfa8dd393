"""The engine's own guarantees: shared parse trees stay intact, EXPLAIN shows a caller only what it may see."""

from __future__ import annotations

import pytest

from server.engine import Engine
from server.policy.identity import Caller
from server.sql.parser import parse_statement_cached
from server.sql.session_info import SessionInfo
from server.statement import StatementService

ADMIN = Caller("admin")
EU_ANALYST = Caller("eu_analyst", attributes={"region": "EU"})
ANALYST = Caller("analyst")

SHAPES = [
    "SELECT o.status, count(*) FROM orders o JOIN customers c ON o.customer_id = c.customer_id GROUP BY 1",
    "WITH x AS (SELECT status, order_count FROM orders) SELECT * FROM x",
    "SELECT * FROM (SELECT status, order_count FROM orders) t",
    "SELECT status FROM orders WHERE order_id IN (SELECT order_id FROM order_items) ORDER BY 1 LIMIT 2",
    "SELECT customer_region, refunded_revenue FROM sales ORDER BY 1",
]


def _rows(engine: Engine, sql: str, caller: Caller) -> list[tuple[object, ...]]:
    result = StatementService(engine).query(sql, caller, SessionInfo(user=caller.user, database="quiver"))
    table = result.read_all()
    return sorted(zip(*(c.to_pylist() for c in table.columns), strict=True), key=repr)


@pytest.mark.parametrize("sql", SHAPES)
def test_explain_leaves_the_shared_parse_tree_intact(engine: Engine, sql: str) -> None:
    """EXPLAIN once compiled the cached tree in place: the same text then failed for every user (42P01)."""
    before = _rows(engine, sql, ADMIN)
    tree = parse_statement_cached(sql)
    text = tree.sql()
    engine.explain(tree, EU_ANALYST)
    assert parse_statement_cached(sql).sql() == text
    assert _rows(engine, sql, ADMIN) == before
    assert _rows(engine, sql, EU_ANALYST)  # still answers for the user who explained it


def test_compiling_never_changes_its_input(engine: Engine) -> None:
    tree = parse_statement_cached(SHAPES[0])
    text = tree.sql()
    engine.compile_tree(tree, ANALYST, "duckdb")
    assert tree.sql() == text


@pytest.mark.parametrize("caller", [EU_ANALYST, ANALYST])
def test_explain_without_the_scope_shows_no_engine_sql_or_hidden_columns(engine: Engine, caller: Caller) -> None:
    sql = "SELECT customer_region, customer_email, order_count FROM sales WHERE customer_region <> 'x' GROUP BY 1, 2"
    text = engine.explain(parse_statement_cached(sql), caller)
    assert "SemanticQuery on sales" in text
    assert "Project customer_region, customer_email, order_count" in text
    for internal in ("raw.", "gross_amount", "Engine SQL", "quiver_visible", "governed", "EXISTS", "region IN"):
        assert internal not in text, internal
    assert "rows filtered by policy" in text if caller is EU_ANALYST else True


def test_explain_with_the_scope_shows_the_engine_sql(engine: Engine) -> None:
    text = engine.explain(parse_statement_cached("SELECT customer_region, net_revenue FROM sales"), ADMIN)
    assert "Engine SQL (duckdb):" in text
    assert "raw.orders" in text
    assert "gross_amount" in text

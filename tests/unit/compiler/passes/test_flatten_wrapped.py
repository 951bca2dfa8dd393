"""An aggregating query over a projection of a relation is one semantic query, or a 0A000 that says why.

Each wrapped shape is compared with the same question written directly on the
relation, through the statement lifecycle every channel uses; answers against the
raw tables are in ``tests/integration/test_wrapped_queries.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from server.compiler.statement import compile_statement, marker_index
from server.engine import Engine
from server.errors import FeatureNotSupported, QuiverError, SqlState
from server.policy.identity import Caller
from server.sql.parser import parse_statement
from server.sql.session_info import SessionInfo
from server.statement import StatementService

ADMIN = Caller("admin")

# wrapped shape, the same question asked directly on the relation
SAME_QUESTION = [
    (
        "SELECT t1.channel, SUM(t1.net_revenue) FROM (SELECT * FROM sales WHERE status <> 'cancelled') t1 "
        "GROUP BY 1 ORDER BY 1",
        "SELECT channel, net_revenue FROM sales WHERE status <> 'cancelled' ORDER BY 1",
    ),
    (
        "SELECT t0.customer_region, COUNT(*) AS n FROM (SELECT * FROM sales) t0 GROUP BY 1 ORDER BY 1",
        "SELECT customer_region, COUNT(*) FROM sales GROUP BY 1 ORDER BY 1",
    ),
    (
        "SELECT SUM(t.gross_amount) FROM (SELECT customer_segment, gross_amount FROM sales) t",
        "SELECT SUM(gross_amount) FROM sales",
    ),
    (
        "SELECT SUM(sales.net_revenue) FROM (SELECT * FROM sales) AS sales",
        "SELECT net_revenue FROM sales",
    ),
    (
        "SELECT virtual_table.channel AS channel, SUM(virtual_table.order_count) AS n "
        "FROM (SELECT * FROM sales WHERE customer_region = 'EU') AS virtual_table "
        "GROUP BY virtual_table.channel ORDER BY n DESC LIMIT 2",
        "SELECT channel, order_count FROM sales WHERE customer_region = 'EU' ORDER BY 2 DESC LIMIT 2",
    ),
    (
        "WITH w AS (SELECT * FROM sales WHERE channel = 'app') "
        "SELECT COUNT(*), COUNT(DISTINCT w.customer_region), MIN(w.first_order_ts), MAX(w.last_order_ts) FROM w",
        "SELECT COUNT(*), COUNT(DISTINCT customer_region), first_order_ts, last_order_ts FROM sales "
        "WHERE channel = 'app'",
    ),
    (
        "SELECT v.ch, SUM(v.rev) FROM (SELECT a.channel AS ch, a.net_revenue AS rev FROM "
        "(SELECT * FROM sales WHERE status <> 'cancelled') a WHERE a.channel <> 'web') v "
        "GROUP BY 1 HAVING SUM(v.rev) > 1 ORDER BY 2 DESC",
        "SELECT channel, net_revenue FROM sales WHERE status <> 'cancelled' AND channel <> 'web' "
        "GROUP BY 1 HAVING net_revenue > 1 ORDER BY 2 DESC",
    ),
    (
        "SELECT MEASURE(t.net_revenue) FROM (SELECT * FROM sales WHERE product_category = 'Books') t",
        "SELECT net_revenue FROM sales WHERE product_category = 'Books'",
    ),
    (
        "SELECT t.c, COUNT(*) FROM (SELECT UPPER(channel) AS c FROM orders) t GROUP BY 1 ORDER BY 1",
        "SELECT UPPER(channel), COUNT(*) FROM orders GROUP BY 1 ORDER BY 1",
    ),
]


def _answer(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    table = StatementService(engine).query(sql, ADMIN, SessionInfo(user=ADMIN.user)).read_all()
    return [tuple(row.values()) for row in table.to_pylist()]


@pytest.mark.parametrize(("wrapped", "direct"), SAME_QUESTION)
def test_wrapped_shape_answers_the_direct_question(engine: Engine, wrapped: str, direct: str) -> None:
    assert _answer(engine, wrapped) == _answer(engine, direct)


def test_wrapped_aggregate_is_planned_as_one_semantic_query(engine: Engine) -> None:
    governance = engine.governance(ADMIN)
    tree = parse_statement("SELECT t1.channel, SUM(t1.net_revenue) FROM (SELECT * FROM sales) t1 GROUP BY 1")
    compiled = compile_statement(tree, engine.manifest, governance.relations(), governance)
    assert marker_index(compiled.tree) == 0
    assert len(compiled.plans) == 1


def test_tableau_sum_over_a_count_measure_is_the_measure(engine: Engine) -> None:
    assert _answer(engine, "SELECT SUM(order_count) FROM sales") == _answer(engine, "SELECT order_count FROM sales")


REFUSED = [
    # sql, words the message must hold
    ("SELECT AVG(t.average_order_value) FROM (SELECT * FROM sales) t", "cannot be computed exactly"),
    ("SELECT SUM(t.customer_count) FROM (SELECT * FROM sales) t", "counted in several parts"),
    ("SELECT SUM(t.return_rate) FROM (SELECT * FROM orders) t", "computed from other measures"),
    ("SELECT AVG(t.net_revenue) FROM (SELECT * FROM sales) t", "re-aggregates with SUM"),
    ("SELECT SUM(t.net_revenue) FROM (SELECT * FROM sales LIMIT 10) t", "LIMIT"),
    ("SELECT MAX(t.last_order_ts) FROM (SELECT DISTINCT channel, last_order_ts FROM sales) t", "DISTINCT"),
    ("SELECT SUM(t.net_revenue) FROM (SELECT * FROM sales WHERE net_revenue > 10) t", "a filter on a measure"),
    ("SELECT SUM(t.net_revenue) FROM (SELECT * FROM sales UNION ALL SELECT * FROM sales) t", "UNION"),
    ("SELECT t.net_revenue, COUNT(*) FROM (SELECT * FROM sales) t GROUP BY 1", "is a measure"),
    ("SELECT COUNT(*) FROM (SELECT * FROM sales) t WHERE t.net_revenue > 5", "is a measure"),
    ("SELECT SUM(t.net_revenue * 2) FROM (SELECT * FROM sales) t", "is a measure"),
]


@pytest.mark.parametrize(("sql", "words"), REFUSED)
def test_inexact_wrapped_aggregates_are_refused_saying_why(engine: Engine, sql: str, words: str) -> None:
    with pytest.raises(FeatureNotSupported) as caught:
        engine.compile(sql, ADMIN)
    assert caught.value.sqlstate is SqlState.FEATURE_NOT_SUPPORTED
    assert words in caught.value.message
    if "AVG" in sql or "SUM(t." in sql:
        assert "MEASURE(" in (caught.value.hint or "")


def test_a_non_aggregating_outer_query_is_ordinary_sql_over_the_subquery(engine: Engine) -> None:
    sql = "SELECT t.channel FROM (SELECT channel, net_revenue FROM sales) t WHERE t.net_revenue > 7000000"
    assert _answer(engine, sql) == [("web",)]


def test_totals_of_a_union_of_measure_only_subqueries_add_up(engine: Engine) -> None:
    sql = "SELECT SUM(t.v) FROM (SELECT net_revenue AS v FROM orders UNION ALL SELECT refunded_revenue FROM orders) t"
    direct = _answer(engine, "SELECT net_revenue + refunded_revenue FROM orders")
    assert _answer(engine, sql) == direct


def test_counting_a_subquery_filtered_on_a_measure_counts_its_rows(engine: Engine) -> None:
    sql = "SELECT COUNT(*) FROM (SELECT channel FROM sales WHERE net_revenue > 4000000) t"
    assert _answer(engine, sql) == [(2,)]


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT COUNT(*) FROM (SELECT DISTINCT channel FROM sales) t", [(3,)]),
        ("SELECT COUNT(*) FROM (SELECT * FROM sales LIMIT 10) t", [(10,)]),
        ("SELECT COUNT(DISTINCT t.channel) FROM (SELECT channel, order_id FROM sales ORDER BY 2 LIMIT 5) t", [(2,)]),
    ],
)
def test_counting_a_result_set_counts_its_rows(engine: Engine, sql: str, rows: list[tuple[int]]) -> None:
    """LIMIT, OFFSET, DISTINCT or a window make a subquery a result set: SQL over it is what it says."""
    assert _answer(engine, sql) == rows


def test_wrapping_does_not_reach_hidden_members(engine: Engine) -> None:
    eu = Caller("eu_analyst")
    with pytest.raises(QuiverError) as caught:
        engine.compile("SELECT SUM(t.gross_amount) FROM (SELECT * FROM sales) t", eu)
    assert caught.value.sqlstate is SqlState.UNDEFINED_COLUMN

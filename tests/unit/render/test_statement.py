"""A semantic SELECT's own WITH is rendered around its plan, so its subqueries can read those CTEs."""

from __future__ import annotations

import pytest

from server.compiler.statement import compile_statement, marker_index
from server.engine import Engine
from server.policy.identity import Caller
from server.sql.parser import parse_statement
from server.sql.session_info import SessionInfo
from server.statement import StatementService

ADMIN = Caller("admin")
TOP = "WITH {name} AS (SELECT customer_region FROM sales GROUP BY 1 ORDER BY 1 LIMIT 2) "
READ = (
    "SELECT customer_region, {measures} FROM sales "
    "WHERE customer_region IN (SELECT customer_region FROM {name}) GROUP BY 1"
)


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    table = StatementService(engine).query(sql, ADMIN, SessionInfo(user="admin", database="quiver")).read_all()
    return sorted(zip(*(c.to_pylist() for c in table.columns), strict=True))


def test_the_marker_keeps_the_select_s_with(engine: Engine) -> None:
    governance = engine.governance(ADMIN)
    sql = TOP.format(name="top") + READ.format(measures="order_count", name="top")
    compiled = compile_statement(parse_statement(sql), engine.manifest, governance.relations(), governance)
    assert marker_index(compiled.tree) == 1
    assert compiled.tree.args["with_"].expressions[0].alias == "top"
    assert engine.compile(sql, ADMIN).sql.lstrip().startswith("WITH top AS")


@pytest.mark.parametrize("name", ["top", "base"])  # "base" is also the name of a plan's own CTE
def test_the_cte_is_readable_from_a_where_subquery(engine: Engine, name: str) -> None:
    measures = "order_count, units_sold"  # two aggregation passes: the plan has CTEs of its own
    got = _rows(engine, TOP.format(name=name) + READ.format(measures=measures, name=name))
    everything = _rows(engine, f"SELECT customer_region, {measures} FROM sales GROUP BY 1")
    assert got == everything[:2]

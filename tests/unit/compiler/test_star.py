"""``SELECT *`` read directly on a relation whose joins fan out leaves out the measures that would repeat."""

from __future__ import annotations

from typing import Any

from server.compiler.star import star_members
from server.engine import Engine
from server.policy.identity import Caller
from server.semantic.model import MemberKind
from server.sql.session_info import SessionInfo
from server.statement import StatementService

ADMIN = Caller("admin")


def _table(engine: Engine, sql: str) -> Any:
    return StatementService(engine).query(sql, ADMIN, SessionInfo(user=ADMIN.user)).read_all()


def test_sales_star_keeps_dimensions_and_the_measures_that_add_up(engine: Engine) -> None:
    sales = engine.governance(ADMIN).relations()["sales"]
    names = [m.name for m in star_members(engine.manifest, sales)]
    assert "net_revenue" not in names and "order_count" not in names and "customer_count" not in names
    assert {"item_revenue", "units_sold", "line_count", "product_name", "customer_region", "order_id"} <= set(names)
    dimensions = [m.name for m in sales.public_members() if m.kind is not MemberKind.MEASURE]
    assert [n for n in names if n in dimensions] == dimensions


def test_relations_that_do_not_fan_out_list_every_member(engine: Engine) -> None:
    relations = engine.governance(ADMIN).relations()
    for name in ("orders", "customer_360", "products"):
        relation = relations[name]
        assert star_members(engine.manifest, relation) == relation.public_members(), name


def test_summing_the_star_rows_gives_the_measure(engine: Engine) -> None:
    rows = _table(engine, "SELECT * FROM sales")
    total = _table(engine, "SELECT item_revenue FROM sales").column(0)[0].as_py()
    assert sum(rows.column("item_revenue").to_pylist()) == total


def test_star_lists_the_same_columns_with_or_without_subqueries(engine: Engine) -> None:
    plain = _table(engine, "SELECT * FROM sales LIMIT 1").column_names
    nested = _table(engine, "SELECT * FROM sales WHERE order_id IN (SELECT order_id FROM orders) LIMIT 1")
    assert nested.column_names == plain


def test_measures_are_there_when_named(engine: Engine) -> None:
    table = _table(engine, "SELECT *, net_revenue FROM sales LIMIT 1")
    assert table.column_names[-1] == "net_revenue"

"""Notices a statement earns: measures whose values repeat across the rows it returns.

A client summing such rows (``pandas.read_sql_table('sales')``, a spreadsheet) would
get an inflated total; the rows stay as they are, the notice says what to ask instead.
"""

from __future__ import annotations

import pytest

from server.engine import Engine
from server.errors import Notice, SqlState
from server.policy.identity import Caller
from server.sql.parser import parse_statement

ADMIN = Caller("admin")
EU_ANALYST = Caller("eu_analyst", attributes={"region": "EU"})


def notices(engine: Engine, sql: str, caller: Caller = ADMIN) -> list[Notice]:
    return list(engine.notices_for(engine.compile_tree(parse_statement(sql), caller, "duckdb")))


def texts(engine: Engine, sql: str, caller: Caller = ADMIN) -> list[str]:
    return [n.message for n in notices(engine, sql, caller)]


NET_REVENUE = (
    'measure "net_revenue" repeats on each row of the many side of the join (orders \u00d7 products): '
    "summing these rows does not give its total; ask SUM(net_revenue) or MEASURE(net_revenue) at the grain you want"
)


def test_select_star_over_a_fan_out_names_each_repeated_measure(engine: Engine) -> None:
    found = notices(engine, "SELECT * FROM sales")
    assert NET_REVENUE in [n.message for n in found]
    assert all((n.severity, n.sqlstate) == ("NOTICE", SqlState.SUCCESSFUL_COMPLETION) for n in found)
    by_name = {n.message.split('"')[1]: n.message for n in found}
    # A count re-aggregates with SUM; a ratio only with MEASURE().
    assert "ask SUM(order_count) or MEASURE(order_count)" in by_name["order_count"]
    assert "ask MEASURE(average_order_value) at" in by_name["average_order_value"]
    assert "(customers \u00d7 orders \u00d7 products)" in by_name["customer_count"]
    # Measures of the many side itself do not repeat at this grain.
    assert "units_sold" not in by_name and "item_revenue" not in by_name


def test_a_projection_at_the_many_grain_names_only_its_measure(engine: Engine) -> None:
    assert texts(engine, "SELECT order_id, product_name, net_revenue FROM sales") == [NET_REVENUE]


def test_an_aggregate_the_user_wrote_is_named_as_written(engine: Engine) -> None:
    assert texts(engine, "SELECT product_name, count(*) FROM sales GROUP BY 1") == [
        'aggregate "COUNT(*)" repeats on each row of the many side of the join (orders \u00d7 products): '
        "summing these rows does not give its total; ask COUNT(*) at the grain you want"
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT channel, SUM(net_revenue) FROM sales GROUP BY 1",  # grouped on the measure's own table
        "SELECT channel, net_revenue, units_sold FROM sales",  # a fan-out in the join, but no key splits orders
        "SELECT * FROM customer_360",  # no fan-out: every key belongs to the root, measures to its many side
        "SELECT customer_region, order_count FROM sales",
        "SELECT product_name FROM sales",  # no measure at all
        "SELECT product_name, units_sold FROM sales ORDER BY net_revenue",  # only ORDER BY reads net_revenue
        # Around post-processing SQL or flattened, the outer query consumes the values itself.
        "SELECT channel, SUM(t1.net_revenue) FROM (SELECT * FROM sales WHERE status <> 'cancelled') t1 GROUP BY 1",
        "WITH x AS (SELECT order_id, product_name, net_revenue FROM sales) SELECT product_name FROM x",
    ],
)
def test_no_notice_when_no_returned_measure_repeats(engine: Engine, sql: str) -> None:
    assert texts(engine, sql) == []


def test_a_notice_names_only_members_the_caller_may_see(engine: Engine) -> None:
    visible = set(engine.governance(EU_ANALYST).relations()["sales"].members)
    found = texts(engine, "SELECT * FROM sales", EU_ANALYST)
    assert found
    named = {text.split('"')[1] for text in found}
    assert named <= visible
    assert not named & {"net_revenue", "gross_revenue", "average_order_value"}  # hidden from eu_analyst
    assert not any("gross" in text or "net_revenue" in text for text in found)


def test_the_notice_is_computed_with_the_plan(engine: Engine) -> None:
    compiled = engine.compile_tree(
        parse_statement("SELECT order_id, product_name, net_revenue FROM sales"), ADMIN, "duckdb"
    )
    (plan,) = compiled.plans
    assert [(r.name, r.owner, r.across) for r in plan.repeated] == [("net_revenue", "orders", ("products",))]

"""A relation read as rows in a grouped query: bare measures exact per group (ANY_VALUE), else 42803."""

from __future__ import annotations

import pytest

from server.engine import Engine
from server.errors import GroupingError
from server.policy.identity import Caller

ADMIN = Caller("admin")
CORRELATED = "SELECT s.customer_region, (SELECT upper(s.customer_region)) AS u, s.net_revenue FROM sales s"


def _sql(engine: Engine, sql: str) -> str:
    return engine.compile(sql, ADMIN).sql


def test_a_measure_is_read_once_per_group_when_the_keys_fix_the_row(engine: Engine) -> None:
    sql = _sql(engine, f"{CORRELATED} GROUP BY 1")
    assert "ANY_VALUE(s.net_revenue)" in sql


def test_a_measure_that_is_a_group_key_is_left_alone(engine: Engine) -> None:
    assert "ANY_VALUE" not in _sql(engine, f"{CORRELATED} GROUP BY 1, 3")


def test_an_ungrouped_dimension_is_42803_in_postgres_words(engine: Engine) -> None:
    with pytest.raises(GroupingError) as raised:
        _sql(
            engine,
            "SELECT s.customer_region, s.status, s.net_revenue FROM sales s "
            "JOIN customers c ON c.region = s.customer_region GROUP BY 1",
        )
    assert str(raised.value) == (
        'column "s.status" must appear in the GROUP BY clause or be used in an aggregate function'
    )


def test_a_measure_when_the_keys_do_not_fix_the_row_is_42803(engine: Engine) -> None:
    with pytest.raises(GroupingError, match=r'column "s\.net_revenue" must appear'):
        _sql(
            engine,
            "SELECT s.customer_region, s.net_revenue FROM sales s JOIN customers c ON c.region = s.customer_region "
            "WHERE s.status = 'placed' GROUP BY 1",
        )


def test_an_ungrouped_column_in_a_subquery_is_42803(engine: Engine) -> None:
    with pytest.raises(GroupingError, match=r'subquery uses ungrouped column "s\.status" from outer query'):
        _sql(engine, "SELECT s.customer_region, (SELECT s.status) AS x FROM sales s GROUP BY 1")


def test_a_subquery_alias_shadowing_the_outer_one_is_its_own(engine: Engine) -> None:
    _sql(
        engine,
        "SELECT s.customer_region, (SELECT COUNT(*) FROM sales s WHERE s.status = 'placed') AS v, s.net_revenue "
        "FROM sales s JOIN customers c ON c.region = s.customer_region GROUP BY 1",
    )


def test_where_and_join_columns_need_no_grouping(engine: Engine) -> None:
    sql = _sql(
        engine,
        "SELECT s.customer_region, count(*) FROM sales s JOIN customers c ON c.region = s.customer_region "
        "WHERE s.status = 'placed' GROUP BY 1",
    )
    assert "ANY_VALUE" not in sql


@pytest.mark.parametrize("grouping", ["ROLLUP(s.customer_region)", "CUBE(1)", "GROUPING SETS ((1), ())"])
def test_grouping_sets_are_left_to_the_engine(engine: Engine, grouping: str) -> None:
    _sql(
        engine,
        f"SELECT s.customer_region, count(*) FROM sales s JOIN customers c ON c.region = s.customer_region "
        f"GROUP BY {grouping}",
    )

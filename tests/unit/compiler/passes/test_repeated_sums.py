"""SQL around a semantic result may not add up a measure the result repeats (0A000), and only that."""

from __future__ import annotations

from typing import Any

import pytest

from server.engine import Engine
from server.errors import FeatureNotSupported, SqlState
from server.policy.identity import Caller
from server.sql.session_info import SessionInfo
from server.statement import StatementService

ADMIN = Caller("admin")
JOINED = "JOIN (SELECT DISTINCT channel FROM sales) c ON c.channel = t.channel"

REFUSED = [
    f"SELECT SUM(t.net_revenue) FROM (SELECT * FROM sales) t {JOINED}",
    f"SELECT AVG(t.net_revenue) FROM (SELECT order_id, product_name, channel, net_revenue FROM sales) t {JOINED}",
    "WITH t AS (SELECT * FROM sales) SELECT SUM(net_revenue) FROM t WHERE channel IN (SELECT channel FROM t)",
    "SELECT SUM(net_revenue) OVER () FROM (SELECT * FROM sales) t LIMIT 1",
]


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    table = StatementService(engine).query(sql, ADMIN, SessionInfo(user=ADMIN.user)).read_all()
    return [tuple(row.values()) for row in table.to_pylist()]


@pytest.mark.parametrize("sql", REFUSED)
def test_adding_up_a_repeated_measure_is_refused_with_what_to_ask(engine: Engine, sql: str) -> None:
    with pytest.raises(FeatureNotSupported) as raised:
        _rows(engine, sql)
    assert raised.value.sqlstate is SqlState.FEATURE_NOT_SUPPORTED
    assert 'measure "net_revenue" repeats' in str(raised.value)
    assert "SUM(net_revenue) or MEASURE(net_revenue)" in (raised.value.hint or "")


def test_a_measure_read_at_a_grain_that_does_not_repeat_it_adds_up(engine: Engine) -> None:
    total = _rows(engine, "SELECT SUM(net_revenue) FROM sales")[0][0]
    around = _rows(engine, f"SELECT SUM(t.net_revenue) FROM (SELECT channel, net_revenue FROM sales) t {JOINED}")
    assert around[0][0] == total


def test_repeat_safe_aggregates_stay_ordinary_sql(engine: Engine) -> None:
    sql = f"SELECT MIN(t.net_revenue), MAX(t.net_revenue), COUNT(t.net_revenue) FROM (SELECT * FROM sales) t {JOINED}"
    low, high, count = _rows(engine, sql)[0]
    rows = _rows(engine, "SELECT order_id, product_name, net_revenue FROM sales")
    values = [r[2] for r in rows if r[2] is not None]
    assert (low, high) == (min(values), max(values))
    assert count == len(values)


def test_the_rows_themselves_are_still_returned(engine: Engine) -> None:
    rows = _rows(engine, "SELECT order_id, product_name, net_revenue FROM sales ORDER BY 1, 2 LIMIT 3")
    assert len(rows) == 3 and all(r[2] is not None for r in rows)

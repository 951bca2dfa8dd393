"""Policies follow derivation (invariant 0) on the demo: what eu_analyst may not see cannot be recomputed.

eu_analyst may not see ``orders.gross_amount`` / ``gross_revenue``. Members built on
the same source columns (``net_revenue = gross - refunded``, ``average_order_value``
over it) and the order lines that add up to the gross amount must not give it back.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from server.config import DEMO_MODELS
from server.engine import Engine
from server.errors import QuiverError
from server.policy.identity import Caller
from server.policy.users import UserStore
from server.sql.parser import parse_statement
from server.sql.session_info import SessionInfo

USERS = UserStore.load(DEMO_MODELS / "users.yml")


def caller(name: str) -> Caller:
    user = USERS.get(name)
    assert user is not None
    return user.caller("sql")


def ask(engine: Engine, user: str, sql: str) -> list[tuple[Any, ...]]:
    who = caller(user)
    table = engine.run(parse_statement(sql), who, SessionInfo(user=who.user)).read_all()
    columns = [c.to_pylist() for c in table.columns]
    return [tuple(c[i] for c in columns) for i in range(table.num_rows)]


def refused(engine: Engine, user: str, sql: str) -> str:
    with pytest.raises(QuiverError) as caught:
        ask(engine, user, sql)
    return caught.value.sqlstate.value


def eu_gross(raw: duckdb.DuckDBPyConnection) -> float:
    row = raw.execute(
        "SELECT sum(gross_amount) FROM raw.orders o JOIN raw.customers c USING (customer_id) WHERE c.region = 'EU'"
    ).fetchone()
    assert row is not None
    return float(row[0])


RECOMPUTATIONS = (
    "SELECT MEASURE(net_revenue) + MEASURE(refunded_revenue) FROM orders",
    "SELECT MEASURE(average_order_value) * MEASURE(order_count) + MEASURE(refunded_revenue) FROM orders",
    "SELECT net_revenue + refunded_revenue FROM sales",
    "SELECT item_revenue FROM order_items",
    "SELECT item_revenue FROM sales",
    "SELECT sum(quantity * unit_price - discount) FROM order_items",
    "SELECT net_revenue + refunded_revenue FROM customer_360",
)


@pytest.mark.parametrize("sql", RECOMPUTATIONS)
def test_eu_analyst_cannot_recompute_the_hidden_gross(engine: Engine, sql: str) -> None:
    assert refused(engine, "eu_analyst", sql) == "42703"


def test_admin_still_gets_the_gross_back_from_its_parts(engine: Engine, raw: duckdb.DuckDBPyConnection) -> None:
    total = raw.execute("SELECT sum(gross_amount) FROM raw.orders").fetchone()
    assert total is not None
    (got,) = ask(engine, "admin", RECOMPUTATIONS[0])[0]
    assert float(got) == pytest.approx(float(total[0]))
    assert eu_gross(raw) == pytest.approx(6_694_244.95)

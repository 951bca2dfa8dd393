"""Columns of post-processing SQL fail as PostgreSQL fails them: by kind, with PostgreSQL's words and position.

The expected SQLSTATE, message and position of each case were read from a real
PostgreSQL 15 over tables with the same columns (``orders(order_id, customer_id,
status)``, ``customers(customer_id, region)``). An ambiguous column used to be
42703 "does not exist" without a position, chosen by matching sqlglot's message.
"""

from __future__ import annotations

import pytest

from server.engine import Engine
from server.errors import QuiverError, SqlState
from server.policy.identity import Caller

ADMIN = Caller("admin")
JOINED = "FROM orders o JOIN customers c ON o.customer_id = c.customer_id"

CASES = [
    # sql, sqlstate, message, position
    (
        f"SELECT customer_id {JOINED}",
        SqlState.AMBIGUOUS_COLUMN,
        'column reference "customer_id" is ambiguous',
        8,
    ),
    (
        "SELECT * FROM orders o, customers c WHERE customer_id = 1",
        SqlState.AMBIGUOUS_COLUMN,
        'column reference "customer_id" is ambiguous',
        43,
    ),
    (f"SELECT nope {JOINED}", SqlState.UNDEFINED_COLUMN, 'column "nope" does not exist', 8),
    (f"SELECT o.nope {JOINED}", SqlState.UNDEFINED_COLUMN, "column o.nope does not exist", 8),
    (f"SELECT x.status {JOINED}", SqlState.UNDEFINED_TABLE, 'missing FROM-clause entry for table "x"', 8),
    (
        "WITH r AS (SELECT status FROM orders) SELECT r.nope FROM r",
        SqlState.UNDEFINED_COLUMN,
        "column r.nope does not exist",
        46,
    ),
    (
        "SELECT status FROM orders WHERE customer_id IN (SELECT nope FROM customers)",
        SqlState.UNDEFINED_COLUMN,
        'column "nope" does not exist',
        56,
    ),
    (
        "SELECT status FROM orders o JOIN customers c USING (nope)",
        SqlState.UNDEFINED_COLUMN,
        'column "nope" specified in USING clause does not exist in left table',
        None,
    ),
    (
        "SELECT status FROM orders o JOIN customers c USING (status)",
        SqlState.UNDEFINED_COLUMN,
        'column "status" specified in USING clause does not exist in right table',
        None,
    ),
]


@pytest.mark.parametrize(("sql", "sqlstate", "message", "position"), CASES, ids=[c[0][:70] for c in CASES])
def test_column_error(engine: Engine, sql: str, sqlstate: SqlState, message: str, position: int | None) -> None:
    with pytest.raises(QuiverError) as caught:
        engine.compile(sql, ADMIN)
    error = caught.value
    assert (error.sqlstate, error.message, error.position) == (sqlstate, message, position)


def test_using_and_qualified_columns_still_compile(engine: Engine) -> None:
    sql = engine.compile(
        "SELECT o.status FROM orders o JOIN customers c USING (customer_id) WHERE customer_id = 1", ADMIN
    )
    assert "customer_id" in sql.sql

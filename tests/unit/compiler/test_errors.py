"""Bad semantic SQL gets a typed error with the right SQLSTATE, a PostgreSQL-style message and a hint."""

from __future__ import annotations

import pytest

from server.engine import Engine
from server.errors import QuiverError, SqlState
from server.policy.identity import Caller

ADMIN = Caller("admin")

CASES = [
    # sql, sqlstate, message, hint (or None), position (or None)
    ("SELECT revenu FROM orders", SqlState.UNDEFINED_COLUMN, 'column "revenu" does not exist', None, 8),
    (
        "SELECT net_revenu FROM orders",
        SqlState.UNDEFINED_COLUMN,
        'column "net_revenu" does not exist',
        'Perhaps you meant "net_revenue".',
        8,
    ),
    (
        "SELECT customer_region, COUNT(*) FILTER (WHERE product_category = 'books') FROM sales",
        SqlState.FEATURE_NOT_SUPPORTED,
        "\"COUNT(CASE WHEN product_category = 'books' THEN 1 END)\" aggregates columns of several tables",
        "Define a measure in the model, or aggregate columns of one table at a time.",
        None,
    ),
    ("SELECT status FROM ordr", SqlState.UNDEFINED_TABLE, 'relation "ordr" does not exist', None, 20),
    (
        "SELECT status FROM ordrs",
        SqlState.UNDEFINED_TABLE,
        'relation "ordrs" does not exist',
        'Perhaps you meant the relation "orders".',
        20,
    ),
    ("SELECT * FROM raw.orders", SqlState.UNDEFINED_TABLE, 'relation "raw.orders" does not exist', None, None),
    (
        "SELECT AVG(net_revenue) FROM orders",
        SqlState.GROUPING_ERROR,
        'measure "net_revenue" is of type sum and cannot be aggregated with AVG',
        "Use SUM(net_revenue) or MEASURE(net_revenue).",
        8,
    ),
    (
        "SELECT COUNT(customer_count) FROM customers",
        SqlState.GROUPING_ERROR,
        'measure "customer_count" is of type count_distinct and cannot be aggregated with COUNT',
        "Use COUNT(DISTINCT customer_count) or MEASURE(customer_count).",
        None,
    ),
    (
        "SELECT SUM(average_order_value) FROM orders",
        SqlState.GROUPING_ERROR,
        'measure "average_order_value" is of type number and cannot be aggregated with SUM',
        "Use MEASURE(average_order_value).",
        None,
    ),
    (
        "SELECT MEASURE(status) FROM orders",
        SqlState.GROUPING_ERROR,
        '"status" is a dimension, not a measure',
        None,
        None,
    ),
    (
        "SELECT status, channel, order_count FROM orders GROUP BY status",
        SqlState.GROUPING_ERROR,
        'column "channel" must appear in the GROUP BY clause or be used in an aggregate function',
        None,
        16,
    ),
    (
        "SELECT status FROM orders WHERE SUM(gross_amount) > 1",
        SqlState.GROUPING_ERROR,
        "aggregate functions are not allowed in WHERE",
        None,
        None,
    ),
    (
        "SELECT status, order_count FROM orders GROUP BY order_count",
        SqlState.GROUPING_ERROR,
        "aggregate functions are not allowed in GROUP BY",
        None,
        None,
    ),
    (
        "SELECT SUM(MAX(gross_amount)) FROM orders",
        SqlState.GROUPING_ERROR,
        "aggregate function calls cannot be nested",
        None,
        None,
    ),
    (
        "SELECT status, order_count FROM orders ORDER BY 3",
        SqlState.INVALID_COLUMN_REFERENCE,
        "ORDER BY position 3 is not in select list",
        None,
        None,
    ),
    (
        "SELECT status FROM orders GROUP BY 2",
        SqlState.INVALID_COLUMN_REFERENCE,
        "position 2 is not in select list",
        None,
        None,
    ),
    ("SELECT x.status FROM orders", SqlState.UNDEFINED_TABLE, 'missing FROM-clause entry for table "x"', None, 8),
    (
        "SELECT * FROM read_csv('/etc/passwd')",
        SqlState.INSUFFICIENT_PRIVILEGE,
        "table functions are not allowed",
        None,
        None,
    ),
    (
        "SELECT * FROM orders o JOIN read_parquet('x.parquet') p ON true",
        SqlState.INSUFFICIENT_PRIVILEGE,
        "table functions are not allowed",
        None,
        None,
    ),
    (
        "DROP TABLE orders",
        SqlState.READ_ONLY_SQL_TRANSACTION,
        "cannot execute DROP in a read-only transaction",
        None,
        None,
    ),
    (
        "INSERT INTO orders VALUES (1)",
        SqlState.READ_ONLY_SQL_TRANSACTION,
        "cannot execute INSERT in a read-only transaction",
        None,
        None,
    ),
    (
        "SELECT a.customer_region, MEASURE(b.customer_count) FROM sales a JOIN customers b ON a.customer_region = "
        "b.region GROUP BY 1",
        SqlState.FEATURE_NOT_SUPPORTED,
        "MEASURE() is only allowed in a SELECT over a single semantic relation",
        None,
        None,
    ),
    (
        "SELECT 1; SELECT 2",
        SqlState.SYNTAX_ERROR,
        "cannot insert multiple commands into a prepared statement",
        None,
        None,
    ),
    (
        "SELECT status FROM orders GROUP BY ROLLUP (status)",
        SqlState.FEATURE_NOT_SUPPORTED,
        "ROLLUP, CUBE and GROUPING SETS are not supported on semantic relations",
        None,
        None,
    ),
    (
        "SELECT o.nope FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        SqlState.UNDEFINED_COLUMN,
        None,
        None,
        None,
    ),
]


@pytest.mark.parametrize(("sql", "sqlstate", "message", "hint", "position"), CASES, ids=[c[0][:60] for c in CASES])
def test_error(
    engine: Engine, sql: str, sqlstate: SqlState, message: str | None, hint: str | None, position: int | None
) -> None:
    with pytest.raises(QuiverError) as caught:
        engine.compile(sql, ADMIN)
    error = caught.value
    assert error.sqlstate == sqlstate
    if message is not None:
        assert error.message == message
    if hint is not None:
        assert error.hint == hint
    if position is not None:
        assert error.position == position


def test_syntax_error_position_points_at_the_token(engine: Engine) -> None:
    with pytest.raises(QuiverError) as caught:
        engine.compile("SELECT status FROM orders WHERE", ADMIN)
    assert caught.value.sqlstate == SqlState.SYNTAX_ERROR
    with pytest.raises(QuiverError) as caught:
        engine.compile("SELECT status FROM orders orders orders", ADMIN)
    assert caught.value.message == 'syntax error at or near "orders"'
    assert caught.value.position == 34


def test_hidden_names_are_not_suggested(engine: Engine) -> None:
    # Hints only ever name what the caller may query.
    with pytest.raises(QuiverError) as caught:
        engine.compile("SELECT nothing_like_this FROM orders", ADMIN)
    assert caught.value.hint is None

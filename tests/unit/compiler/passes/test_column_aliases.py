"""Column alias lists rename by position, as PostgreSQL does, and never reach past what a caller sees.

``FROM orders AS o(x, y)`` used to be ignored: ``SELECT *`` kept the member names and
``SELECT x`` was 42703; a list longer than the columns was silently dropped, or
reached the client as the engine's own error under 42883.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from server.config import DEMO_MODELS
from server.engine import Engine
from server.errors import QuiverError, SqlState
from server.policy.identity import Caller
from server.policy.users import UserStore
from server.sql.session_info import SessionInfo
from server.statement import StatementService

USERS = UserStore.load(DEMO_MODELS / "users.yml")


def caller(name: str) -> Caller:
    user = USERS.get(name)
    assert user is not None
    return user.caller("sql")


def ask(engine: Engine, sql: str, user: str = "admin") -> tuple[list[str], list[tuple[Any, ...]]]:
    who = caller(user)
    table = StatementService(engine).query(sql, who, SessionInfo(user=who.user)).read_all()
    columns = [c.to_pylist() for c in table.columns]
    return table.column_names, [tuple(c[i] for c in columns) for i in range(table.num_rows)]


def refused(engine: Engine, sql: str, user: str = "admin") -> QuiverError:
    with pytest.raises(QuiverError) as raised:
        ask(engine, sql, user)
    return raised.value


def visible(engine: Engine, relation: str, user: str) -> list[str]:
    return [m.name for m in engine.governance(caller(user)).relations()[relation].public_members()]


def aliases(count: int) -> str:
    return ", ".join(f"c{i}" for i in range(1, count + 1))


# -- sources the engine renames: derived tables, CTEs, VALUES (checked against DuckDB) -------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM (SELECT 1, 2) AS c(a, b)",
        "SELECT b, a FROM (SELECT 1, 2) AS c(a, b)",
        "SELECT * FROM (SELECT 1 AS p, 2 AS q) AS c(a)",
        "WITH t(a, b) AS (SELECT 1, 2) SELECT * FROM t",
        "WITH t(a) AS (SELECT 1 AS p, 2 AS q) SELECT q, a FROM t",
        "SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS v(n, s) ORDER BY n",
    ],
)
def test_relation_free_alias_lists_answer_as_duckdb_does(engine: Engine, sql: str) -> None:
    expected = duckdb.sql(sql)
    assert ask(engine, sql) == (expected.columns, expected.fetchall())


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELECT * FROM (SELECT 1, 2) AS c(a, b, d)", 'table "c" has 2 columns available but 3 columns specified'),
        ("SELECT * FROM (VALUES (1, 2)) AS v(a, b, c)", 'table "v" has 2 columns available but 3 columns specified'),
        (
            "WITH t(a, b) AS (SELECT 1) SELECT * FROM t",
            'WITH query "t" has 1 columns available but 2 columns specified',
        ),
        # Over semantic results the list used to be dropped without a word.
        (
            "SELECT a FROM (SELECT status FROM orders) AS c(a, b)",
            'table "c" has 1 columns available but 2 columns specified',
        ),
        (
            "WITH t(a, b, c) AS (SELECT status, order_count FROM orders) SELECT * FROM t",
            'WITH query "t" has 2 columns available but 3 columns specified',
        ),
        (
            "SELECT * FROM (SELECT * FROM customers) AS c(" + aliases(12) + ")",
            'table "c" has 11 columns available but 12 columns specified',
        ),
    ],
)
def test_more_aliases_than_columns_is_42p10(engine: Engine, sql: str, message: str) -> None:
    error = refused(engine, sql)
    assert (error.sqlstate, error.message) == (SqlState.INVALID_COLUMN_REFERENCE, message)


@pytest.mark.parametrize(
    "sql, name",
    [
        ("SELECT q FROM (SELECT 1 AS p, 2 AS q) AS c(q)", "q"),
        ("SELECT c.order_count FROM (SELECT status, order_count FROM orders) AS c(order_count)", "order_count"),
    ],
)
def test_a_name_the_list_gives_twice_is_ambiguous_where_used(engine: Engine, sql: str, name: str) -> None:
    """DuckDB would silently read the first of the two columns."""
    error = refused(engine, sql)
    assert (error.sqlstate, error.message) == (SqlState.AMBIGUOUS_COLUMN, f'column reference "{name}" is ambiguous')


def test_alias_lists_over_semantic_results(engine: Engine) -> None:
    expected = ask(engine, "SELECT status AS a, order_count AS b FROM orders ORDER BY 1")
    for sql in (
        "SELECT * FROM (SELECT status, order_count FROM orders) AS c(a, b) ORDER BY 1",
        "SELECT c.a, c.b FROM (SELECT status, order_count FROM orders) AS c(a, b) ORDER BY 1",
        "WITH t(a, b) AS (SELECT status, order_count FROM orders) SELECT a, b FROM t ORDER BY a",
    ):
        assert ask(engine, sql) == expected, sql


# -- semantic relations: renamed here, over the caller's visible members ---------------------------


def test_select_star_shows_the_new_names_first(engine: Engine) -> None:
    names, rows = ask(engine, "SELECT * FROM orders AS o(x, y) ORDER BY x LIMIT 5")
    plain_names, plain_rows = ask(engine, "SELECT * FROM orders ORDER BY order_id LIMIT 5")
    assert names == ["x", "y", *plain_names[2:]]
    assert rows == plain_rows


@pytest.mark.parametrize(
    "aliased, explicit",
    [
        (
            "SELECT s, order_count FROM orders AS o(i, c, t, s) ORDER BY s",
            "SELECT status AS s, order_count FROM orders ORDER BY s",
        ),
        (
            "SELECT o.s, count(*) FROM orders AS o(i, c, t, s) WHERE s <> 'placed' GROUP BY s ORDER BY 1",
            "SELECT status AS s, count(*) FROM orders WHERE status <> 'placed' GROUP BY status ORDER BY 1",
        ),
        (
            "SELECT customer_id, order_id FROM orders AS o(customer_id, order_id) ORDER BY 1, 2 LIMIT 3",
            "SELECT order_id AS customer_id, customer_id AS order_id FROM orders ORDER BY 1, 2 LIMIT 3",
        ),
        (
            "SELECT MEASURE(n), s FROM orders AS o(a, b, c, s, e, f, g, n) ORDER BY s",
            "SELECT MEASURE(order_count) AS n, status AS s FROM orders ORDER BY s",
        ),
        (
            "SELECT * EXCLUDE (b) FROM orders AS o(a, b) ORDER BY a LIMIT 3",
            "SELECT order_id AS a, * EXCLUDE (order_id, customer_id) FROM orders ORDER BY a LIMIT 3",
        ),
        (
            "WITH t AS (SELECT s, order_count FROM orders AS o(i, c, t, s)) SELECT * FROM t ORDER BY s",
            "SELECT status AS s, order_count FROM orders ORDER BY s",
        ),
        (
            "SELECT o.s, c.r, count(*) AS n FROM orders AS o(i, cid, t, s) "
            "JOIN customers AS c(k, nm, e, p, co, r) ON o.cid = c.k GROUP BY 1, 2 ORDER BY 1, 2",
            "SELECT o.status AS s, c.region AS r, count(*) AS n FROM orders AS o "
            "JOIN customers AS c ON o.customer_id = c.customer_id GROUP BY 1, 2 ORDER BY 1, 2",
        ),
        (
            "SELECT s FROM orders AS o(i, c, t, s) WHERE EXISTS (SELECT 1 FROM customers k "
            "WHERE k.customer_id = o.c AND k.region = 'EU') GROUP BY s ORDER BY s",
            "SELECT status AS s FROM orders AS o WHERE EXISTS (SELECT 1 FROM customers k "
            "WHERE k.customer_id = o.customer_id AND k.region = 'EU') GROUP BY status ORDER BY s",
        ),
        (
            "SELECT s, n FROM orders AS o(a, b, c, s, e, f, g, n) GROUP BY 1 HAVING n > 5 ORDER BY 1",
            "SELECT status AS s, order_count AS n FROM orders GROUP BY 1 HAVING order_count > 5 ORDER BY 1",
        ),
        (
            "SELECT o.x, p.y FROM orders AS o(x) JOIN orders AS p(y) ON o.x = p.y ORDER BY 1 LIMIT 3",
            "SELECT o.order_id AS x, p.order_id AS y FROM orders AS o JOIN orders AS p ON o.order_id = p.order_id "
            "ORDER BY 1 LIMIT 3",
        ),
    ],
    ids=[
        "bare",
        "qualified, where, group",
        "swapped names",
        "measure",
        "star exclude",
        "in a cte",
        "join",
        "correlated",
        "having",
        "self join",
    ],
)
def test_renamed_columns_answer_like_the_explicit_query(engine: Engine, aliased: str, explicit: str) -> None:
    assert ask(engine, aliased) == ask(engine, explicit)


def test_a_name_the_list_replaced_is_gone(engine: Engine) -> None:
    error = refused(engine, "SELECT order_id FROM orders AS o(x)")
    assert (error.sqlstate, error.message) == (SqlState.UNDEFINED_COLUMN, 'column "order_id" does not exist')
    error = refused(engine, "SELECT o.order_id FROM orders AS o(x)")
    assert error.sqlstate == SqlState.UNDEFINED_COLUMN


def test_a_name_given_twice_is_ambiguous(engine: Engine) -> None:
    error = refused(engine, "SELECT customer_id FROM orders AS o(customer_id)")
    assert (error.sqlstate, error.message) == (SqlState.AMBIGUOUS_COLUMN, 'column reference "customer_id" is ambiguous')


def test_using_over_renamed_columns_is_refused_not_guessed(engine: Engine) -> None:
    error = refused(engine, "SELECT * FROM orders AS o(x) JOIN customers AS c(k) USING (customer_id)")
    assert error.sqlstate == SqlState.FEATURE_NOT_SUPPORTED
    assert error.hint == "Write the join condition with ON."


def test_more_aliases_than_visible_members_is_42p10(engine: Engine) -> None:
    count = len(visible(engine, "orders", "admin"))
    error = refused(engine, f"SELECT 1 FROM orders AS o({aliases(count + 1)})")
    assert error.sqlstate == SqlState.INVALID_COLUMN_REFERENCE
    assert error.message == f'table "o" has {count} columns available but {count + 1} columns specified'


# -- hidden and masked members ---------------------------------------------------------------------

HIDDEN_FROM_EU = {"gross_amount", "gross_revenue", "net_revenue", "average_order_value"}


def test_the_list_covers_only_what_the_caller_sees(engine: Engine) -> None:
    """eu_analyst's 14 visible columns: a 15th alias is an error that counts only those."""
    shown = visible(engine, "orders", "eu_analyst")
    assert HIDDEN_FROM_EU.isdisjoint(shown)
    error = refused(engine, f"SELECT 1 FROM orders AS o({aliases(len(shown) + 1)})", "eu_analyst")
    assert error.message == f'table "o" has {len(shown)} columns available but {len(shown) + 1} columns specified'
    assert len(shown) < len(visible(engine, "orders", "admin"))


def test_every_position_names_a_visible_member_never_a_hidden_one(engine: Engine) -> None:
    shown = visible(engine, "orders", "eu_analyst")
    for position, member in enumerate(shown, start=1):
        last = f"c{position}"
        aliased = ask(engine, f"SELECT {last} FROM orders AS o({aliases(position)}) ORDER BY 1 LIMIT 20", "eu_analyst")
        explicit = ask(engine, f"SELECT {member} AS {last} FROM orders ORDER BY 1 LIMIT 20", "eu_analyst")
        assert aliased == explicit, member
    # Through the post-processing path (a join) too: position 6 is refunded_amount, not gross_amount.
    joined = "SELECT sum(o.c6) FROM orders AS o(c1, c2, c3, c4, c5, c6) JOIN customers AS k ON o.c2 = k.customer_id"
    direct = "SELECT sum(o.refunded_amount) FROM orders AS o JOIN customers AS k ON o.customer_id = k.customer_id"
    assert ask(engine, joined, "eu_analyst")[1] == ask(engine, direct, "eu_analyst")[1]


def test_a_hidden_members_name_given_as_an_alias_holds_the_visible_column(engine: Engine) -> None:
    names, rows = ask(engine, "SELECT gross_amount FROM orders AS o(gross_amount) ORDER BY 1 LIMIT 3", "eu_analyst")
    assert names == ["gross_amount"]
    assert rows == ask(engine, "SELECT order_id FROM orders ORDER BY 1 LIMIT 3", "eu_analyst")[1]
    error = refused(engine, "SELECT gross_revenue FROM orders AS o(x)", "eu_analyst")
    assert error.sqlstate == SqlState.UNDEFINED_COLUMN


def test_masks_follow_the_member_under_its_new_name(engine: Engine) -> None:
    masked = ask(engine, "SELECT i, e FROM customers AS c(i, n, e) ORDER BY i LIMIT 5", "analyst")
    explicit = "SELECT customer_id AS i, email AS e FROM customers ORDER BY i LIMIT 5"
    assert masked == ask(engine, explicit, "analyst")
    assert masked != ask(engine, explicit, "admin")

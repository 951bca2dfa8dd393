"""Statements too long or too deeply nested get 54001, quickly; what BI tools send still parses.

Before these limits, 3,000 nested parentheses or 500 nested CASE expressions ran the
parser out of recursion (XX000 and a 685 KB traceback per statement), and 22 nested
``ARRAY[`` took a minute to parse.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest

from server.engine import Engine
from server.errors import QuiverError, SqlState, StatementTooComplex
from server.policy.identity import Caller
from server.sql import limits
from server.sql.parser import parse_statement, parse_statements, set_max_query_bytes
from server.sql.router import route_all


def too_complex(sql: str) -> StatementTooComplex:
    with pytest.raises(StatementTooComplex) as raised:
        parse_statement(sql)
    assert raised.value.sqlstate == SqlState.STATEMENT_TOO_COMPLEX == "54001"
    return raised.value


def nested_parentheses(depth: int) -> str:
    return "SELECT " + "(" * depth + "1" + ")" * depth


def nested_case(depth: int) -> str:
    return "SELECT " + "CASE WHEN x = 1 THEN " * depth + "1" + " ELSE 0 END" * depth + " AS v FROM t"


# -- nesting ------------------------------------------------------------------------------------


def test_three_thousand_parentheses_are_too_complex_with_a_position() -> None:
    error = too_complex(nested_parentheses(3000))
    assert error.message == "statement is too complex"
    assert "nested more than 200 levels" in (error.detail or "")
    # The 201st parenthesis, 1-based: "SELECT " is 7 characters, then 200 accepted levels.
    assert error.position == 7 + 200 + 1


def test_five_hundred_nested_case_expressions_are_too_complex() -> None:
    error = too_complex(nested_case(500))
    assert error.position is not None and error.position > 1


def test_nesting_the_scan_does_not_count_still_ends_in_54001() -> None:
    """NOT NOT NOT ... recurses in the parser without a bracket: its RecursionError becomes 54001."""
    error = too_complex("SELECT 1 WHERE " + "NOT " * 3000 + "true")
    assert error.message == "statement is too complex"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT " + "-(" * 1000 + "1" + ")" * 1000,
        "SELECT " + "abs(" * 1000 + "1" + ")" * 1000,
        "SELECT " + "ARRAY[" * 1000 + "1" + "]" * 1000,
        "SELECT " + "(SELECT " * 1000 + "1" + ")" * 1000,
        "SELECT * FROM t WHERE " + "EXISTS (SELECT 1 WHERE " * 600 + "true" + ")" * 600,
        "SELECT " + "coalesce((CASE WHEN a THEN " * 300 + "1" + " END), 0)" * 300,
    ],
)
def test_deep_shapes_are_too_complex_and_fast(sql: str) -> None:
    started = time.perf_counter()
    too_complex(sql)
    assert time.perf_counter() - started < 1.0


def test_comments_and_strings_do_not_count_as_nesting() -> None:
    opened = "(" * 400
    sql = f"SELECT '{opened}' AS a, \"{opened}\" AS b /* {opened} */ -- {opened}\n, $${opened}$$ AS c"
    trees = parse_statements(sql)
    assert len(trees) == 1
    assert [e.alias for e in trees[0].expressions] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "sql",
    [
        nested_parentheses(150),
        nested_case(50),
        # 100 nested AND/OR groups, as Tableau writes its filters.
        "SELECT 1 FROM t WHERE " + "(a = 1 AND (b = 2 OR " * 100 + "c = 3" + "))" * 100,
        # A flat OR of 3,000 comparisons (a deep left-leaning tree, but no nesting in the text).
        "SELECT 1 FROM t WHERE " + " OR ".join(f"a = {i}" for i in range(3000)),
        "SELECT 1 FROM t WHERE a IN (" + ", ".join(str(i) for i in range(10_000)) + ")",
        "SELECT 1 FROM t WHERE a IN (" + ", ".join(f"'v{i}'" for i in range(10_000)) + ")",
        # Two levels of type-named calls everywhere, however long: a list of pairs.
        "SELECT ARRAY[" + ", ".join(f"ARRAY[{i}, {i}]" for i in range(3000)) + "]",
        "SELECT CAST(date(a) AS numeric(10, 2)), text(int4(b)), varchar(timestamp(c)) FROM t",
        # Twelve levels of scalar subqueries, and 30 of derived tables (those plan in linear time).
        "SELECT " + "(SELECT " * 12 + "1" + ")" * 12,
        "SELECT * FROM " + "(SELECT * FROM " * 30 + "t" + ") s" * 30,
    ],
    ids=[
        "150 parentheses",
        "50 CASE",
        "100 AND/OR groups",
        "3000 ORs",
        "IN 10000 numbers",
        "IN 10000 strings",
        "array of 3000 pairs",
        "type-named calls",
        "12 scalar subqueries",
        "30 derived tables",
    ],
)
def test_what_bi_tools_send_still_parses(sql: str) -> None:
    assert len(parse_statements(sql)) == 1


# -- backtracking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opener, closer", [("ARRAY[", "]"), ("text(", ")"), ("text [", "]"), ("double precision(", ")")]
)
def test_nested_type_named_calls_are_refused_before_they_take_minutes(opener: str, closer: str) -> None:
    started = time.perf_counter()
    error = too_complex("SELECT " + opener * 22 + "1" + closer * 22)
    assert time.perf_counter() - started < 0.5
    assert "nested too deeply to parse" in (error.detail or "")


def test_type_named_calls_hidden_behind_comments_are_counted() -> None:
    too_complex("SELECT " + "text/* x */(" * 22 + "1" + ")" * 22)


def test_random_nestings_always_finish_quickly() -> None:
    """Whatever mix of type-named calls, brackets and CASE: parsed or refused, never slow."""
    pieces = [("ARRAY[", "]"), ("text(", ")"), ("numeric [", "]"), ("(", ")"), ("STRUCT(", ")"), ("int4(", ")")]
    pieces += [("CASE WHEN a THEN ", " END"), ("timestamp(", ")"), ("varchar (", ")"), ("abs(", ")")]
    rng = random.Random(9)
    slowest = 0.0
    for _ in range(150):
        depth = rng.randint(1, 40)
        chain = [rng.choice(pieces) for _ in range(depth)]
        sql = "SELECT " + "".join(o for o, _ in chain) + "1" + "".join(c for _, c in reversed(chain))
        started = time.perf_counter()
        try:
            parse_statement(sql)
        except QuiverError as error:
            assert error.sqlstate in (SqlState.STATEMENT_TOO_COMPLEX, SqlState.SYNTAX_ERROR), sql
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 1.5


# -- subqueries in expressions ------------------------------------------------------------------


def test_deeply_nested_scalar_subqueries_are_refused_before_the_engine_plans_them() -> None:
    """DuckDB needs 17 s to plan 25 nested scalar subqueries; the parser stops at 12 levels."""
    error = too_complex("SELECT " + "(SELECT " * 25 + "1" + ")" * 25)
    assert "Subqueries are nested more than 12 levels" in (error.detail or "")


def test_nested_exists_counts_through_where_clauses() -> None:
    sql = "SELECT 1 FROM t WHERE " + "EXISTS (SELECT 1 FROM t WHERE " * 13 + "true" + ")" * 13
    too_complex(sql)


# -- size ---------------------------------------------------------------------------------------


@pytest.fixture
def small_limit() -> Iterator[int]:
    before = limits.max_query_bytes()
    set_max_query_bytes(1000)
    yield 1000
    set_max_query_bytes(before)


def test_the_default_limit_is_the_documented_setting() -> None:
    assert limits.max_query_bytes() == 4 * 1024 * 1024


def test_a_statement_over_the_limit_is_54001(small_limit: int) -> None:
    parse_statement("SELECT '" + "x" * 900 + "'")  # under the limit
    error = too_complex("SELECT '" + "x" * 1000 + "'")
    assert error.message == "statement is too long"
    assert error.detail == "The statement is 1,009 bytes; this server accepts at most 1,000."


def test_the_limit_counts_utf8_bytes_not_characters(small_limit: int) -> None:
    sql = "SELECT '" + "é" * 600 + "'"  # 609 characters, 1,209 bytes
    assert len(sql) < small_limit
    assert too_complex(sql).message == "statement is too long"


def test_the_limit_is_per_statement_and_the_router_applies_it(small_limit: int) -> None:
    assert len(route_all("SELECT 1; " * 200)) == 200  # 2,000 bytes in all, each statement short
    with pytest.raises(StatementTooComplex):
        route_all("SELECT 1; SELECT '" + "x" * 1000 + "'")


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        set_max_query_bytes(0)


# -- every channel parses through the same function --------------------------------------------


def test_the_engine_path_used_by_flight_and_quiver_query_answers_54001(engine: Engine) -> None:
    with pytest.raises(StatementTooComplex):
        engine.compile("SELECT " + "(" * 3000 + "order_count" + ")" * 3000 + " FROM orders", Caller("admin"))
    with pytest.raises(StatementTooComplex):
        cases = nested_case(500).replace("FROM t", "FROM orders").replace("x = 1", "status = 'x'")
        engine.compile(cases, Caller("admin"))

"""The long-IN-list cut works on code only: text inside strings, names and comments is never edited.

A list of 64+ literals after IN is cut out before parsing (parsing 10,000 values is
most of a compile) and put back as one node. It used to be a regex over the raw text,
so ``SELECT 'x IN (1,...,150)'`` came back as ``x IN (__quiver_literal_list_0)``.
"""

from __future__ import annotations

import time

import duckdb
import pytest
import sqlglot.expressions as exp

from server.engine import Engine
from server.policy.identity import Caller
from server.sql.parser import parse_statement

VALUES = ", ".join(str(i) for i in range(1, 151))
INSIDE = f"x IN ({VALUES})"


def rendered(sql: str) -> str:
    return parse_statement(sql).sql("duckdb")


def run(sql: str) -> list[tuple[object, ...]]:
    return duckdb.sql(rendered(sql)).fetchall()


@pytest.mark.parametrize(
    "literal, value",
    [
        (f"'{INSIDE}'", INSIDE),
        (f"'it''s {INSIDE}'", f"it's {INSIDE}"),
        (f"E'a\\' {INSIDE}'", f"a' {INSIDE}"),
        (f"$${INSIDE}$$", INSIDE),
        (f"$tag$ $$ {INSIDE} $tag$", f" $$ {INSIDE} "),
    ],
    ids=["plain", "doubled quote", "E string", "dollar", "tagged dollar"],
)
def test_a_list_written_inside_a_string_is_returned_as_written(literal: str, value: str) -> None:
    assert run(f"SELECT {literal} AS s") == [(value,)]


def test_a_list_inside_a_quoted_identifier_stays_a_name() -> None:
    tree = parse_statement(f'SELECT 1 AS "{INSIDE}"')
    assert tree.expressions[0].alias == INSIDE


def test_a_list_inside_comments_is_not_cut_and_the_code_list_still_is() -> None:
    sql = f"SELECT /* {INSIDE} /* nested */ {INSIDE} */ 1 AS n -- {INSIDE}\nWHERE 5 IN ({VALUES})"
    tree = parse_statement(sql)
    lists = list(tree.find_all(exp.Var))
    assert [v.name for v in lists] == [VALUES]  # the one list in code was cut (and put back)
    assert run(sql) == [(1,)]


def test_a_backslash_before_the_quote_does_not_end_an_ordinary_string() -> None:
    """With standard_conforming_strings on, '\\' is a one-character string; the list after it is code."""
    sql = f"SELECT '\\' AS b WHERE 3 IN ({VALUES})"
    assert run(sql) == [("\\",)]
    assert [v.name for v in parse_statement(sql).find_all(exp.Var)] == [VALUES]


def test_lists_of_strings_and_numbers_are_cut_and_answer_the_same() -> None:
    strings = ", ".join(f"'v''{i}'" for i in range(100))
    sql = f"SELECT count(*) AS n FROM range(200) r(i) WHERE i IN ({VALUES}) AND 'v''7' IN ({strings})"
    assert [v.name for v in parse_statement(sql).find_all(exp.Var)] == [VALUES, strings]
    assert run(sql) == [(150,)]


def test_an_identifier_ending_in_in_is_not_the_keyword() -> None:
    tree = parse_statement(f"SELECT * FROM t WHERE login({VALUES}) AND a$in ({VALUES}) IS NULL")
    assert not list(tree.find_all(exp.Var))


def test_a_user_written_marker_name_is_never_replaced() -> None:
    sql = f"SELECT __quiver_literal_list_0, __quiver_literal_list_7 FROM t WHERE a IN ({VALUES})"
    tree = parse_statement(sql)
    assert [c.name for c in tree.expressions] == ["__quiver_literal_list_0", "__quiver_literal_list_7"]
    assert len(list(tree.find_all(exp.Literal))) == 150  # the text naming the marker is parsed as written


def test_ten_thousand_values_compile_well_under_50_ms(engine: Engine) -> None:
    """The benchmark's in_list_10000 case (benchmarks/compile.py): the cut keeps it fast."""
    in_list = ", ".join(str(i) for i in range(10_000))
    sql = f"SELECT status, order_count FROM orders WHERE order_id IN ({in_list})"
    caller = Caller("admin")
    best = float("inf")
    for attempt in range(5):
        started = time.perf_counter()
        engine.compile(sql + " " * attempt, caller)  # a new text each time: no plan cache hit
        best = min(best, time.perf_counter() - started)
    assert best < 0.050

"""``x = ANY('{a,b}')``: an array written as a string literal reads as PostgreSQL reads it."""

from __future__ import annotations

import sqlglot

from server.sql.params import any_array_to_in


def rewrite(sql: str) -> str:
    return any_array_to_in(sqlglot.parse_one(sql, dialect="postgres")).sql("postgres")


def test_any_over_text_array_is_in() -> None:
    assert rewrite("SELECT 1 WHERE x = ANY('{web,app}')") == "SELECT 1 WHERE x IN ('web', 'app')"


def test_quoted_empty_element_and_null() -> None:
    assert rewrite("""SELECT 1 WHERE k = ANY('{r,p,""}')""") == "SELECT 1 WHERE k IN ('r', 'p', '')"
    assert rewrite("SELECT 1 WHERE k <> ALL('{a,NULL}')") == "SELECT 1 WHERE NOT k IN ('a', NULL)"


def test_empty_array_literal() -> None:
    assert rewrite("SELECT 1 WHERE x = ANY('{}')") == "SELECT 1 WHERE FALSE"


def test_not_an_array_left_alone() -> None:
    assert rewrite("SELECT 1 WHERE x = ANY('web')") == "SELECT 1 WHERE x = ANY('web')"
    assert rewrite("SELECT 1 WHERE x = ANY('{{1},{2}}')") == "SELECT 1 WHERE x = ANY('{{1},{2}}')"

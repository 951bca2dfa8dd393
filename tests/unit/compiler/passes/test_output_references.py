"""Bare GROUP BY / ORDER BY names that are output aliases are not outer references (PostgreSQL's rule)."""

from __future__ import annotations

import pytest
import sqlglot.expressions as exp
from sqlglot.optimizer.scope import traverse_scope

from server.compiler.passes.output_references import external_columns, names_an_output, output_names
from server.compiler.statement import compile_statement
from server.engine import Engine
from server.errors import UndefinedColumn
from server.policy.identity import Caller
from server.sql.parser import parse_statement

ADMIN = Caller("admin")


def _column(sql: str, name: str) -> exp.Column:
    return next(
        c for c in parse_statement(sql).find_all(exp.Column) if c.name == name and c.find_ancestor(exp.Group, exp.Order)
    )


def test_output_names_are_aliases_and_bare_columns() -> None:
    select = parse_statement("SELECT a AS x, b, c + 1, count(*) AS n FROM t")
    assert output_names(select) == {"x", "b", "n"}


@pytest.mark.parametrize(
    ("sql", "name", "expected"),
    [
        ("SELECT a AS x FROM t GROUP BY x", "x", True),
        ("SELECT a AS x FROM t ORDER BY x", "x", True),
        ("SELECT a AS x FROM t GROUP BY x || 'a'", "x", False),  # inside an expression: an input column only
        ("SELECT a AS x FROM t ORDER BY x || 'a'", "x", False),
        ("SELECT a AS x FROM t GROUP BY y", "y", False),
        ("SELECT a AS x FROM t GROUP BY t.x", "x", False),
    ],
)
def test_names_an_output(sql: str, name: str, expected: bool) -> None:
    assert names_an_output(_column(sql, name)) is expected


def test_an_alias_in_a_nested_group_by_is_not_external() -> None:
    tree = parse_statement("WITH c AS (SELECT t.a AS x FROM t GROUP BY x) SELECT * FROM c")
    cte = next(scope for scope in traverse_scope(tree) if scope.is_cte)
    assert [c.name for c in cte.external_columns] == ["x"]  # what sqlglot says
    assert external_columns(cte) == []


def _compile(engine: Engine, sql: str) -> None:
    governance = engine.governance(ADMIN)
    compile_statement(parse_statement(sql), engine.manifest, governance.relations(), governance)


@pytest.mark.parametrize(
    "sql",
    [
        "WITH t AS (SELECT customer_region AS r, net_revenue FROM sales GROUP BY r) SELECT * FROM t",
        "SELECT * FROM (SELECT customer_region AS r, net_revenue AS n FROM sales GROUP BY r ORDER BY n) t",
        "SELECT status FROM orders WHERE status IN (SELECT status AS s FROM orders GROUP BY s ORDER BY s LIMIT 1)",
    ],
)
def test_nested_output_aliases_compile(engine: Engine, sql: str) -> None:
    _compile(engine, sql)


def test_an_alias_used_inside_an_expression_is_still_unknown(engine: Engine) -> None:
    with pytest.raises(UndefinedColumn, match='column "r" does not exist'):
        _compile(engine, "WITH t AS (SELECT customer_region AS r FROM sales GROUP BY r || 'x') SELECT * FROM t")

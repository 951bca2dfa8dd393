"""Ordered-set percentiles become aggregates of their value, with the ordering kept, run on DuckDB."""

from __future__ import annotations

import duckdb
import sqlglot.expressions as exp

from server.sql.parser import parse_statement
from server.sql.postgres_meaning import postgres_meaning

VALUES = "(VALUES (3), (1), (3), (1), (2), (NULL)) t(x)"


def rewritten(sql: str) -> exp.Expr:
    return postgres_meaning(parse_statement(sql))


def test_a_percentile_is_an_aggregate_of_its_value() -> None:
    tree = rewritten(f"SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x DESC) FROM {VALUES}")
    assert not list(tree.find_all(exp.WithinGroup))
    (call,) = tree.find_all(exp.PercentileDisc)
    assert isinstance(call.this, exp.Column) and call.this.name == "x"


def test_values_as_postgres_answers_them() -> None:
    sql = (
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x DESC), percentile_cont(0.9) WITHIN GROUP "
        "(ORDER BY x DESC), percentile_cont(0.5) WITHIN GROUP (ORDER BY x), "
        f"mode() WITHIN GROUP (ORDER BY x) FROM {VALUES}"
    )
    relation = duckdb.sql(rewritten(sql).sql(dialect="duckdb"))
    assert relation.fetchall() == [(2, 1.0, 2.0, 1)]  # PostgreSQL 15's answers
    assert [str(t) for t in relation.types][1:3] == ["DOUBLE", "DOUBLE"]  # percentile_cont is float8


def test_mode_and_several_sort_keys_are_left_as_written() -> None:
    for sql in (
        "SELECT mode() WITHIN GROUP (ORDER BY x) FROM t",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x, y) FROM t",
    ):
        assert rewritten(sql).sql("duckdb") == parse_statement(sql).sql("duckdb")

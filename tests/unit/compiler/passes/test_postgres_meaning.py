"""The compiler gives PostgreSQL's arithmetic to semantic statements, typed by the members they name.

``order_count / 7`` is an integer in PostgreSQL (count is a bigint); a sum or a number
measure may be fractional, so a division of it is left as written.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from server.engine import Engine
from server.errors import QuiverError
from server.policy.identity import Caller
from server.sql.session_info import SessionInfo
from server.statement import StatementService

ADMIN = Caller("admin")


def ask(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    table = StatementService(engine).query(sql, ADMIN, SessionInfo(user="admin")).read_all()
    return [tuple(row.values()) for row in table.to_pylist()]


def test_a_count_measure_divides_as_an_integer(engine: Engine, raw: duckdb.DuckDBPyConnection) -> None:
    got = ask(engine, "SELECT status, order_count / 7 AS q, -order_count / 7 AS m FROM orders GROUP BY 1 ORDER BY 1")
    want = raw.execute("SELECT status, COUNT(*) // 7, -COUNT(*) // 7 FROM raw.orders GROUP BY 1 ORDER BY 1")
    assert got == want.fetchall()
    assert "//" in engine.compile("SELECT order_count / 7 FROM orders", ADMIN).sql


def test_qualified_and_nested_members_are_typed_too(engine: Engine, raw: duckdb.DuckDBPyConnection) -> None:
    got = ask(engine, "SELECT (o.order_count + 1) / 2 / 3 AS q FROM orders AS o")
    (count,) = raw.execute("SELECT COUNT(*) FROM raw.orders").fetchone() or (0,)
    assert got == [((count + 1) // 2 // 3,)]


def test_a_sum_measure_is_left_as_written(engine: Engine) -> None:
    assert "//" not in engine.compile("SELECT net_revenue / 7 FROM orders", ADMIN).sql


def test_a_count_divided_by_zero_is_an_error(engine: Engine) -> None:
    with pytest.raises(QuiverError, match="division by zero"):
        ask(engine, "SELECT status, order_count / (1 - 1) FROM orders GROUP BY 1")


def test_members_divide_as_the_type_the_catalog_reports() -> None:
    from server.compiler.passes.postgres_meaning import _kind
    from server.sql.postgres_meaning.types import SqlType

    assert _kind("numeric(12,2)") is SqlType.NUMERIC and _kind("numeric") is SqlType.NUMERIC
    assert _kind("int8") is SqlType.INTEGER and _kind("float8") is SqlType.FLOAT
    assert _kind("text") is None and _kind(None) is None

"""The temporary-table engine is locked down like the main one: surface, timeout, cancel, memory."""

from __future__ import annotations

import threading
import time

import pyarrow as pa
import pytest

from connectors.base import CancelToken
from server.engine import Engine
from server.errors import QuiverError
from server.policy.identity import Caller
from server.sql.session_info import SessionInfo
from server.statement.service import FixedSession, StatementService

ANALYST = Caller("analyst")
SESSION = SessionInfo(user="analyst", database="quiver")
TEMP = {"t": pa.table({"x": pa.array(range(3000), pa.int64())})}


def _run(engine: Engine, sql: str, **options: object) -> pa.Table:
    session = FixedSession(SESSION, TEMP)
    result = StatementService(engine).query(sql, ANALYST, session, **options)  # type: ignore[arg-type]
    return result.read_all()


def _sqlstate(engine: Engine, sql: str, **options: object) -> str:
    with pytest.raises(QuiverError) as caught:
        _run(engine, sql, **options)
    return caught.value.sqlstate.value


def test_reads_temporary_tables(engine: Engine) -> None:
    table = _run(engine, "SELECT count(*) AS n, sum(x) AS s FROM t WHERE x % 2 = 0")
    assert table.to_pylist() == [{"n": 1500, "s": sum(range(0, 3000, 2))}]


@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [
        ("SELECT * FROM t, duckdb_settings()", "42501"),  # listed 160 engine settings with paths and secrets
        ("SELECT * FROM t, read_text('/etc/hostname')", "42501"),
        ("SELECT * FROM t, glob('/tmp/*')", "42601"),  # the parser already refuses GLOB as a table
        ("SELECT * FROM t JOIN range(5) r ON true", "42501"),
        ("SELECT getvariable('x') FROM t", "42883"),
        ("SELECT x, current_setting('memory_limit') FROM t", "42883"),
        ("SELECT * FROM t, main.duckdb_tables", "42P01"),
        ("SELECT * FROM t, information_schema.tables", "42P01"),
    ],
)
def test_refuses_what_the_main_engine_refuses(engine: Engine, sql: str, sqlstate: str) -> None:
    assert _sqlstate(engine, sql) == sqlstate


def test_statement_timeout_stops_it(engine: Engine) -> None:
    started = time.monotonic()
    assert _sqlstate(engine, "SELECT count(*) FROM t a, t b, t c WHERE a.x + b.x > c.x", timeout=0.5) == "57014"
    assert time.monotonic() - started < 3


def test_cancel_stops_it(engine: Engine) -> None:
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    assert _sqlstate(engine, "SELECT count(*) FROM t a, t b, t c WHERE a.x + b.x > c.x", token=token) == "57014"
    assert time.monotonic() - started < 3


def test_memory_is_bounded(engine: Engine) -> None:
    sql = "SELECT length(string_agg(repeat('x', 1000) || a.x::text, ',')) FROM t a, t b WHERE b.x < 300"
    assert _sqlstate(engine, sql) == "53200"
    assert _run(engine, "SELECT count(*) AS n FROM t").to_pylist() == [{"n": 3000}]  # and it serves on


def test_postgres_meaning_applies_to_temporary_tables(engine: Engine) -> None:
    # The same rules as the other routes: integer constants divide as integers, zero divisors are 22012,
    # width_bucket exists, interval abbreviations keep their span.
    table = _run(engine, "SELECT 7/2 AS q, width_bucket(5.5, 0, 10, 4) AS b, interval '1 mon' AS i FROM t LIMIT 1")
    row = table.to_pylist()[0]
    assert row["q"] == 3 and row["b"] == 3 and row["i"].months == 1
    assert _sqlstate(engine, "SELECT x::int / (x - x)::int FROM t") == "22012"

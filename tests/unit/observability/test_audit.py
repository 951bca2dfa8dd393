"""One audit record per query, whatever answers it, with outcomes and no literal values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

from connectors.duckdb import DuckDBConnector
from server.engine import Engine
from server.errors import InvalidTextRepresentation, QuiverError
from server.execution.executor import Executor, _scrubbed
from server.observability.audit import AuditLog
from server.policy.identity import Caller, QueryLimits
from server.semantic.store import ModelStore
from server.sql.session_info import SessionInfo
from server.statement import StatementService

EU_ANALYST = Caller("eu_analyst", roles=("analyst",), attributes={"region": "EU"})
ADMIN = Caller("admin", roles=("admin",))


@pytest.fixture
def audited(models: ModelStore, connector: DuckDBConnector, tmp_path: Path) -> Iterator[tuple[Engine, Path, list]]:
    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, provider)
    engine = Engine(models, Executor(connector), audit=log, limits=QueryLimits(max_result_rows=50))
    yield engine, path, exporter.get_finished_logs  # type: ignore[misc]
    log.close()


def run(engine: Engine, caller: Caller, sql: str) -> int:
    return StatementService(engine).query(sql, caller, SessionInfo(user=caller.user)).read_all().num_rows


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_data_query_record(audited: tuple[Engine, Path, list]) -> None:
    engine, path, finished = audited
    rows = run(engine, EU_ANALYST, "SELECT country, customer_count FROM customers WHERE name <> 'Secret Name 42'")
    (record,) = records(path)
    assert record["user"] == "eu_analyst" and record["group"] == "eu_analyst" and record["channel"] == "sql"
    assert record["kind"] == "data" and record["relations"] == ["customers"]
    assert set(record["members"]) == {"customers.country", "customers.customer_count", "customers.name"}
    assert "customers: rows limited by access_policy entry 3" in record["policies"]
    assert record["rows"] == rows and record["outcome"] == "ok" and record["sqlstate"] == "00000"
    assert len(record["trace_id"]) == 32 and record["trace_id"] != "0" * 32
    assert "Secret Name 42" not in path.read_text()  # literal values are never logged
    (log,) = finished()
    assert log.log_record.body["trace_id"] == record["trace_id"]


def test_refused_and_failed_queries_are_recorded_with_their_sqlstate(audited: tuple[Engine, Path, list]) -> None:
    engine, path, _ = audited
    for sql in ("SELECT gross_revenue FROM orders", "SELECT read_text('/etc/passwd')"):
        with pytest.raises(QuiverError):
            run(engine, EU_ANALYST, sql)
    assert [(r["outcome"], r["sqlstate"]) for r in records(path)] == [("error", "42703"), ("error", "42883")]


def test_catalog_and_constant_queries_are_recorded(audited: tuple[Engine, Path, list]) -> None:
    engine, path, _ = audited
    run(engine, ADMIN, "SELECT 1")
    run(engine, ADMIN, "SELECT relname FROM pg_class WHERE relname = 'orders'")
    assert [(r["kind"], r["rows"]) for r in records(path)] == [("constant", 1), ("catalog", 1)]


def test_row_limit_fails_instead_of_truncating(audited: tuple[Engine, Path, list]) -> None:
    engine, path, _ = audited
    assert run(engine, ADMIN, "SELECT order_id FROM orders LIMIT 50") == 50
    with pytest.raises(QuiverError) as caught:
        run(engine, ADMIN, "SELECT order_id FROM orders LIMIT 51")
    assert caught.value.sqlstate.value == "53400"
    assert [(r["outcome"], r["sqlstate"]) for r in records(path)] == [("ok", "00000"), ("error", "53400")]


def test_a_stream_closed_early_is_recorded_as_closed(audited: tuple[Engine, Path, list]) -> None:
    engine, path, _ = audited
    result = StatementService(engine).query("SELECT order_id FROM orders LIMIT 40", ADMIN, SessionInfo())
    next(iter(result.batches()))
    result.close()
    (record,) = records(path)
    assert record["outcome"] == "closed" and record["rows"] == 40


def test_per_user_concurrency_limit(models: ModelStore, connector: DuckDBConnector) -> None:
    engine = Engine(models, Executor(connector))
    limited = Caller("admin", roles=("admin",), limits=QueryLimits(max_concurrent_queries=1))
    first = StatementService(engine).query("SELECT order_id FROM orders", limited, SessionInfo())
    with pytest.raises(QuiverError) as caught:
        StatementService(engine).query("SELECT order_id FROM orders", limited, SessionInfo())
    assert caught.value.sqlstate.value == "53400"
    first.read_all()  # finishing the first frees the slot
    assert StatementService(engine).query("SELECT 1", limited, SessionInfo()).read_all().num_rows == 1


def test_user_statement_timeout_caps_the_session(models: ModelStore, connector: DuckDBConnector) -> None:
    engine = Engine(models, Executor(connector), statement_timeout=30)
    capped = Caller("admin", limits=QueryLimits(statement_timeout=2))
    assert engine.timeout(capped, None) == 2
    assert engine.timeout(capped, 1) == 1
    assert engine.timeout(Caller("admin"), None) == 30


def test_engine_errors_never_repeat_the_mask_key(models: ModelStore) -> None:
    connector = DuckDBConnector(":memory:")
    try:
        engine = Engine(models, Executor(connector), mask_secret=b"k" * 16)
        pad = engine.executor.secrets[0]  # type: ignore[union-attr]
        with pytest.raises(QuiverError) as caught:
            engine.executor.start(f"SELECT CAST('{pad}' AS INTEGER)").read_all()  # type: ignore[union-attr]
        # Engine SQL is Quiver's own: the rule table shows no value the engine quotes, so neither the key.
        assert pad not in caught.value.describe()
        assert (caught.value.sqlstate, caught.value.message) == ("22P02", "invalid input syntax for type integer")
        # and a message that does repeat it (a value shown on another route) has it replaced
        shown = InvalidTextRepresentation(f'invalid input syntax for type integer: "{pad}"')
        assert _scrubbed(shown, (pad,)).message == 'invalid input syntax for type integer: "<mask key>"'
    finally:
        connector.close()

"""Catalog queries are user SQL too: statement timeout, cancel, streaming and memory hold for them."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.base import CancelToken
from server.engine import Engine
from server.errors import QuiverError
from server.policy.identity import Caller
from server.sql.session_info import SessionInfo
from server.statement import StatementService

GUEST = Caller("guest")  # the demo's catalog-only user
SESSION = SessionInfo(user="guest", database="quiver")
ENDLESS = "SELECT count(*) FROM generate_series(1, 2000000000) a"


def _sqlstate(engine: Engine, sql: str, **options: object) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(QuiverError) as caught:
        StatementService(engine).query(sql, GUEST, SESSION, **options).read_all()  # type: ignore[arg-type]
    return caught.value.sqlstate.value, time.monotonic() - started


def test_statement_timeout_reaches_the_catalog_engine(engine: Engine) -> None:
    """A 1 s timeout let this run 11.6 s."""
    sqlstate, seconds = _sqlstate(engine, ENDLESS, timeout=0.5)
    assert sqlstate == "57014"
    assert seconds < 2


def test_cancel_reaches_the_catalog_engine(engine: Engine) -> None:
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    sqlstate, seconds = _sqlstate(engine, ENDLESS, token=token)
    assert sqlstate == "57014"
    assert seconds < 2


def test_catalog_results_stream_in_batches(engine: Engine) -> None:
    """``SELECT unnest(range(2e7))``-like answers no longer materialise in memory before the first row."""
    result = StatementService(engine).query("SELECT g FROM generate_series(1, 3000000) g", GUEST, SESSION)
    batches = result.batches()
    first = next(batches)
    assert 0 < first.num_rows < 3_000_000
    total = first.num_rows + sum(batch.num_rows for batch in batches)
    assert total == 3_000_000


def test_catalog_memory_is_bounded(engine: Engine) -> None:
    sql = "SELECT length(string_agg(repeat('x', 1000), ',')) FROM generate_series(1, 1000000)"
    sqlstate, _ = _sqlstate(engine, sql)
    assert sqlstate == "53200"
    table = StatementService(engine).query("SELECT count(*) AS n FROM pg_class", GUEST, SESSION).read_all()
    assert table.column(0)[0].as_py() > 0

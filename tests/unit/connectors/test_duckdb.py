"""The DuckDB connector: streaming, cancel, timeout, concurrency, and its locked configuration."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.base import CancelToken, ConnectorError, ErrorKind
from connectors.duckdb import BATCH_ROWS, DuckDBConnector

SLOW = "SELECT SUM(a.range * b.range) FROM range(200000) a, range(200000) b"


def test_results_stream_in_batches(connector: DuckDBConnector) -> None:
    rows = 3 * BATCH_ROWS + 7
    with connector.execute(f"SELECT range AS n FROM range({rows})") as handle:
        assert handle.schema == pa.schema([pa.field("n", pa.int64())])
        sizes = [batch.num_rows for batch in handle.batches()]
    assert sum(sizes) == rows
    assert len(sizes) >= 3


def test_reads_the_demo_tables(connector: DuckDBConnector) -> None:
    table = connector.execute("SELECT COUNT(*) AS n FROM raw.orders").read_all()
    assert table.to_pylist() == [{"n": 20000}]


def test_cancel_stops_a_running_query(connector: DuckDBConnector) -> None:
    token = CancelToken()
    errors: list[ConnectorError] = []

    def run() -> None:
        try:
            list(connector.execute(SLOW, token=token).batches())
        except ConnectorError as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.2)
    token.cancel()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert [e.kind for e in errors] == [ErrorKind.CANCELLED]


def test_cancel_before_start_is_not_lost(connector: DuckDBConnector) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(ConnectorError) as caught:
        connector.execute("SELECT 1", token=token)
    assert caught.value.kind is ErrorKind.CANCELLED


def test_timeout_interrupts(connector: DuckDBConnector) -> None:
    with pytest.raises(ConnectorError) as caught:
        handle = connector.execute(SLOW, timeout=0.2)
        list(handle.batches())
    assert caught.value.kind is ErrorKind.TIMEOUT


def test_queries_run_concurrently_from_several_threads(connector: DuckDBConnector) -> None:
    """Each query has its own cursor, so the server's threads may run them at once on one connector."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [
            pool.submit(lambda i: connector.execute(f"SELECT {i} AS i, COUNT(*) AS n FROM raw.order_items"), i)
            for i in range(6)
        ]
        results = [f.result(timeout=30).read_all().to_pylist() for f in futures]
    assert results == [[{"i": i, "n": 44892}] for i in range(6)]


def test_files_and_settings_are_out_of_reach(connector: DuckDBConnector) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.execute("SELECT * FROM read_csv('/etc/passwd')").read_all()
    assert "LINE" not in caught.value.message
    with pytest.raises(ConnectorError):
        connector.execute("SET enable_external_access = true")


def test_describe_returns_the_schema_without_rows(connector: DuckDBConnector) -> None:
    schema = connector.describe("SELECT order_id, gross_amount FROM raw.orders")
    assert schema.names == ["order_id", "gross_amount"]
    assert schema.field("gross_amount").type == pa.decimal128(12, 2)


def test_describe_keeps_repeated_column_names(connector: DuckDBConnector) -> None:
    """The described names are the names the rows arrive with (no ``order_id_1``)."""
    sql = "SELECT order_id, order_id, gross_amount AS order_id FROM raw.orders"
    schema = connector.describe(sql)
    assert schema.names == ["order_id", "order_id", "order_id"]
    assert schema == connector.execute(sql).read_all().schema


def test_errors_do_not_echo_the_sql(connector: DuckDBConnector) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.execute("SELECT CAST('secret-value-x' AS INTEGER) + no_such_column FROM raw.orders").read_all()
    assert "LINE" not in caught.value.message
    assert "no_such_column" in caught.value.message


def test_in_memory_database(tmp_path: Path) -> None:
    connector = DuckDBConnector(":memory:")
    try:
        assert connector.execute("SELECT 42 AS x").read_all().to_pylist() == [{"x": 42}]
    finally:
        connector.close()


def test_an_error_after_the_first_batches_keeps_its_kind(connector: DuckDBConnector) -> None:
    """A bad cast in a later batch surfaced as a bare OSError and reached clients as XX000."""
    sql = "SELECT CAST(CASE WHEN range = 2900000 THEN 'x' ELSE range::VARCHAR END AS INTEGER) AS n FROM range(3000000)"
    seen = 0
    with pytest.raises(ConnectorError) as caught:
        for batch in connector.execute(sql).batches():
            seen += batch.num_rows
    assert seen > 0  # the failure really came mid-stream
    assert caught.value.kind is ErrorKind.DATA
    assert caught.value.message == "Conversion Error: Could not convert string 'x' to INT32"


def test_engine_messages_never_echo_sql_or_suggest_names(connector: DuckDBConnector) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.execute("SELECT gross_amuont FROM raw.orders")
    assert caught.value.kind is ErrorKind.UNDEFINED
    for echoed in ("LINE", "SELECT", "gross_amount", "Candidate", "Did you mean"):
        assert echoed not in caught.value.message


def test_a_query_past_the_memory_limit_fails_with_memory_and_the_engine_serves_on(tmp_path: Path) -> None:
    connector = DuckDBConnector(":memory:", memory_limit="256MB", spill=False)
    try:
        with pytest.raises(ConnectorError) as caught:
            connector.execute("SELECT length(string_agg(repeat('x', 1000), ',')) FROM range(1000000)").read_all()
        assert caught.value.kind is ErrorKind.MEMORY
        assert connector.execute("SELECT 41 + 1 AS n").read_all().to_pylist() == [{"n": 42}]
    finally:
        connector.close()


def test_registered_arrow_tables_are_readable_by_every_query() -> None:
    connector = DuckDBConnector(":memory:", tables={"t": pa.table({"x": [1, 2, 3]})})
    try:
        assert connector.execute("SELECT sum(x) AS s FROM t").read_all().to_pylist() == [{"s": 6}]
        assert connector.execute("SELECT count(*) AS n FROM t").read_all().to_pylist() == [{"n": 3}]
    finally:
        connector.close()


def test_each_engine_spills_into_a_private_directory_it_removes() -> None:
    connector = DuckDBConnector(":memory:")
    directory = connector._spill_directory
    assert directory is not None and Path(directory).is_dir()
    assert Path(directory).stat().st_mode & 0o077 == 0  # only the server's user may look inside
    other = DuckDBConnector(":memory:")
    assert other._spill_directory != directory
    other.close()
    connector.close()
    assert not Path(directory).exists()


def test_an_expression_too_deep_for_the_engine_is_too_complex(connector: DuckDBConnector) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.execute("SELECT " + " + ".join(["1"] * 1500)).read_all()
    assert caught.value.kind is ErrorKind.TOO_COMPLEX

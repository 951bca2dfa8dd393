"""Embedded DuckDB: the default engine.

One database handle is shared; each query gets its own cursor (DuckDB's
per-thread connection), so queries run concurrently on the connector's thread
pool while DuckDB releases the GIL. Results stream as Arrow record batches from
DuckDB's streaming result; nothing is materialised here.

Locked down by default: no file, network or extension access from SQL, and the
configuration cannot be changed by a query. Extensions a deployment needs are
loaded from local files before the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.base import CancelToken, Capabilities, Connector, ConnectorError, ErrorKind, QueryHandle

BATCH_ROWS = 64 * 1024

_KINDS: tuple[tuple[type[BaseException], ErrorKind], ...] = (
    (duckdb.InterruptException, ErrorKind.CANCELLED),
    (duckdb.ParserException, ErrorKind.SYNTAX),
    (duckdb.CatalogException, ErrorKind.UNDEFINED),
    (duckdb.BinderException, ErrorKind.UNDEFINED),
    (duckdb.PermissionException, ErrorKind.UNDEFINED),
    (duckdb.OutOfMemoryException, ErrorKind.LIMIT),
    (duckdb.IOException, ErrorKind.UNAVAILABLE),
    (duckdb.DataError, ErrorKind.DATA),
    (duckdb.InvalidInputException, ErrorKind.DATA),
)


def error_from_duckdb(exc: BaseException, timed_out: bool = False) -> ConnectorError:
    """A connector error with DuckDB's message minus the echoed SQL (which may hold policy text)."""
    kind = next((k for cls, k in _KINDS if isinstance(exc, cls)), ErrorKind.INTERNAL)
    if kind is ErrorKind.CANCELLED and timed_out:
        kind = ErrorKind.TIMEOUT
    first = str(exc).split("\n\nLINE ", 1)[0].split("\nLINE ", 1)[0].strip()
    return ConnectorError(kind, first)


class DuckDBQuery(QueryHandle):
    def __init__(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, timeout: float | None, token: CancelToken | None
    ) -> None:
        self._cursor = cursor
        self._lock = threading.Lock()
        self._closed = False
        self._timed_out = False
        self._timer = threading.Timer(timeout, self._on_timeout) if timeout else None
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()
        if token is not None:
            token.bind(self.cancel)
            if token.cancelled:
                self.close()
                raise ConnectorError(ErrorKind.CANCELLED, "cancelled before it started")
        try:
            self._reader: pa.RecordBatchReader = cursor.execute(sql).to_arrow_reader(BATCH_ROWS)
        except duckdb.Error as exc:
            self.close()
            raise error_from_duckdb(exc, self._timed_out) from None

    def _on_timeout(self) -> None:
        self._timed_out = True
        self.cancel()

    @property
    def schema(self) -> pa.Schema:
        return self._reader.schema

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self._reader:
                if batch.num_rows:
                    yield batch
        except duckdb.Error as exc:
            raise error_from_duckdb(exc, self._timed_out) from None
        except pa.ArrowException as exc:
            # An interrupt surfaces through the Arrow stream as an Arrow error.
            if self._timed_out or "nterrupt" in str(exc):
                raise error_from_duckdb(duckdb.InterruptException(str(exc)), self._timed_out) from None
            raise ConnectorError(ErrorKind.INTERNAL, str(exc).splitlines()[0]) from None
        finally:
            self.close()

    def cancel(self) -> None:
        with self._lock:
            if not self._closed:
                self._cursor.interrupt()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
        self._cursor.close()


class DuckDBConnector(Connector):
    """DuckDB over one database file (or in memory), read-only unless asked otherwise."""

    name = "duckdb"
    capabilities = Capabilities(dialect="duckdb")

    def __init__(
        self,
        database: str | Path = ":memory:",
        *,
        read_only: bool = True,
        threads: int | None = None,
        workers: int = 8,
        extensions: Iterable[str | Path] = (),
        external_access: bool = False,
    ) -> None:
        config: dict[str, str | int | bool] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
        if threads:
            config["threads"] = threads
        in_memory = str(database) == ":memory:"
        try:
            self._db = duckdb.connect(str(database), read_only=read_only and not in_memory, config=config)
            for extension in extensions:
                self._db.execute(f"LOAD '{Path(extension).as_posix()}'")
            if not external_access:
                self._db.execute("SET enable_external_access = false")
            self._db.execute("SET lock_configuration = true")
        except duckdb.Error as exc:
            raise error_from_duckdb(exc) from None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="duckdb")
        self.database = str(database)

    def execute(self, sql: str, *, timeout: float | None = None, token: CancelToken | None = None) -> QueryHandle:
        return DuckDBQuery(self._db.cursor(), sql, timeout, token)

    def submit(
        self, sql: str, *, timeout: float | None = None, token: CancelToken | None = None
    ) -> Future[QueryHandle]:
        return self._pool.submit(self.execute, sql, timeout=timeout, token=token)

    def describe(self, sql: str) -> pa.Schema:
        # A lazy relation with LIMIT 0 keeps repeated column names (``SELECT a, a``), which
        # ``SELECT * FROM (...)`` would rename (``a_1``) so that they no longer match the rows.
        cursor = self._db.cursor()
        try:
            return cursor.sql(sql).limit(0).to_arrow_table().schema
        except duckdb.Error as exc:
            raise error_from_duckdb(exc) from None
        finally:
            cursor.close()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._db.close()

"""Embedded DuckDB: the default engine.

One database handle is shared; each query gets its own cursor (DuckDB's
per-thread connection), so queries started from several threads (the server's
scheduler) run concurrently while DuckDB releases the GIL. Results stream as
Arrow record batches from DuckDB's streaming result; nothing is materialised here.

Locked down by default: no file, network or extension access from SQL, and the
configuration cannot be changed by a query. Extensions a deployment needs are
loaded from local files before the lock.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
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
    (duckdb.OutOfMemoryException, ErrorKind.MEMORY),
    (duckdb.IOException, ErrorKind.UNAVAILABLE),
    (duckdb.DataError, ErrorKind.DATA),
    (duckdb.InvalidInputException, ErrorKind.DATA),
)

# An error raised while the Arrow stream is read reaches Python as a plain Arrow/OS error whose
# text starts with DuckDB's error type: the same kinds, read from that prefix.
_PREFIXES: dict[str, ErrorKind] = {
    "INTERRUPT": ErrorKind.CANCELLED,
    "Parser": ErrorKind.SYNTAX,
    "Catalog": ErrorKind.UNDEFINED,
    "Binder": ErrorKind.UNDEFINED,
    "Permission": ErrorKind.UNDEFINED,
    "Out of Memory": ErrorKind.MEMORY,
    "IO": ErrorKind.UNAVAILABLE,
    "Conversion": ErrorKind.DATA,
    "Invalid Input": ErrorKind.DATA,
    "Out of Range": ErrorKind.DATA,
    "Constraint": ErrorKind.DATA,
}
_PREFIX = re.compile(r"^(?:[A-Za-z]+Error: )?([A-Za-z][A-Za-z ]*?) Error: ")
# Parts of an engine message that would show SQL or names the caller never wrote: the echoed
# statement, the binder's candidate columns, spelling suggestions drawn from the engine's catalog.
_ECHOES = re.compile(r"\s*(?:\n\s*LINE \d+:|Candidate bindings:|Did you mean|Candidate functions:).*", re.DOTALL)


def engine_message(text: str) -> str:
    """DuckDB's message without the SQL it echoes or the names it suggests (policy SQL, physical columns)."""
    return _ECHOES.sub("", text).strip().rstrip("!").strip()


def error_from_duckdb(exc: BaseException, timed_out: bool = False) -> ConnectorError:
    """A connector error with DuckDB's message minus the echoed SQL (which may hold policy text)."""
    kind = next((k for cls, k in _KINDS if isinstance(exc, cls)), None)
    text = str(exc)
    if kind is None:
        match = _PREFIX.match(text)
        kind = _PREFIXES.get(match.group(1), ErrorKind.INTERNAL) if match else ErrorKind.INTERNAL
        if "nterrupt" in text.split("\n", 1)[0]:
            kind = ErrorKind.CANCELLED
    if kind is ErrorKind.CANCELLED and timed_out:
        kind = ErrorKind.TIMEOUT
    if "expression depth limit" in text:  # DuckDB's own bound, a statement too complex rather than bad SQL
        return ConnectorError(ErrorKind.TOO_COMPLEX, "statement is too complex")
    return ConnectorError(kind, engine_message(text))


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
        except (pa.ArrowException, OSError) as exc:
            # Errors raised while the stream is read (an interrupt, a bad cast in a later batch)
            # surface as Arrow or OS errors carrying DuckDB's message.
            if self._timed_out:
                raise error_from_duckdb(duckdb.InterruptException(str(exc)), True) from None
            raise error_from_duckdb(exc) from None
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

    capabilities = Capabilities(dialect="duckdb")

    def __init__(
        self,
        database: str | Path = ":memory:",
        *,
        read_only: bool = True,
        threads: int | None = None,
        extensions: Iterable[str | Path] = (),
        external_access: bool = False,
        memory_limit: str | None = None,
        spill: bool = True,
        tables: Mapping[str, pa.Table] | None = None,
    ) -> None:
        """``memory_limit`` (DuckDB syntax, ``2GB``) bounds what queries may hold at once; a query past
        it fails (ErrorKind.MEMORY) and its memory is returned, instead of the process growing.
        ``spill=False`` keeps an in-memory engine off the disk entirely. ``tables`` are Arrow
        tables every query can read by name (registered per query, never copied)."""
        config: dict[str, str | bool | int | float | list[str]] = {  # duckdb.connect's own type
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            # Freed memory goes back to the system (in-memory engines kept a failed query's peak).
            "allocator_background_threads": True,
        }
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self._spill_directory: str | None = None
        if not spill:
            config["temp_directory"] = ""
        else:
            # A private spill directory per engine (mode 0700, removed on close): engines of several
            # processes over one file would otherwise share ``<file>.tmp``, and its path is the one
            # directory DuckDB still reads with external access disabled.
            self._spill_directory = tempfile.mkdtemp(prefix="quiver-spill-")
            config["temp_directory"] = self._spill_directory
        self._tables = dict(tables or {})
        in_memory = str(database) == ":memory:"
        try:
            self._db = duckdb.connect(str(database), read_only=read_only and not in_memory, config=config)
            for extension in extensions:
                self._db.execute(f"LOAD '{Path(extension).as_posix()}'")
            if not external_access:
                self._db.execute("SET enable_external_access = false")
            self._db.execute("SET lock_configuration = true")
        except duckdb.Error as exc:
            if self._spill_directory is not None:
                shutil.rmtree(self._spill_directory, ignore_errors=True)
            raise error_from_duckdb(exc) from None

    def execute(self, sql: str, *, timeout: float | None = None, token: CancelToken | None = None) -> QueryHandle:
        cursor = self._db.cursor()
        for name, table in self._tables.items():
            cursor.register(name, table)
        return DuckDBQuery(cursor, sql, timeout, token)

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
        self._db.close()
        if self._spill_directory is not None:
            shutil.rmtree(self._spill_directory, ignore_errors=True)

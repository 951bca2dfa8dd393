"""The contract every engine connector keeps.

A connector runs SQL already written in its dialect and returns a stream of
Arrow record batches. It knows nothing of models, users or policies, and never
imports the server: errors are reported as :class:`ConnectorError` with a
:class:`ErrorKind`, which the server maps to SQLSTATEs.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa


class ErrorKind(StrEnum):
    SYNTAX = "syntax"  # the engine could not parse the SQL (a compiler bug or unsupported construct)
    UNDEFINED = "undefined"  # a table, column or function the engine does not know
    DATA = "data"  # a value problem: bad cast, overflow, division by zero
    CANCELLED = "cancelled"  # cancelled by the caller
    TIMEOUT = "timeout"  # the statement timeout fired
    UNAVAILABLE = "unavailable"  # the source cannot be reached or read
    LIMIT = "limit"  # a resource limit (concurrency, sizes)
    MEMORY = "memory"  # the query needed more memory than the engine may use
    TOO_COMPLEX = "too_complex"  # nested deeper than the engine will plan
    INTERNAL = "internal"


class ConnectorError(Exception):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class CancelToken:
    """Cancels a query from any thread, whether it has started, is running or has finished.

    The caller creates the token before starting the query (so a cancel that
    arrives while the engine is still planning is not lost); the connector binds
    its interrupt to it when the query starts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._callbacks: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    def bind(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on cancel (at once if already cancelled)."""
        with self._lock:
            self._callbacks.append(callback)
            cancelled = self._cancelled
        if cancelled:
            callback()


# The mask functions of Quiver's policies (the server's ``MaskFunction``; a test keeps them equal).
MASK_FUNCTIONS = frozenset(
    ("redact", "null", "constant", "md5", "hash", "partial", "email", "bucket_number", "bucket_date", "regex_replace")
)


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do, as data the server reads (never an ``if engine == ...``).

    ``dialect`` names the SQL target the server renders for this engine. The
    pushdown facts say which parts of a plan the engine may compute: row
    ``filters``, ``projections``, ``joins``, ``aggregates`` and ``windows``, and
    which ``masks`` (policy mask functions) it can express in its SQL; whatever it
    cannot is left to the server's own engine. ``arrow_native`` engines return
    Arrow without a row-by-row conversion; ``cancel`` means a running query can be
    stopped (``QueryHandle.cancel``) rather than only abandoned.
    """

    dialect: str
    filters: bool = True
    projections: bool = True
    joins: bool = True
    aggregates: bool = True
    windows: bool = True
    masks: frozenset[str] = MASK_FUNCTIONS
    arrow_native: bool = True
    cancel: bool = True


class QueryHandle(abc.ABC):
    """One running query: its result schema and a one-pass stream of batches."""

    @property
    @abc.abstractmethod
    def schema(self) -> pa.Schema: ...

    @abc.abstractmethod
    def batches(self) -> Iterator[pa.RecordBatch]:
        """Yield result batches as the engine produces them; raise ConnectorError on failure."""

    @abc.abstractmethod
    def cancel(self) -> None:
        """Stop the query; safe from any thread, and after the query finished."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the query's resources."""

    def read_all(self) -> pa.Table:
        """The whole result (for small results and tests; channels stream instead)."""
        try:
            return pa.Table.from_batches(list(self.batches()), schema=self.schema)
        finally:
            self.close()

    def __enter__(self) -> QueryHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WrappedQuery(QueryHandle):
    """A handle around another: schema, cancel and close pass through; subclasses change the batches."""

    def __init__(self, inner: QueryHandle) -> None:
        self._inner = inner

    @property
    def schema(self) -> pa.Schema:
        return self._inner.schema

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self._inner.batches()

    def cancel(self) -> None:
        self._inner.cancel()

    def close(self) -> None:
        self._inner.close()


class Connector(abc.ABC):
    """One engine: runs SQL in its dialect on the caller's thread (the server schedules the threads)."""

    capabilities: Capabilities

    @abc.abstractmethod
    def execute(self, sql: str, *, timeout: float | None = None, token: CancelToken | None = None) -> QueryHandle:
        """Start ``sql`` and return its handle once the result schema is known.

        ``token`` cancels the query at any point, including while this call blocks.
        """

    @abc.abstractmethod
    def describe(self, sql: str) -> pa.Schema:
        """The result schema of ``sql`` without producing its rows."""

    @abc.abstractmethod
    def close(self) -> None: ...

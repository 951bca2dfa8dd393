"""Run engine SQL through a connector and translate its failures into typed errors."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Protocol

import pyarrow as pa

from connectors.base import CancelToken, Connector, ConnectorError, ErrorKind, QueryHandle
from server.engine_errors import map_engine_error
from server.errors import (
    ConfigurationLimitExceeded,
    Notice,
    OutOfMemory,
    QueryCanceled,
    QuiverError,
    SourceError,
    StatementTimeout,
    StatementTooComplex,
)
from server.sql.postgres_meaning.types import raised_by_rule

log = logging.getLogger("quiver.engine")


def translate(error: ConnectorError, *, generated: bool = True) -> QuiverError:
    """The SQLSTATE a connector failure maps to; the engine's own text reaches only the log.

    Value, name and syntax failures go through the rule table of
    :mod:`server.engine_errors` (PostgreSQL's code and wording). ``generated`` says the
    engine ran SQL Quiver rendered rather than the client's own text.
    """
    kind = error.kind
    if kind is ErrorKind.CANCELLED:
        return QueryCanceled("canceling statement due to user request")
    if kind is ErrorKind.TIMEOUT:
        return StatementTimeout("canceling statement due to statement timeout")
    if kind is ErrorKind.DATA and (raised := raised_by_rule(error.message)) is not None:
        return raised  # an error a PostgreSQL-meaning rule raised inside the engine (server.sql.postgres_meaning)
    if kind is ErrorKind.MEMORY:
        return OutOfMemory(
            "out of memory",
            detail="The query needed more memory than the engine may use.",
            hint="Aggregate or filter more, or ask for a higher QUIVER_MEMORY_LIMIT.",
        )
    if kind is ErrorKind.LIMIT:
        return ConfigurationLimitExceeded(error.message)
    if kind is ErrorKind.TOO_COMPLEX:
        return StatementTooComplex(
            "statement is too complex",
            hint="The engine nests expressions at most 1,000 deep.",
        )
    if kind is ErrorKind.UNAVAILABLE:
        request_id = uuid.uuid4().hex[:12]
        log.error("engine error %s (request %s): %s", kind, request_id, error.message[:2000])
        return SourceError(f"the data source is unavailable (request id {request_id})")
    return map_engine_error(error.message, generated=generated)


class Watch(Protocol):
    """Follows a result to its end (the audit record, the row limit); see server.observability.audit."""

    def rows(self, count: int) -> None: ...

    def finish(self, error: BaseException | None = None, *, complete: bool = True) -> None: ...


class _Watched:
    """Row counting and the end-of-result report shared by both result kinds."""

    watch: Watch | None = None

    def attach(self, watch: Watch) -> None:
        self.watch = watch

    def _follow(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        watch = self.watch
        if watch is None:
            yield from batches
            return
        try:
            for batch in batches:
                watch.rows(batch.num_rows)
                yield batch
        except BaseException as exc:
            watch.finish(exc if not isinstance(exc, GeneratorExit) else None, complete=False)
            raise
        watch.finish()

    def _closed(self) -> None:
        if self.watch is not None:
            self.watch.finish(complete=False)


class ResultStream(_Watched):
    """A running query's schema and batches, with engine errors translated.

    ``notices`` are warnings for the client (a deprecated relation), sent before the rows;
    ``origins`` say which relation member each column shows (see :mod:`server.statement.origins`).
    """

    notices: tuple[Notice, ...] = ()
    origins: tuple[object, ...] = ()
    secrets: tuple[str, ...] = ()
    generated = True  # the engine runs SQL Quiver rendered (False: the client's own, over temporary tables)

    def __init__(self, handle: QueryHandle) -> None:
        self._handle = handle

    @property
    def schema(self) -> pa.Schema:
        return self._handle.schema

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self._follow(self._translated())

    def _translated(self) -> Iterator[pa.RecordBatch]:
        try:
            yield from self._handle.batches()
        except ConnectorError as exc:
            raise _scrubbed(translate(exc, generated=self.generated), self.secrets) from None

    def read_all(self) -> pa.Table:
        return pa.Table.from_batches(list(self.batches()), schema=self.schema)

    def cancel(self) -> None:
        self._handle.cancel()

    def close(self) -> None:
        self._handle.close()
        self._closed()


class TableResult(_Watched):
    """An already computed result (catalog answers, SHOW, temporary tables) with the stream interface."""

    notices: tuple[Notice, ...] = ()

    def __init__(self, table: pa.Table, max_chunk: int = 65_536) -> None:
        self.table = table
        self.max_chunk = max_chunk

    @property
    def schema(self) -> pa.Schema:
        return self.table.schema

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self._follow(iter(self.table.to_batches(max_chunksize=self.max_chunk)))

    def read_all(self) -> pa.Table:
        if self.watch is not None:
            return pa.Table.from_batches(list(self.batches()), schema=self.schema)
        return self.table

    def cancel(self) -> None:
        return None

    def close(self) -> None:
        self._closed()


Result = ResultStream | TableResult


def open_stream(start: Callable[[], QueryHandle]) -> ResultStream:
    """A result stream over a handle ``start`` opens, its connector errors translated like the engine's."""
    try:
        stream = ResultStream(start())
    except ConnectorError as exc:
        raise translate(exc, generated=False) from None
    stream.generated = False
    return stream


def _scrubbed(error: QuiverError, secrets: tuple[str, ...]) -> QuiverError:
    """``error`` with any secret literal (the hash mask's key pads) an engine message echoed removed."""
    for secret in secrets:
        for attribute in ("message", "detail", "hint"):
            text = getattr(error, attribute, None)
            if isinstance(text, str) and secret in text:
                setattr(error, attribute, text.replace(secret, "<mask key>"))
    return error


class Executor:
    """Starts queries on a connector; the only module that catches ConnectorError.

    ``secrets`` are literals the engine SQL may hold that no error may repeat.
    """

    def __init__(self, connector: Connector) -> None:
        self.connector = connector
        self.secrets: tuple[str, ...] = ()

    @property
    def dialect(self) -> str:
        return self.connector.capabilities.dialect

    def start(self, sql: str, timeout: float | None = None, token: CancelToken | None = None) -> ResultStream:
        try:
            stream = ResultStream(self.connector.execute(sql, timeout=timeout, token=token))
        except ConnectorError as exc:
            raise _scrubbed(translate(exc), self.secrets) from None
        stream.secrets = self.secrets
        return stream

    def describe(self, sql: str, *, authored: bool = False) -> pa.Schema:
        """The schema of ``sql``'s result. ``authored``: the SQL is a model author's own (a table's
        ``sql``), so a failure names what the engine found wrong, not a request id."""
        try:
            return self.connector.describe(sql)
        except ConnectorError as exc:
            raise _scrubbed(translate(exc, generated=not authored), self.secrets) from None

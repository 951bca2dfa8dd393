"""A portal's running result: its stream of Arrow batches, read ahead and encoded as DataRow bytes.

Reading ahead (in the worker thread that started the query) lets a small result be
sent, and its end detected, on the event loop without another thread hop. Nothing
here touches a socket: the backend decides where the bytes go and when to wait.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from server.execution.executor import TableResult
from server.protocol.pgwire.types import SMALL_BATCH, ResultEncoder


class RunningResult:
    """A result being sent: its stream, encoder, and batches read ahead but not yet sent."""

    def __init__(self, result: Any, encoder: ResultEncoder | None) -> None:
        self.result = result
        self.encoder = encoder
        self.iterator: Iterator[pa.RecordBatch] = iter(result.batches())
        self.queue: deque[pa.RecordBatch] = deque()
        self.exhausted = False

    @property
    def immediate(self) -> bool:
        """Already computed (no engine work left): read it on the event loop, no thread hop."""
        return isinstance(self.result, TableResult)

    def fill(self, batches: int = 2) -> None:
        """Read ahead until ``batches`` are queued or the stream ends (blocking: call from a thread)."""
        while len(self.queue) < batches and not self.exhausted:
            batch = next(self.iterator, None)
            if batch is None:
                self.exhausted = True
            elif batch.num_rows:
                self.queue.append(batch)

    def inline(self) -> bool:
        """Can the next step run on the event loop (no engine read, a cheap encode)?"""
        if self.immediate:
            return True
        if not self.queue:
            return self.exhausted
        rows: int = self.queue[0].num_rows  # pyarrow is untyped
        return rows <= SMALL_BATCH

    def take(self, limit: int) -> tuple[pa.RecordBatch | None, bool]:
        """Up to ``limit`` rows (0: a whole batch) and whether the result was already exhausted."""
        if not self.queue:
            self.fill(1)
            if not self.queue:
                return None, True
        batch = self.queue.popleft()
        if limit and batch.num_rows > limit:
            self.queue.appendleft(batch.slice(limit))
            return batch.slice(0, limit), False
        return batch, False

    @property
    def has_more(self) -> bool:
        return bool(self.queue) or not self.exhausted

    def next_encoded(self, limit: int, encoder: ResultEncoder | None = None) -> tuple[bytes, int, bool]:
        """The next batch (up to ``limit`` rows) encoded: (DataRow bytes, rows, exhausted).

        ``encoder`` overrides the result's own (a FETCH asks for its own formats).
        """
        batch, done = self.take(limit)
        if done or batch is None:
            return b"", 0, True
        use = encoder or self.encoder
        assert use is not None
        return use.encode(batch), batch.num_rows, False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.result.close()

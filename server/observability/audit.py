"""One audit record per query, on every channel: who asked what, what the policies did, how it ended.

A :class:`QueryWatch` follows one query from compile to the last batch (or the
error, or the client closing the portal) and writes exactly one record: to a
JSON-lines file and as an OpenTelemetry log record carrying the query span's
trace id. Records hold names (user, group, relations, members, policies),
counts and outcomes, never SQL text or literal values, so the log itself
cannot leak what a filter compared with.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opentelemetry._logs import SeverityNumber
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.trace import TracerProvider

from server.errors import ConfigurationLimitExceeded, QuiverError, SqlState

_tracer_provider = TracerProvider()
_tracer = _tracer_provider.get_tracer("quiver")


class AuditLog:
    """Where records go: a JSON-lines file (appended, one write per record) and an OpenTelemetry logger."""

    def __init__(self, path: Path | None, logs: LoggerProvider | None = None) -> None:
        self.path = path
        self.logs = logs or LoggerProvider()
        self._logger = self.logs.get_logger("quiver.audit")
        self._lock = threading.Lock()
        self._fd: int | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # O_APPEND: each record is one write() at the end, so worker processes never interleave lines.
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, separators=(",", ":"), default=str) + "\n").encode()
        if self._fd is not None:
            with self._lock:
                os.write(self._fd, line)
        failed = record["outcome"] == "error"
        self._logger.emit(
            body=record,
            severity_number=SeverityNumber.WARN if failed else SeverityNumber.INFO,
            event_name="quiver.query",
            attributes={"quiver.user": record["user"], "quiver.outcome": record["outcome"]},
        )

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class QueryWatch:
    """One query's audit record in the making; also enforces the result-row limit and frees its slot."""

    def __init__(
        self,
        log: AuditLog | None,
        *,
        user: str,
        group: str | None,
        channel: str,
        max_rows: int | None = None,
        release: Callable[[], None] | None = None,
    ) -> None:
        self.log = log
        self.started = time.perf_counter()
        self.span = _tracer.start_span("quiver.query", attributes={"quiver.user": user, "quiver.channel": channel})
        self.record: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "user": user,
            "group": group,
            "channel": channel,
            "kind": "data",
            "relations": [],
            "members": [],
            "policies": [],
            "rows": 0,
        }
        self.max_rows = max_rows
        self.release = release
        self.rows_seen = 0
        self.done = False

    def describe(
        self, *, kind: str, relations: Sequence[str] = (), members: Sequence[str] = (), policies: Sequence[str] = ()
    ) -> None:
        self.record.update(kind=kind, relations=list(relations), members=list(members), policies=list(policies))

    def rows(self, count: int) -> None:
        """Count rows about to be returned; refuse (53400) past the row limit, never truncate."""
        self.rows_seen += count
        if self.max_rows is not None and self.rows_seen > self.max_rows:
            raise ConfigurationLimitExceeded(
                f"query result exceeds the limit of {self.max_rows} rows",
                hint="Aggregate or filter further, or ask for a higher max_result_rows.",
            )

    def finish(self, error: BaseException | None = None, *, complete: bool = True) -> None:
        """Write the record (once): ``ok``, ``error`` with its SQLSTATE, or ``closed`` before the end."""
        if self.done:
            return
        self.done = True
        if self.release is not None:
            self.release()
        record = self.record
        record["rows"] = self.rows_seen
        record["duration_ms"] = round((time.perf_counter() - self.started) * 1000, 3)
        if error is not None:
            record["outcome"] = "error"
            record["sqlstate"] = (
                error.sqlstate.value if isinstance(error, QuiverError) else SqlState.INTERNAL_ERROR.value
            )
        else:
            record["outcome"] = "ok" if complete else "closed"
            record["sqlstate"] = SqlState.SUCCESSFUL_COMPLETION.value
        context = self.span.get_span_context()
        record["trace_id"] = f"{context.trace_id:032x}"
        self.span.set_attribute("quiver.outcome", record["outcome"])
        self.span.end()
        if self.log is not None:
            self.log.write(record)

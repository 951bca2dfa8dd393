"""Who is asking: the caller every channel builds and every stage reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class QueryLimits:
    """Per-user limits (from the users file); None means no limit of that kind for this user.

    The server's global limits apply too: the stricter of the two wins.
    """

    statement_timeout: float | None = None  # seconds
    max_result_rows: int | None = None
    max_concurrent_queries: int | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> QueryLimits:
        raw = raw or {}
        unknown = set(raw) - {"statement_timeout", "max_result_rows", "max_concurrent_queries"}
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        timeout = raw.get("statement_timeout")
        rows = raw.get("max_result_rows")
        concurrent = raw.get("max_concurrent_queries")
        return cls(
            float(timeout) if timeout else None,
            int(rows) if rows else None,
            int(concurrent) if concurrent else None,
        )

    def combined(self, other: QueryLimits) -> QueryLimits:
        """The stricter of two sets of limits, kind by kind."""

        def least(a: Any, b: Any) -> Any:
            return b if a is None else a if b is None else min(a, b)

        return QueryLimits(
            least(self.statement_timeout, other.statement_timeout),
            least(self.max_result_rows, other.max_result_rows),
            least(self.max_concurrent_queries, other.max_concurrent_queries),
        )


NO_LIMITS = QueryLimits()


@dataclass(frozen=True)
class Caller:
    """An authenticated identity, as the policy stage sees it.

    ``attributes`` (``region: EU``, ``tenant_id: 42``) feed row filters;
    ``roles`` feed group matching; ``channel`` is the api scope being used.
    """

    user: str
    roles: tuple[str, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    channel: str = "sql"
    limits: QueryLimits = NO_LIMITS  # not part of the fingerprint: limits never change a plan

    @property
    def fingerprint(self) -> str:
        """Everything policy decisions depend on, as a cache key."""
        attributes = ",".join(f"{k}={self.attributes[k]!r}" for k in sorted(self.attributes))
        return f"{self.user}|{','.join(sorted(self.roles))}|{attributes}|{self.channel}"

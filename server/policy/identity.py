"""Who is asking: the caller every channel builds and every stage reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


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

    @property
    def fingerprint(self) -> str:
        """Everything policy decisions depend on, as a cache key."""
        attributes = ",".join(f"{k}={self.attributes[k]!r}" for k in sorted(self.attributes))
        return f"{self.user}|{','.join(sorted(self.roles))}|{attributes}|{self.channel}"

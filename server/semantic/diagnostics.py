"""Where a model object came from, and the problems found in it.

Validation never raises on a model problem: every rule returns :class:`Issue`
values, so ``quiver validate`` can list all of them at once, each pointing at the
file, line and column a person has to edit (the MetricFlow way).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Origin:
    """A 1-based position in a model file."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


UNKNOWN_ORIGIN = Origin("<model>", 1, 1)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a model, with a stable code (``SM201``) documented in the README."""

    code: str
    severity: Severity
    message: str
    origin: Origin
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.origin}: {self.severity} {self.code}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(code: str, message: str, origin: Origin, hint: str | None = None) -> Issue:
    return Issue(code, Severity.ERROR, message, origin, hint)


def warning(code: str, message: str, origin: Origin, hint: str | None = None) -> Issue:
    return Issue(code, Severity.WARNING, message, origin, hint)

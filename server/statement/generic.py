"""Generic plans: a bound statement compiles once for all its values (of the same types).

A prepared statement is compiled with a *marker* in place of each parameter: a literal
of the same type as the value bound, distinctive enough that its rendering can be
found in the engine SQL. The values of a run then replace the markers' renderings in
that SQL. So ``WHERE status = $1`` bound with ``'shipped'`` and then ``'placed'``
compiles once, as PostgreSQL plans a prepared statement once.

The plan is used only when it is certainly the plan the values would get: every
marker must appear in the engine SQL as the literal it was bound as (a compiler step
that read, folded or moved a value leaves no marker, or a changed one), and values
without a distinctive literal (NULL, booleans, arrays, bytes) are compiled with
their values, as before. A statement whose markers fail to compile (a marker where
the compiler checks the value, such as a time grain or an ORDER BY position) is
remembered and compiled with its values from then on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlglot.expressions as exp

from server.sql.params import bind, literal
from server.sql.pg_types import BY_OID

_TOKEN = secrets.token_hex(6)  # string markers cannot be guessed by a client that wants to collide with them


def _marker(index: int, value: Any) -> Any:
    """A value of ``value``'s type, distinct per parameter, or None when the type has no distinctive literal."""
    if isinstance(value, bool) or value is None:
        return None
    # Numbers only from zero up: a negative LIMIT is the compiler's error, never the engine's.
    if isinstance(value, int):
        return 7_100_000_000_000_000_000 + index * 1_000_003 if value >= 0 else None
    if isinstance(value, float):
        return float(f"1.{index:04d}987654321e+301") if math.isfinite(value) and value >= 0 else None
    if isinstance(value, Decimal):
        return Decimal(f"71{index:04d}98765.4321") if value.is_finite() and value >= 0 else None
    if isinstance(value, str):
        return f"quiver:parameter:{index}:{_TOKEN}"
    if isinstance(value, dt.datetime):
        marker = dt.datetime(1111, 1, 1, 11, 11, 11, 111_111) + dt.timedelta(days=index)
        return marker.replace(tzinfo=dt.UTC) if value.tzinfo is not None else marker
    if isinstance(value, dt.date):
        return dt.date(1111, 1, 1) + dt.timedelta(days=index)
    return None


@dataclass(frozen=True)
class GenericBinding:
    """The markers standing for one portal's values, and the plan-cache key of their shape."""

    key: str
    markers: tuple[Any, ...]
    values: tuple[Any, ...]

    def render(self, compiled_sql: str, dialect: str) -> str | None:
        """``compiled_sql`` with each marker's literal replaced by its value's, or None when a marker is missing."""
        found: dict[str, str] = {}
        for marker, value in zip(self.markers, self.values, strict=True):
            found[literal(marker).sql(dialect=dialect)] = literal(value).sql(dialect=dialect)
        pattern = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(m) for m in found) + r")(?![\w.])")
        seen: set[str] = set()

        def swap(match: re.Match[str]) -> str:
            seen.add(match.group(0))
            return found[match.group(0)]

        rendered = pattern.sub(swap, compiled_sql)
        return rendered if len(seen) == len(found) else None


# A value of each parameter type that has a marker: describing a statement binds these, so its
# description and its runs share one generic plan (values of the same types reuse it).
_SAMPLES: dict[str, Any] = {
    "text": "x",
    "varchar": "x",
    "bpchar": "x",
    "name": "x",
    "int2": 1,
    "int4": 1,
    "int8": 1,
    "float4": 1.0,
    "float8": 1.0,
    "numeric": Decimal(1),
    "date": dt.date(2000, 1, 1),
    "timestamp": dt.datetime(2000, 1, 1),
    "timestamptz": dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
}


def sample_values(types: Sequence[int]) -> tuple[Any, ...] | None:
    """One value per parameter type (None when a type has no marker: the statement is described with NULLs)."""
    samples = []
    for oid in types:
        found = BY_OID.get(oid)
        sample = _SAMPLES.get(found.name) if found is not None else None
        if sample is None:
            return None
        samples.append(sample)
    return tuple(samples)


def generic_binding(cache_key: str, values: Sequence[Any]) -> GenericBinding | None:
    """The generic binding of ``values`` for the statement under ``cache_key``, or None when one cannot be used."""
    markers = tuple(_marker(i, v) for i, v in enumerate(values, 1))
    if not markers or any(m is None for m in markers):
        return None
    shape = ",".join(type(v).__name__ + ("tz" if isinstance(v, dt.datetime) and v.tzinfo else "") for v in values)
    return GenericBinding(f"{cache_key}\x00generic:{shape}", markers, tuple(values))


def bind_markers(tree: exp.Expr, binding: GenericBinding) -> exp.Expr:
    """``tree`` with its parameters bound to the markers."""
    return bind(tree, list(binding.markers))

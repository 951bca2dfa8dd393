"""Where each result column comes from: the relation member it shows unchanged, if any.

Channel-neutral facts: the PostgreSQL wire turns them into the table OID and
attribute number of a RowDescription; Flight has no use for them and never sees
them in its schemas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from server.compiler.statement import marker_index
from server.engine import CompiledQuery
from server.semantic.model import Relation


@dataclass(frozen=True)
class ColumnOrigin:
    """A result column showing member ``position`` of ``relation`` unchanged (1-based, as its catalog counts)."""

    relation: str
    position: int


def column_origins(compiled: CompiledQuery, relations: Mapping[str, Relation]) -> tuple[ColumnOrigin | None, ...]:
    """One origin per result column of a single-relation query, or () when none is known.

    ``relations`` are the caller's: positions match the catalog that caller sees.
    """
    if len(compiled.plans) != 1 or marker_index(compiled.statement.tree) != 0:
        return ()
    plan = compiled.plans[0]
    relation = relations.get(plan.relation)
    if relation is None or not plan.origins:
        return ()
    positions = {m.name: i + 1 for i, m in enumerate(relation.public_members())}
    return tuple(
        ColumnOrigin(relation.name, positions[origin]) if origin is not None and origin in positions else None
        for origin in plan.origins
    )

"""What the planner needs to know of a caller's policies: rules per table scan, in plain SQL trees.

The policy stage (:mod:`server.policy`) decides, for one caller and one
relation, how each table may be read; the planner attaches those rules where the
table enters the plan. Keeping the decision and the attachment apart lets the
planner route its own internal references (join keys, the primary keys it
de-duplicates on) to raw values, while everything a user's SQL can observe
reads the masked, filtered values.

Trees here follow the plan's conventions (:mod:`server.compiler.plan`): a row
filter reads the table's raw columns qualified with ``ROW_ALIAS``, a column mask
reads its input through ``MASK_INPUT``, and a member mask (a masked dimension
computed from several columns) reads the table's raw columns unqualified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

import sqlglot.expressions as exp

from server.semantic.model import Relation


def _empty() -> Mapping[str, exp.Expr]:
    return MappingProxyType({})


@dataclass(frozen=True)
class ScanRules:
    """How one table is read for one caller.

    ``column_masks`` replace a raw column everywhere a user expression reads it;
    ``member_masks`` give computed dimensions their masked value, and the raw
    columns such a dimension reads are masked too (``column_masks`` holds them).
    ``raw_measures`` name model measures the policy lets aggregate raw values;
    ``masked_measures`` name sums and averages over masked values, which show
    NULL (the mask) rather than a total of masked values.
    """

    row_filter: exp.Expr | None = None
    column_masks: Mapping[str, exp.Expr] = field(default_factory=_empty)
    member_masks: Mapping[str, exp.Expr] = field(default_factory=_empty)
    raw_measures: frozenset[str] = frozenset()
    masked_measures: frozenset[str] = frozenset()
    # Some of the table is withheld from the caller (hidden members, masks or rows): read it through a
    # projection of exactly the columns the plan needs, never as the bare table.
    restricted: bool = False

    @property
    def governed(self) -> bool:
        return self.restricted or self.row_filter is not None or bool(self.column_masks) or bool(self.member_masks)


OPEN_SCAN = ScanRules()


@dataclass(frozen=True)
class RelationRules:
    """The rules for querying one relation: per table, plus a view-level filter over members."""

    tables: Mapping[str, ScanRules] = field(default_factory=lambda: MappingProxyType({}))
    # A view's row filter, over member references (query.member_ref), evaluated on raw values.
    where: exp.Expr | None = None
    # (table the entry is about, or None for the relation itself; text without literal values)
    journal: tuple[tuple[str | None, str], ...] = ()

    def scan(self, table: str) -> ScanRules:
        return self.tables.get(table, OPEN_SCAN)


OPEN_RULES = RelationRules()


class Governance(Protocol):
    """A caller's policies, as the compiler asks for them."""

    def rules(self, relation: Relation) -> RelationRules: ...


class Open:
    """No policies at all (model tooling, tests of the compiler alone)."""

    def rules(self, relation: Relation) -> RelationRules:
        return OPEN_RULES


OPEN = Open()

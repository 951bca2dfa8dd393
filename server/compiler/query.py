"""A semantic query: what a user asked of one relation, with every name resolved.

The resolver produces it from SQL; the planner turns it into a plan. Expressions
inside are sqlglot trees with two kinds of placeholder columns:

* a *member reference* (``meta[MEMBER]`` holds the :class:`RelationMember`) in
  row-level expressions: keys and the WHERE filter;
* a *slot reference* (``meta[SLOT]`` holds a :class:`Slot`) in expressions
  computed after aggregation: projections, HAVING and ORDER BY.

Slots point at a group key or an aggregate by index, so the planner can render
them either inline (one SELECT with GROUP BY) or as columns of a CTE. Read them
with :func:`member_of` and :func:`slot_of`, never through ``meta`` directly.

Why these two stay tags on a column rather than node types of their own: sqlglot
is compiled (mypyc) and refuses instances of classes defined outside it, and a
tag cannot be forged by user SQL, whereas any spelling (a reserved qualifier, a
name) could be written by a user inside a subquery that the post-aggregation
expressions keep. Everything the planner adds itself is spelled out in the plan
(:mod:`server.compiler.plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sqlglot.expressions as exp

from server.compiler.plan import Column
from server.semantic.model import MemberKind, Relation, RelationMember

MEMBER = "quiver_member"
SLOT = "quiver_slot"
COUNTS_ROOT_ROWS = "quiver_counts_root_rows"  # on a count(*) whose FILTER became a CASE: it counts root rows


class SlotKind(StrEnum):
    KEY = "key"
    AGGREGATE = "aggregate"


@dataclass(frozen=True, slots=True)
class Slot:
    kind: SlotKind
    index: int


def member_ref(member: RelationMember) -> exp.Column:
    column = exp.column(member.name)
    column.meta[MEMBER] = member
    return column


def slot_ref(slot: Slot, name: str) -> exp.Column:
    column = exp.column(name)
    column.meta[SLOT] = slot
    return column


def member_of(node: exp.Expr) -> RelationMember | None:
    """The relation member a row-level reference names, or None when ``node`` is not one."""
    return node.meta.get(MEMBER) if isinstance(node, exp.Column) else None


def slot_of(node: exp.Expr) -> Slot | None:
    """The key or aggregate a post-aggregation reference points at, or None when ``node`` is not one."""
    return node.meta.get(SLOT) if isinstance(node, exp.Column) else None


def is_measure_ref(node: exp.Expr) -> bool:
    member = member_of(node)
    return member is not None and member.kind is MemberKind.MEASURE


@dataclass(frozen=True)
class AggregateUse:
    """One aggregated value: a model measure, or an ad-hoc aggregate the user wrote.

    Ad-hoc aggregates (``COUNT(*)``, ``MAX(order_ts)``, ``SUM(quantity)``) are
    computed at the grain of the table whose columns they read, exactly like a
    measure of that table, so a join never multiplies them.
    """

    name: str
    measure: RelationMember | None = None
    adhoc: exp.AggFunc | None = None

    @property
    def key(self) -> str:
        if self.measure is not None:
            return f"m:{self.measure.name}"
        assert self.adhoc is not None, "an aggregate use is a measure or an ad-hoc aggregate"
        return f"a:{self.adhoc.sql(copy=False)}"


@dataclass(frozen=True)
class SemanticQuery:
    relation: Relation
    keys: tuple[Column, ...]
    aggregates: tuple[AggregateUse, ...]
    where: exp.Expr | None
    having: exp.Expr | None
    projections: tuple[Column, ...]
    order: tuple[exp.Ordered, ...]
    limit: int | None
    offset: int | None
    distinct: bool
    # Per projection: the member it shows unchanged, if any (RowDescription reports its table and column).
    origins: tuple[str | None, ...] = ()

    def members(self) -> tuple[RelationMember, ...]:
        """Every relation member the query touches, in first-use order."""
        seen: dict[str, RelationMember] = {}
        trees: list[exp.Expr] = [k.expression for k in self.keys]
        trees += [a.adhoc for a in self.aggregates if a.adhoc is not None]
        if self.where is not None:
            trees.append(self.where)
        for tree in trees:
            for node in tree.find_all(exp.Column):
                member = member_of(node)
                if member is not None:
                    seen.setdefault(member.name, member)
        for aggregate in self.aggregates:
            if aggregate.measure is not None:
                seen.setdefault(aggregate.measure.name, aggregate.measure)
        return tuple(seen.values())

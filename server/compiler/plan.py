"""Plan nodes: frozen descriptions of how a semantic query is computed.

A :class:`SemanticPlan` reads governed tables (:class:`Scan`), joins them
(:class:`JoinStep`), filters rows, and aggregates in one or more
:class:`AggregatePass` es at the grain of the group keys. A pass with a
``dedup_key`` first removes the repetition a one-to-many join introduced, by
taking each (keys, primary key) row once: that is how measures stay exact when a
query spans a fan-out. The policy stage attaches row filters and masks to scans;
the render stage turns a plan into SQL for one engine.

Expressions are sqlglot trees over table aliases (row level) or over pass output
columns (post-aggregation), never strings. A plan is complete in itself: every
reference says what it reads by its shape, not by a tag:

* row-level columns are qualified with the alias of a :class:`Scan`;
* a derived measure reads a pass's aggregate as the column
  ``<pass name>.<measure name>`` (:func:`pass_output`);
* a scan's policy trees use two conventions: a row filter reads the table's raw
  columns qualified with :data:`ROW_ALIAS`; a column mask reads its input through
  the placeholder column :data:`MASK_INPUT`, and a member mask reads the table's
  raw columns unqualified.

Once made, a plan is never edited: a step that changes one (a plan rewrite,
:data:`server.compiler.planner.PLAN_REWRITES`) builds a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sqlglot.expressions as exp

from server.semantic.spec import Relationship

ROW_ALIAS = "governed"  # what a scan's row filter calls the table it filters
MASK_INPUT = "quiver_mask_input"  # the value a column mask masks


def mask_input() -> exp.Column:
    """The placeholder a column mask reads its input through."""
    return exp.column(MASK_INPUT)


def raw_column_name(column: str) -> str:
    """The name under which a governed scan also exposes a masked column's raw value (planner-internal)."""
    return f"quiver_raw__{column}"


def masked_member_name(dimension: str) -> str:
    """The name under which a governed scan exposes a computed dimension's masked value."""
    return f"quiver_masked__{dimension}"


@dataclass(frozen=True)
class Scan:
    """A table entering the plan, under ``alias``, reached by ``path`` from the root.

    ``columns`` are the raw columns the plan reads; when the caller's policies
    govern the table, ``masks`` replace some of them (by column name, over
    :data:`MASK_INPUT`), ``member_masks`` add masked
    computed dimensions, ``raw_columns`` are masked columns the planner itself
    needs unmasked (join and de-duplication keys, measures a policy lets read
    raw values) and ``row_filter`` keeps only the rows the caller may see.
    """

    table: str
    alias: str
    path: tuple[str, ...]
    source: exp.Query
    columns: tuple[str, ...]
    row_filter: exp.Expr | None = None
    masks: Mapping[str, exp.Expr] = field(default_factory=lambda: MappingProxyType({}))
    raw_columns: tuple[str, ...] = ()
    member_masks: Mapping[str, exp.Expr] = field(default_factory=lambda: MappingProxyType({}))
    restricted: bool = False  # read through a projection of ``columns`` only, never the bare table

    @property
    def governed(self) -> bool:
        return self.restricted or self.row_filter is not None or bool(self.masks) or bool(self.member_masks)


@dataclass(frozen=True)
class JoinStep:
    """``LEFT JOIN scan ON condition``; ``relationship`` is as seen from ``parent``."""

    scan: Scan
    parent: str
    condition: exp.Expr
    relationship: Relationship


@dataclass(frozen=True)
class Source:
    """The join tree: the root scan and its joins, parents before children."""

    root: Scan
    joins: tuple[JoinStep, ...] = ()

    @property
    def scans(self) -> tuple[Scan, ...]:
        return (self.root, *(j.scan for j in self.joins))


@dataclass(frozen=True)
class Column:
    """A named expression: a key, a pass input, a measure or an output column."""

    name: str
    expression: exp.Expr


@dataclass(frozen=True)
class AggregatePass:
    """Aggregates computed together at the grain of the keys.

    ``measures`` hold aggregate expressions over row-level expressions. When
    ``dedup_key`` is set (the primary key of the table whose rows a join
    repeats), rows are first made distinct on (keys, dedup_key, inputs).
    ``owner`` names that table, for EXPLAIN. Derived measures read each
    measure of the pass as :func:`pass_output` ``(name, measure.name)``.
    """

    name: str
    measures: tuple[Column, ...]
    dedup_key: tuple[exp.Expr, ...] = ()
    owner: str | None = None


@dataclass(frozen=True)
class RepeatedMeasure:
    """An output aggregate whose value repeats across the rows the group keys split it into.

    ``owner`` is the table whose rows the aggregate reads; ``across`` are the tables
    of group keys that one owner row does not determine (the many side of a join), so
    each owner row shows up in several output rows and a client summing the column
    counts it several times. ``hint`` is how to ask for the value at a chosen grain.
    """

    name: str  # the measure as the user names it (or the ad-hoc aggregate as written)
    owner: str
    across: tuple[str, ...]
    hint: str
    noun: str = "measure"  # "aggregate" for one the user wrote over columns (COUNT(*), SUM(quantity))

    @property
    def join(self) -> str:
        """The join that repeats the aggregate, as messages show it: orders, a multiplication sign, products."""
        return " \u00d7 ".join((self.owner, *self.across))

    def notice(self) -> str:
        """The text of the notice that warns a client reading these rows."""
        return (
            f'{self.noun} "{self.name}" repeats on each row of the many side of the join ({self.join}): '
            f"summing these rows does not give its total; ask {self.hint} at the grain you want"
        )


@dataclass(frozen=True)
class SemanticPlan:
    """Everything needed to compute one semantic query."""

    relation: str
    source: Source
    where: exp.Expr | None
    keys: tuple[Column, ...]
    passes: tuple[AggregatePass, ...]
    # Measures computed from pass outputs (number measures over other measures).
    derived: tuple[Column, ...]
    having: exp.Expr | None
    projections: tuple[Column, ...]
    order: tuple[exp.Ordered, ...]
    limit: int | None
    offset: int | None
    distinct: bool
    journal: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # relation members the query reads (for the audit record)
    origins: tuple[str | None, ...] = ()  # per projection: the relation member it shows unchanged
    # True when the keys already identify one row of the root table and nothing repeats it:
    # a query without aggregates then needs no GROUP BY (a plain scan, as a person would write).
    unique_rows: bool = False
    # Output aggregates whose values repeat across rows (a join fans their table out): computed while
    # planning, so a notice costs nothing per execution or per row.
    repeated: tuple[RepeatedMeasure, ...] = ()

    @property
    def single_pass(self) -> bool:
        """True when one SELECT with GROUP BY computes the whole query."""
        return len(self.passes) <= 1 and not any(p.dedup_key for p in self.passes)


def pass_output(pass_name: str, measure: str) -> exp.Column:
    """How a post-aggregation expression reads measure ``measure`` of the pass named ``pass_name``."""
    return exp.column(measure, table=pass_name)


def explain(plan: SemanticPlan, *, detailed: bool = True) -> str:
    """A readable outline of a plan, innermost step last, as ``quiver query --explain`` prints it.

    ``detailed`` adds the model's SQL (group key and filter expressions, join
    conditions). Without it the outline names only relation members and the
    data product's tables, which is all a caller without the ``explain`` scope
    may see: a model expression can read columns that are not members.
    """
    lines = [f"SemanticQuery on {plan.relation}"]
    if plan.limit is not None or plan.offset is not None:
        lines.append(f"  Limit {plan.limit if plan.limit is not None else 'ALL'} offset {plan.offset or 0}")
    if plan.order:
        lines.append("  Sort " + (", ".join(o.sql() for o in plan.order) if detailed else _count(plan.order, "key")))
    if plan.having is not None:
        lines.append(f"  Filter (after aggregation) {plan.having.sql() if detailed else ''}".rstrip())
    lines.append("  Project " + ", ".join(c.name for c in plan.projections))
    for p in plan.passes:
        grain = f" deduplicated on {p.owner} primary key" if p.dedup_key else ""
        measures = ", ".join(m.name for m in p.measures) or "(none)"
        lines.append(f"  Aggregate {p.name}{grain}: {measures}")
    if plan.keys:
        keys = (f"{k.name} := {k.expression.sql()}" if detailed else k.name for k in plan.keys)
        lines.append("    group by " + ", ".join(keys))
    if plan.where is not None:
        lines.append("    Filter " + (plan.where.sql() if detailed else "(the query's WHERE)"))
    source = plan.source
    lines.append(f"    Scan {_scan_text(source.root)}")
    for join in source.joins:
        condition = f" on {join.condition.sql()}" if detailed else ""
        lines.append(f"    LeftJoin {_scan_text(join.scan)} ({join.relationship} from {join.parent}){condition}")
    lines.append("Policies applied:")
    lines.extend(f"  - {entry}" for entry in plan.journal) if plan.journal else lines.append("  (none)")
    return "\n".join(lines)


def _count(items: tuple[object, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _scan_text(scan: Scan) -> str:
    text = f"{scan.table} as {scan.alias}"
    if scan.row_filter is not None:
        text += " [rows filtered by policy]"
    masked = sorted({*scan.masks, *scan.member_masks} & {*scan.columns, *scan.member_masks})
    if masked:
        text += " [masked: " + ", ".join(masked) + "]"
    return text

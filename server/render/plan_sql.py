"""Render a :class:`SemanticPlan` as one dialect-neutral sqlglot SELECT.

Two shapes, chosen by the plan:

* **single pass** (no fan-out to correct): one ``SELECT ... FROM ... LEFT JOIN
  ... WHERE ... GROUP BY ... HAVING ... ORDER BY ... LIMIT``, the query a person
  would write by hand;
* **several passes**: a ``base`` CTE with the filtered, joined rows at row level,
  one CTE per aggregate pass (a de-duplicating pass first takes each
  (keys, primary key) row once), and a final SELECT joining the passes on the
  group keys (``IS NOT DISTINCT FROM``, so NULL groups match).

The renderer decides nothing about semantics; it only prints what the plan says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlglot.expressions as exp

from server.compiler.plan import (
    MASK_INPUT,
    ROW_ALIAS,
    AggregatePass,
    Scan,
    SemanticPlan,
    Source,
    masked_member_name,
    raw_column_name,
)
from server.compiler.query import SlotKind, slot_of
from server.semantic.expand import wrap
from server.sql.table_sql import plain_table, table_source

VISIBLE = "quiver_visible"  # in a governed scan: whether the row passes the caller's row filter

_SAFE_NAME = re.compile(r"[^a-z0-9_]+")


def identifier(name: str) -> exp.Identifier:
    """An identifier, quoted when it would not survive unquoted (case, spaces, punctuation)."""
    plain = re.fullmatch(r"[a-z_][a-z0-9_$]*", name) is not None
    return exp.to_identifier(name, quoted=not plain)


def internal_name(name: str, used: set[str]) -> str:
    """A legible, unique, never-quoted column name for intermediate results; records the choice in ``used``."""
    base = _SAFE_NAME.sub("_", name.lower()).strip("_") or "col"
    if base[0].isdigit():
        base = f"c_{base}"
    candidate, counter = base, 1
    while candidate in used:
        counter += 1
        candidate = f"{base}_{counter}"
    used.add(candidate)
    return candidate


def render_scan(scan: Scan) -> exp.Expr:
    """A table entering the plan: a bare table name, or a subquery that applies its policies."""
    alias = exp.TableAlias(this=exp.to_identifier(scan.alias))
    plain = plain_table(scan.source)
    if not scan.governed:
        if plain is not None:
            table = plain.copy()
            table.set("alias", alias)
            return table
        return exp.Subquery(this=scan.source.copy(), alias=alias)
    return exp.Subquery(this=governed_select(scan), alias=alias)


def governed_select(scan: Scan) -> exp.Select:
    """The rows and values of one table a caller may see; every later step reads only these.

    With a row filter, the filter is computed once per row as ``quiver_visible``
    and every value leaving the scan is guarded by it (``CASE WHEN quiver_visible
    THEN col END``) as well as filtered by it. The guard is what keeps hidden rows
    unobservable when the engine's optimiser evaluates a user's predicate before
    the policy's: the predicate then sees NULL, never a hidden value, so it can
    neither match nor fail (no error messages made of hidden data).
    """
    source = table_source(scan.source, ROW_ALIAS)

    def value(column: str) -> exp.Expr:
        ref = exp.column(identifier(column))
        if scan.row_filter is None:
            return ref
        return exp.Case(ifs=[exp.If(this=exp.column(VISIBLE), true=ref)])

    def read_raw(tree: exp.Expr) -> exp.Expr:
        """``tree`` over unqualified raw columns (and the mask input) with each read guarded."""

        def visit(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column) and not node.table:
                return value(node.name)
            return node

        return tree.transform(visit, copy=True)

    columns: list[exp.Expr] = []
    for column in scan.columns:
        mask = scan.masks.get(column)
        if mask is None:
            columns.append(exp.alias_(value(column), identifier(column)))
        else:
            columns.append(exp.alias_(_with_input(mask, value(column)), identifier(column)))
    for column in scan.raw_columns:
        columns.append(exp.alias_(value(column), identifier(raw_column_name(column))))
    for dimension, mask in sorted(scan.member_masks.items()):
        columns.append(exp.alias_(read_raw(mask), identifier(masked_member_name(dimension))))
    if scan.row_filter is None:
        return exp.select(*columns or [exp.Literal.number(1)]).from_(source, copy=False)
    marked = exp.select(exp.Star(), exp.alias_(scan.row_filter.copy(), VISIBLE)).from_(source, copy=False)
    inner = exp.Subquery(this=marked, alias=exp.TableAlias(this=exp.to_identifier(ROW_ALIAS)))
    return exp.select(*columns or [exp.Literal.number(1)]).from_(inner, copy=False).where(VISIBLE, copy=False)


def _with_input(mask: exp.Expr, value: exp.Expr) -> exp.Expr:
    def visit(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name == MASK_INPUT and not node.table:
            return value.copy()
        return node

    return mask.transform(visit, copy=True)


def render_source(source: Source, select: exp.Select) -> exp.Select:
    select = select.from_(render_scan(source.root), copy=False)
    for join in source.joins:
        select = select.join(render_scan(join.scan), on=join.condition.copy(), join_type="left", copy=False)
    return select


class _Finals:
    """Substitutes slot and leaf references in post-aggregation expressions."""

    def __init__(self, keys: Sequence[exp.Expr], derived: Sequence[exp.Expr]) -> None:
        self.keys = keys
        self.derived = derived

    def __call__(self, tree: exp.Expr) -> exp.Expr:
        def visit(node: exp.Expr) -> exp.Expr:
            slot = slot_of(node)
            if slot is None:
                return node
            source = self.keys if slot.kind is SlotKind.KEY else self.derived
            return wrap(source[slot.index].copy(), node)

        return tree.transform(visit, copy=True)


def _replace_leaves(tree: exp.Expr, leaves: dict[tuple[str, str], exp.Expr]) -> exp.Expr:
    """A derived measure with each pass output it reads (``pass.measure``) replaced by ``leaves[(pass, measure)]``."""

    def visit(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            leaf = leaves.get((node.table, node.name))
            if leaf is not None:
                return leaf.copy()
        return node

    return tree.transform(visit, copy=True)


def _finish(select: exp.Select, plan: SemanticPlan, finals: _Finals) -> exp.Select:
    if plan.having is not None:
        select = select.having(finals(plan.having), copy=False)
    if plan.order:
        select = select.order_by(
            *(
                exp.Ordered(this=finals(o.this), desc=o.args.get("desc"), nulls_first=o.args.get("nulls_first"))
                for o in plan.order
            ),
            copy=False,
        )
    if plan.limit is not None:
        select = select.limit(plan.limit, copy=False)
    if plan.offset is not None:
        select = select.offset(plan.offset, copy=False)
    if plan.distinct:
        select = select.distinct(copy=False)
    return select


def _projections(plan: SemanticPlan, finals: _Finals) -> list[exp.Expr]:
    return [exp.alias_(finals(p.expression), identifier(p.name)) for p in plan.projections]


def render_single_pass(plan: SemanticPlan) -> exp.Select:
    leaves = {(p.name, m.name): m.expression for p in plan.passes for m in p.measures}
    keys = [k.expression for k in plan.keys]
    derived = [_replace_leaves(d.expression, leaves) for d in plan.derived]
    finals = _Finals(keys, derived)
    select = exp.Select(expressions=_projections(plan, finals))
    select = render_source(plan.source, select)
    if plan.where is not None:
        select = select.where(plan.where, copy=False)
    if plan.unique_rows:
        pass  # each row is already one group: no GROUP BY needed
    elif keys:
        select = select.group_by(*(k.copy() for k in keys), copy=False)
    elif not leaves:
        # No keys and no aggregates: the relation at the grain of nothing is at most one row.
        select = select.distinct(copy=False)
    return _finish(select, plan, finals)


def render_passes(plan: SemanticPlan) -> exp.Select:
    used: set[str] = set()
    key_names = [internal_name(k.name, used) for k in plan.keys]
    base_columns: list[exp.Expr] = [
        exp.alias_(k.expression.copy(), name) for k, name in zip(plan.keys, key_names, strict=True)
    ]
    ctes: list[tuple[str, exp.Select]] = []
    leaf_refs: dict[tuple[str, str], exp.Expr] = {}
    pass_names = [internal_name(p.name, used) for p in plan.passes]
    for aggregate_pass, pass_name in zip(plan.passes, pass_names, strict=True):
        select = _render_pass(aggregate_pass, key_names, base_columns, used)
        ctes.append((pass_name, select))
        for measure in aggregate_pass.measures:
            leaf_refs[(aggregate_pass.name, measure.name)] = exp.column(measure.name, table=pass_name)
    base = exp.Select(expressions=base_columns)
    base = render_source(plan.source, base)
    if plan.where is not None:
        base = base.where(plan.where, copy=False)
    first = pass_names[0]
    keys = [exp.column(name, table=first) for name in key_names]
    derived = [_replace_leaves(d.expression, leaf_refs) for d in plan.derived]
    finals = _Finals(keys, derived)
    final = exp.Select(expressions=_projections(plan, finals)).from_(first, copy=False)
    for name in pass_names[1:]:
        if key_names:
            condition = exp.and_(
                *(
                    exp.NullSafeEQ(this=exp.column(k, table=first), expression=exp.column(k, table=name))
                    for k in key_names
                )
            )
            final = final.join(name, on=condition, join_type="inner", copy=False)
        else:
            final = final.join(name, join_type="cross", copy=False)
    final = _finish(final, plan, finals)
    final = final.with_("base", as_=base, copy=False)
    for name, select in ctes:
        final = final.with_(name, as_=select, copy=False)
    return final


def _render_pass(
    aggregate_pass: AggregatePass,
    key_names: list[str],
    base_columns: list[exp.Expr],
    used: set[str],
) -> exp.Select:
    """One aggregate pass over ``base``; its inputs are added to ``base_columns``."""
    pk_names: list[str] = []
    for key in aggregate_pass.dedup_key:
        name = internal_name(f"{aggregate_pass.owner}_key", used)
        base_columns.append(exp.alias_(key.copy(), name))
        pk_names.append(name)
    input_names: list[str] = []
    measures: list[exp.Expr] = []
    for measure in aggregate_pass.measures:
        leaf = measure.expression.copy()
        assert isinstance(leaf, exp.AggFunc)
        argument = leaf.this
        distinct = isinstance(argument, exp.Distinct)
        value = argument.expressions[0] if distinct else argument
        if isinstance(value, exp.Star):
            if pk_names:
                value_ref: exp.Expr = exp.column(pk_names[0])
                leaf.set("this", value_ref)
        elif value is not None:
            name = internal_name(f"{measure.name}_input", used)
            base_columns.append(exp.alias_(value.copy(), name))
            input_names.append(name)
            ref = exp.column(name)
            leaf.set("this", exp.Distinct(expressions=[ref]) if distinct else ref)
        measures.append(exp.alias_(leaf, measure.name))
    source: exp.Expr = exp.to_table("base")
    if aggregate_pass.dedup_key:
        distinct_rows = exp.select(*(exp.column(n) for n in (*key_names, *pk_names, *input_names))).from_(
            "base", copy=False
        )
        source = exp.Subquery(
            this=distinct_rows.distinct(copy=False), alias=exp.TableAlias(this=exp.to_identifier("base"))
        )
    select = exp.select(*(exp.column(k) for k in key_names), *measures).from_(source, copy=False)
    if key_names:
        select = select.group_by(*(exp.column(k) for k in key_names), copy=False)
    return select


def render_plan(plan: SemanticPlan) -> exp.Select:
    return render_single_pass(plan) if plan.single_pass else render_passes(plan)

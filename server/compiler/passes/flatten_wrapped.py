"""A query that aggregates over a projection of a semantic relation is the same question asked directly.

BI tools wrap: Ibis writes ``SELECT t1.channel, SUM(t1.net_revenue) FROM (SELECT *
FROM sales WHERE status <> 'cancelled') t1 GROUP BY 1``, a Superset virtual dataset
is ``SELECT ... FROM (<dataset SQL>) AS virtual_table GROUP BY ...``, Power BI and
Tableau custom SQL do the same. Run as written, the inner projection is answered at
the grain of every dimension it lists (order x product for ``sales``), where a
one-side measure repeats on each many-side row, and the outer SUM inflates it.

The rules (each a documented outcome, never a different number):

* A *projection* is a SELECT over one relation (or over another projection)
  whose items are columns or row-level expressions, with an optional WHERE on
  dimensions: no GROUP BY, HAVING, aggregate, ``MEASURE()``, DISTINCT, LIMIT,
  OFFSET or window. A CTE counts as a subquery.
* An *aggregating* SELECT (GROUP BY or an aggregate outside a window) whose only
  source is a projection is rewritten into one SELECT over the relation: outer
  columns are replaced by the projection's expressions, the inner WHERE is
  AND-ed with the outer one, and the outer GROUP BY, HAVING, ORDER BY and LIMIT
  are kept. So every aggregate means what it means on the relation directly:
  ``COUNT(*)`` counts the rows of the relation's root table (orders for ``sales``)
  that pass every filter, ``COUNT(DISTINCT t.d)`` and ``MIN/MAX/SUM/AVG`` of a
  dimension aggregate that dimension's table, fan-out safe.
* A measure read through the projection must sit directly in an aggregate that
  re-aggregates it exactly (:mod:`~server.compiler.reaggregation`: SUM of a sum or
  count, MIN of a min, MAX of a max), which becomes ``MEASURE(m)``; any other use
  (AVG of an average, SUM of a ratio or a distinct count, grouping or filtering by
  it) is refused (0A000) with the reason and a hint naming ``MEASURE()``.
* A subquery with LIMIT, OFFSET, DISTINCT, a window, or a filter on a measure
  (which acts as HAVING at the subquery's own grain) is a *result set*, not the
  relation's rows: counting its rows or aggregating its dimensions is ordinary SQL
  over it; re-aggregating one of its measures is refused (0A000), since it would
  give a different number than the measure (unless it lists no dimension: then
  each branch is one total row, and SQL over those totals is exact).
* Anything else (an outer query that does not aggregate; an inner query that
  aggregates itself) is left to ordinary SQL over the inner semantic result,
  which is exactly what it says.

Policies are untouched by this pass: the rewritten SELECT is planned like any
other, so row filters and masks still apply at its scans.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import sqlglot.expressions as exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from server.compiler.passes.state import Compilation, Context
from server.compiler.reaggregation import reaggregates_exactly, why_not
from server.compiler.resolver import is_measure_call, position_of
from server.errors import FeatureNotSupported
from server.semantic.model import Measure, MemberKind, Relation

ROW, MEASURE, DERIVED = "row", "measure", "derived"  # what an inner column carries
FLATTENED = "quiver_flattened"  # on an expression put in place of a wrapped column: never substituted again
MAX_REWRITES = 64  # a statement holds far fewer wrapped aggregates; this only bounds the loop


@dataclass
class Projection:
    """A chain of projections resolved down to the relation: its columns as expressions over the relation."""

    table: exp.Table
    relation: Relation
    columns: dict[str, tuple[exp.Expr, str]] = field(default_factory=dict)  # name -> (expression, kind)
    conditions: list[exp.Expr] = field(default_factory=list)
    # Why the chain's rows are a result set rather than the relation's rows (LIMIT, DISTINCT, a window,
    # a filter on a measure, which acts as HAVING at its own grain), or None.
    result_set: str | None = None


class NotAProjection(Exception):
    """The source is not a projection (so the outer query stays ordinary SQL over it)."""


def flattened_wrapped_selects(state: Compilation, ctx: Context) -> Compilation:
    """Rewrite each aggregating SELECT over a projection of a relation into one SELECT over the relation.

    Why: a wrapped aggregate must give the number the same question gives on the
    relation directly (measures re-aggregated at the outer grain, rows counted at
    the root grain), or fail saying why. Guarantees: no aggregating SELECT reads
    a projection of a relation any more; each became a semantic SELECT that the
    next passes plan with the caller's policies.
    """
    if not state.used:
        return state
    holder = exp.Paren(this=state.tree)
    for _ in range(MAX_REWRITES):
        if not _rewrite_one(holder.this, ctx):
            break
    tree = holder.this
    tree.pop()
    return replace(state, tree=tree)


def _rewrite_one(tree: exp.Expr, ctx: Context) -> bool:
    """Flatten the innermost aggregating SELECT over a projection; False when there is none."""
    for scope in traverse_scope(tree):
        outer = scope.expression
        if not isinstance(outer, exp.Select) or not _aggregates(outer):
            continue
        if outer.args.get("joins") or outer.args.get("laterals") or len(scope.selected_sources) != 1:
            continue
        ((alias, (_node, source)),) = scope.selected_sources.items()
        if not isinstance(source, Scope):
            continue
        if isinstance(source.expression, exp.SetOperation):
            _refuse_measures_over_set_operation(outer, alias, source, ctx)
            continue
        try:
            projection = _projection(source, ctx)
        except NotAProjection:
            continue
        if _correlated_to(outer, alias):
            continue
        if projection.result_set is not None:
            # Counting or aggregating the dimensions of a result set is ordinary SQL over that answer;
            # re-aggregating its measures would not give the measure.
            _refuse_measures_over_result_set(outer, alias, projection)
            continue
        cte = source.expression.parent if source.is_cte else None
        merged = _merged(outer, alias, projection)
        outer.replace(merged)
        if isinstance(cte, exp.CTE):
            # The merged SELECT carries a copy of the WITH that held the CTE (and may be the new root):
            # drop the CTE where it now lives.
            root = merged.root()
            for placed in [c for c in root.find_all(exp.CTE) if c.alias_or_name == cte.alias_or_name]:
                _drop_if_unused(placed, root)
        return True
    return False


def _aggregates(select: exp.Select) -> bool:
    if select.args.get("group"):
        return True
    return any(
        (isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Window)) or is_measure_call(node)
        for node in _own_nodes(select)
    )


def _own_nodes(select: exp.Select) -> Iterator[exp.Expr]:
    """Nodes of ``select`` without descending into its subqueries (their own scopes)."""
    return select.walk(prune=lambda node: node is not select and isinstance(node, exp.Query | exp.Subquery))


def _projection(scope: Scope, ctx: Context) -> Projection:
    """Resolve ``scope`` (and the projections under it) to expressions over one relation."""
    select = scope.expression
    if not isinstance(select, exp.Select) or len(scope.selected_sources) != 1:
        raise NotAProjection
    if any(select.args.get(k) for k in ("joins", "laterals", "group", "having", "qualify", "pivots")):
        raise NotAProjection
    if any(isinstance(n, exp.AggFunc) and not isinstance(n.parent, exp.Window) for n in _own_nodes(select)):
        raise NotAProjection
    if any(is_measure_call(n) for n in _own_nodes(select)):
        raise NotAProjection
    ((alias, (_node, source)),) = scope.selected_sources.items()
    if isinstance(source, Scope):
        below = _projection(source, ctx)
    elif isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier) and source.name in ctx.relations:
        below = _base(source, ctx.relations[source.name])
    else:
        raise NotAProjection
    projection = Projection(
        below.table, below.relation, {}, list(below.conditions), below.result_set or _result_set_reason(select)
    )
    for item in select.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            projection.columns.update(below.columns)
            continue
        inner = item.this if isinstance(item, exp.Alias) else item
        projection.columns[item.alias_or_name] = _through(inner, alias, below)
    where = select.args.get("where")
    if where is not None:
        condition, kind = _through(where.this, alias, below)
        if kind != ROW:
            projection.result_set = projection.result_set or "a filter on a measure"
        projection.conditions.append(condition)
    return projection


def _refuse_measures_over_result_set(outer: exp.Select, alias: str, projection: Projection) -> None:
    """An outer query may not re-aggregate the measures of a subquery whose rows are a result set (0A000).

    A subquery that lists no dimension is one total row per branch, so SQL over it is exact and allowed.
    """
    if all(kind != ROW for _expression, kind in projection.columns.values()):
        return
    for column in _own_nodes(outer):
        if _wrapped(column, alias, projection) and projection.columns[column.name][1] != ROW:
            raise FeatureNotSupported(
                f"cannot re-aggregate a measure over a subquery with {projection.result_set}",
                detail="The subquery's rows are not the relation's rows, so aggregating its measure column "
                "would give a different number than the measure.",
                hint="Ask the question in one SELECT over the relation with MEASURE(); filter on a measure "
                "with HAVING, e.g. SELECT d, MEASURE(m) FROM relation GROUP BY d HAVING MEASURE(m) > ...",
                position=position_of(column),
            )


def _base(table: exp.Table, relation: Relation) -> Projection:
    columns: dict[str, tuple[exp.Expr, str]] = {}
    for member in relation.public_members():
        kind = MEASURE if member.kind is MemberKind.MEASURE else ROW
        columns[member.name] = (exp.column(member.name, table=table.alias_or_name), kind)
    return Projection(table, relation, columns)


def _refuse_measures_over_set_operation(outer: exp.Select, alias: str, source: Scope, ctx: Context) -> None:
    """UNION / INTERSECT / EXCEPT of projections is a result set: its measure columns are not re-aggregated."""
    first = source
    while isinstance(first.expression, exp.SetOperation) and first.set_operation_scopes:
        first = first.set_operation_scopes[0]
    try:
        projection = _projection(first, ctx)
    except NotAProjection:
        return
    kind = source.expression.key.upper()
    _refuse_measures_over_result_set(outer, alias, replace(projection, result_set=kind))


def _result_set_reason(select: exp.Select) -> str | None:
    """What makes a projection's rows a result set rather than the relation's rows, if anything."""
    for word, present in (
        ("LIMIT", select.args.get("limit") is not None),
        ("OFFSET", select.args.get("offset") is not None),
        ("DISTINCT", select.args.get("distinct") is not None),
        ("a window function", any(isinstance(n, exp.Window) for n in _own_nodes(select))),
    ):
        if present:
            return word
    return None


def _through(tree: exp.Expr, alias: str, below: Projection) -> tuple[exp.Expr, str]:
    """``tree`` with the columns it reads from ``alias`` replaced by ``below``'s expressions; and its kind."""
    kinds: set[str] = set()

    def visit(node: exp.Expr) -> exp.Expr:
        if _wrapped(node, alias, below):
            expression, kind = below.columns[node.name]
            kinds.add(kind)
            return _placed(expression)
        return node

    replaced = tree.copy().transform(visit, copy=False)
    if isinstance(tree, exp.Column) and kinds == {MEASURE}:
        return replaced, MEASURE
    return replaced, DERIVED if kinds & {MEASURE, DERIVED} else ROW


def _wrapped(node: exp.Expr, alias: str, projection: Projection) -> bool:
    """Is ``node`` a column of the derived table ``alias`` (and not one already put in place)?"""
    return (
        isinstance(node, exp.Column)
        and not node.meta.get(FLATTENED)
        and node.table == alias
        and node.name in projection.columns
    )


def _placed(expression: exp.Expr) -> exp.Expr:
    """A copy of a projection's expression, marked so that no later substitution rewrites its columns."""
    copy = expression.copy()
    for node in copy.walk():
        node.meta[FLATTENED] = True
    return copy


def _correlated_to(outer: exp.Select, alias: str) -> bool:
    """Does a subquery nested in ``outer`` read the derived table's columns?"""
    source = outer.args.get("from_")
    return any(
        isinstance(node, exp.Column) and node.table == alias
        for query in outer.find_all(exp.Query)
        if query is not outer and (source is None or source not in _ancestors(query))
        for node in query.find_all(exp.Column)
    )


def _ancestors(node: exp.Expr) -> list[exp.Expr]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


def _merged(outer: exp.Select, alias: str, projection: Projection) -> exp.Select:
    """``outer`` rewritten to read the relation directly."""
    merged = outer.copy()

    def visit(node: exp.Expr) -> exp.Expr:
        if is_measure_call(node) and len(node.expressions) == 1 and _wrapped(node.expressions[0], alias, projection):
            expression, kind = projection.columns[node.expressions[0].name]
            if kind != MEASURE:
                raise _measure_misuse(node.expressions[0], projection)
            return exp.Anonymous(this="MEASURE", expressions=[_placed(expression)])
        if isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Window):
            measure_call = _measure_aggregate(node, alias, projection)
            if measure_call is not None:
                return measure_call
        if _wrapped(node, alias, projection):
            expression, kind = projection.columns[node.name]
            if kind != ROW:
                raise _measure_misuse(node, projection)
            return _placed(expression)
        return node

    for key in ("expressions", "where", "group", "having", "order"):
        value = merged.args.get(key)
        if isinstance(value, list):
            merged.set(key, [item.transform(visit, copy=False) for item in value])
        elif value is not None:
            merged.set(key, value.transform(visit, copy=False))
    merged.set("from_", exp.From(this=projection.table.copy()))
    conditions = [c.copy() for c in projection.conditions]
    where = merged.args.get("where")
    if where is not None:
        conditions.append(where.this)
    merged.set("where", exp.Where(this=exp.and_(*conditions, copy=False)) if conditions else None)
    return merged


def _measure_aggregate(node: exp.AggFunc, alias: str, projection: Projection) -> exp.Expr | None:
    """``MEASURE(m)`` for an aggregate that re-aggregates a measure column exactly; None if it reads no measure."""
    argument, distinct = node.this, False
    if isinstance(argument, exp.Distinct):
        argument, distinct = (argument.expressions[0] if len(argument.expressions) == 1 else None), True
    if argument is None or not _wrapped(argument, alias, projection):
        return None
    expression, kind = projection.columns[argument.name]
    if kind == ROW:
        return None
    if kind == DERIVED:
        raise _measure_misuse(argument, projection)
    member = projection.relation.members[expression.name]
    measure = member.member
    assert isinstance(measure, Measure)
    if not reaggregates_exactly(node, measure.type, distinct):
        written = node.sql("postgres")
        raise FeatureNotSupported(
            f"{written} over a subquery cannot be computed exactly: {why_not(node, measure.type, distinct)}",
            detail=f'"{member.name}" is a {measure.type} measure of "{projection.relation.name}".',
            hint=f"Use MEASURE({member.name}) (or {member.name}) in a query over {projection.relation.name}; "
            "it is computed at the query's grain.",
            position=position_of(node),
        )
    call = exp.Anonymous(this="MEASURE", expressions=[_placed(expression)])
    call.meta[FLATTENED] = True
    return call


def _measure_misuse(column: exp.Expr, projection: Projection) -> FeatureNotSupported:
    return FeatureNotSupported(
        f'column "{column.name}" of the subquery is a measure and can only be re-aggregated here',
        detail="Outside an aggregate, a measure read through a subquery has no value at the outer query's grain.",
        hint=f"Aggregate it (SUM of a sum or count measure, MIN of a min, MAX of a max) or use MEASURE() "
        f"in a query over {projection.relation.name}.",
        position=position_of(column),
    )


def _drop_if_unused(cte: exp.CTE, tree: exp.Expr) -> None:
    """Remove a CTE no query reads any more (so it is not planned for nothing)."""
    name = cte.alias_or_name
    if any(isinstance(t, exp.Table) and not t.db and t.name == name for t in tree.find_all(exp.Table)):
        return
    with_ = cte.parent
    cte.pop()
    if isinstance(with_, exp.With) and not with_.expressions:
        with_.pop()

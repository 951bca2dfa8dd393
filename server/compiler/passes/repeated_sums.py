"""SQL around a semantic result may not add up a measure the result repeats.

A semantic SELECT read at a grain that reaches the many side of a join (``SELECT *
FROM sales``: orders x products) shows a one-side measure (``net_revenue``) on each of
its many-side rows. Those rows are right, but SQL that sums them counts each order
several times: ``SELECT SUM(t.net_revenue) FROM (SELECT * FROM sales) t JOIN ...``
gave 51.2M for a true 17.77M. Where the wrapped query can be flattened
(:mod:`.flatten_wrapped`) the measure is re-aggregated exactly; what remains here
(an outer join, a window, a CTE read twice) is refused rather than answered with a
different number.

Only aggregates whose value changes when a row is repeated are refused (SUM, AVG,
variance, percentiles, string and array aggregation...). MIN, MAX, COUNT and the
boolean aggregates are the same over repeated rows, so they stay ordinary SQL.
"""

from __future__ import annotations

import sqlglot.expressions as exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from server.compiler.passes.state import Compilation, Context, marker_index
from server.compiler.plan import RepeatedMeasure, SemanticPlan
from server.compiler.resolver import position_of
from server.errors import FeatureNotSupported

# Aggregates whose answer does not change when an input row is repeated.
_REPEAT_SAFE: tuple[type[exp.Expr], ...] = (
    exp.Min,
    exp.Max,
    exp.Count,
    exp.AnyValue,
    exp.First,
    exp.Last,
    exp.LogicalAnd,
    exp.LogicalOr,
)


def no_sums_over_repeated_measures(state: Compilation, ctx: Context) -> Compilation:
    """Refuse (0A000) an aggregate in SQL around a plan over a measure column that plan repeats.

    Why: such SQL would silently give a different number than the measure (see the module).
    Guarantees: no statement adds up, averages or otherwise combines the repeated
    values of a measure; the error names the measure, the join and what to ask instead.
    """
    if not state.plans or marker_index(state.tree) is not None:
        return state  # no SQL around the plans: the client reads the rows themselves (a notice says so)
    repeated = {i: _repeated_outputs(plan) for i, plan in enumerate(state.plans)}
    if not any(repeated.values()):
        return state
    for scope in traverse_scope(state.tree):
        for aggregate in _aggregates(scope.expression):
            if isinstance(aggregate, _REPEAT_SAFE) or _distinct(aggregate):
                continue
            for column in aggregate.find_all(exp.Column):
                index = _plan_of(column, scope)
                if index is None:
                    continue
                found = repeated[index].get(column.name.lower())
                if found is not None:
                    raise _refusal(aggregate, column, state.plans[index], found)
    return state


def _repeated_outputs(plan: SemanticPlan) -> dict[str, RepeatedMeasure]:
    """Output column name -> the repeated measure it shows, for each measure the plan repeats."""
    by_name = {r.name.lower(): r for r in plan.repeated if r.noun == "measure"}
    if not by_name:
        return {}
    out: dict[str, RepeatedMeasure] = {}
    origins = plan.origins or (None,) * len(plan.projections)
    for projection, origin in zip(plan.projections, origins, strict=False):
        found = by_name.get((origin or projection.name).lower())
        if found is not None:
            out[projection.name.lower()] = found
    return out


def _aggregates(select: exp.Expr) -> list[exp.AggFunc]:
    """The aggregates of this scope's own SELECT (window aggregates included), not of its subqueries."""
    prune = lambda node: node is not select and isinstance(node, exp.Query | exp.Subquery)  # noqa: E731
    return [node for node in select.walk(prune=prune) if isinstance(node, exp.AggFunc)]


def _distinct(aggregate: exp.AggFunc) -> bool:
    return isinstance(aggregate.this, exp.Distinct)


def _plan_of(column: exp.Column, scope: Scope) -> int | None:
    """The plan whose output ``column`` reads, when it reads a planned semantic SELECT directly."""
    sources = scope.sources
    if column.table:
        source = sources.get(column.table)
    elif len(sources) == 1:
        (source,) = sources.values()
    else:
        return None
    if isinstance(source, Scope):
        return marker_index(source.expression)
    return None


def _refusal(
    aggregate: exp.AggFunc, column: exp.Column, plan: SemanticPlan, found: RepeatedMeasure
) -> FeatureNotSupported:
    return FeatureNotSupported(
        f'{aggregate.sql("postgres")} would count each row of "{plan.relation}" several times: measure '
        f'"{found.name}" repeats on each row of the many side of the join ({found.join})',
        detail="The rows it reads are at a grain where the measure's value is shown once per many-side row.",
        hint=f"Ask {found.hint} directly on {plan.relation} at the grain you want, or aggregate over a subquery "
        "that reads only that relation (it is then computed exactly).",
        position=position_of(column),
    )

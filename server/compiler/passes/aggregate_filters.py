"""``agg(x) FILTER (WHERE c)`` rewritten as ``agg(CASE WHEN c THEN x END)`` before resolution.

The two are equal for every aggregate that ignores NULLs, which is every aggregate
the function allowlist admits except the collecting ones (``array_agg``, ``list``),
which keep NULLs and so keep their FILTER. Rewriting first lets the resolver see
an ordinary aggregate over an expression of dimensions (read at the owning table's
grain, fan-out safe) instead of a construct it would have to learn separately.

``count(*) FILTER (WHERE c)`` counts rows of the relation's root table, so it is
marked (:data:`COUNTS_ROOT_ROWS`): the planner keeps the root among its owners, and a
condition on another table's columns is refused like any aggregate over several
tables, rather than silently counting that table's rows instead.
"""

from __future__ import annotations

from dataclasses import replace

import sqlglot.expressions as exp

from server.compiler.passes.state import Compilation, Context
from server.compiler.query import COUNTS_ROOT_ROWS

# Aggregates that keep NULL inputs: FILTER and CASE differ for them, so they stay as written.
_KEEPS_NULLS = (exp.ArrayAgg,)


def fold_aggregate_filters(state: Compilation, ctx: Context) -> Compilation:
    """Fold each ``FILTER (WHERE c)`` into its aggregate's argument.

    Why: the resolver then sees ordinary aggregates over expressions of
    dimensions. Guarantees: no FILTER clause remains except on aggregates that
    keep NULLs; a ``count(*)`` that had one is marked :data:`COUNTS_ROOT_ROWS`.
    """
    return replace(state, tree=rewrite_aggregate_filters(state.tree))


def rewrite_aggregate_filters(tree: exp.Expr) -> exp.Expr:
    """``tree`` with each FILTER clause folded into its aggregate's argument (in place; returns the root)."""
    for node in list(tree.find_all(exp.Filter)):
        aggregate = node.this
        where = node.expression
        if not isinstance(aggregate, exp.AggFunc) or isinstance(aggregate, _KEEPS_NULLS):
            continue
        if not isinstance(where, exp.Where):
            continue
        condition = where.this
        argument = aggregate.this
        if isinstance(argument, exp.Star) or argument is None:
            # count(*) counts rows: the rows that pass are those where the CASE gives a value.
            aggregate.set("this", _when(condition, exp.Literal.number(1)))
            aggregate.meta[COUNTS_ROOT_ROWS] = True
        elif isinstance(argument, exp.Distinct):
            values = argument.expressions
            argument.set("expressions", [_when(condition.copy(), value) for value in values])
        else:
            aggregate.set("this", _when(condition, argument))
        node.replace(aggregate)
    return tree


def _when(condition: exp.Expr, value: exp.Expr) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=condition, true=value)])

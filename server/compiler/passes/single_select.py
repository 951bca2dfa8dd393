"""The hot path: a statement that is one SELECT over one relation is planned whole."""

from __future__ import annotations

import sqlglot.expressions as exp

from server.compiler.passes.state import Compilation, Context, plan_select, relation_of


def plan_single_select(state: Compilation, ctx: Context) -> Compilation:
    """Plan the statement directly when it is a single semantic SELECT with nothing nested.

    Why: most dashboard queries have this shape; scoping and qualifying the whole
    statement (the general path) would only cost time. Guarantees: either the
    statement is complete (its tree is one marker) or it is left untouched for
    the general path.
    """
    tree = state.tree
    if not isinstance(tree, exp.Select) or tree.args.get("with_") or tree.args.get("joins"):
        return state
    source = tree.args.get("from_")
    if source is None or not isinstance(source.this, exp.Table):
        return state
    if any(isinstance(n, exp.Query | exp.Subquery | exp.Window) for n in tree.walk() if n is not tree):
        return state
    table = source.this
    state, placed = plan_select(state, ctx, tree, table, relation_of(table, ctx))
    return state.finished(placed)

"""Every relation a statement names is one the caller may query."""

from __future__ import annotations

import sqlglot.expressions as exp
from sqlglot.optimizer.scope import traverse_scope

from server.compiler.passes.state import Compilation, Context, relation_of


def governed_relations(state: Compilation, ctx: Context) -> Compilation:
    """Check each table the statement reads (42P01 unknown, 42501 a table function) and record it.

    Why: only governed relations are reachable (no other schemas, no file or
    network table functions), whatever the statement's shape. Guarantees: every
    ``exp.Table`` source in every scope is a relation in ``ctx.relations``, and
    ``state.used`` lists them in first-use order.
    """
    for scope in traverse_scope(state.tree):
        for source in scope.sources.values():
            if isinstance(source, exp.Table):
                relation_of(source, ctx)
                state = state.using(source.name)
        for node in scope.expression.find_all(exp.Table):
            # Table functions never become scope sources; catch them wherever they are.
            if not isinstance(node.this, exp.Identifier):
                relation_of(node, ctx)
    return state

"""Result columns get PostgreSQL's names before anything renames them."""

from __future__ import annotations

import sqlglot.expressions as exp

from server.compiler.passes.state import Compilation, Context, marker_index
from server.compiler.resolver import output_name


def postgres_output_names(state: Compilation, ctx: Context) -> Compilation:
    """Alias unnamed result columns as PostgreSQL names them (``?column?``, ``count``).

    Why: qualifying columns (the next pass) would name them ``_col_N`` and the
    engine would choose its own names. Guarantees: every item of the statement's
    outermost select list is a column, a star or an alias.
    """
    tree = state.tree
    while isinstance(tree, exp.SetOperation):
        tree = tree.this
    if not isinstance(tree, exp.Select) or marker_index(tree) is not None:
        return state
    for item in list(tree.expressions):
        if not isinstance(item, exp.Alias | exp.Column | exp.Star):
            item.replace(exp.alias_(item.copy(), output_name(item), quoted=True))
    return state

"""``SELECT *`` read directly on a relation lists what :mod:`server.compiler.star` says, on every path.

A statement that is one SELECT is resolved whole and its ``*`` follows the rule
there; in a statement with subqueries, qualifying columns (the next passes) would
expand ``*`` to every member. This pass writes that ``*`` out first, so
``SELECT * FROM sales WHERE order_id IN (SELECT ...)`` lists the same columns as
``SELECT * FROM sales``.

A ``*`` in a derived table (a subquery in FROM, or a CTE) is left alone: it exposes
every member, so the outer query can name a measure and aggregate it (Ibis's
``(SELECT * FROM sales WHERE ...) t1``, flattened by the next passes).
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.compiler.passes.state import Compilation, Context
from server.compiler.star import star_members


def star_columns(state: Compilation, ctx: Context) -> Compilation:
    """Write out ``SELECT *`` over one relation when the SELECT is not a derived table.

    Why: the columns of ``SELECT *`` must not depend on whether the statement took the
    single-SELECT path. Guarantees: a bare ``*`` is left only where the SELECT is a
    derived table or does not read one relation alone.
    """
    if not state.used:
        return state
    shadowed = {cte.alias_or_name for cte in state.tree.find_all(exp.CTE)}
    for select in list(state.tree.find_all(exp.Select)):
        if _derived(select) or select.args.get("joins") or select.args.get("laterals"):
            continue
        source = select.args.get("from_")
        table = source.this if source is not None else None
        if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
            continue
        if table.name in shadowed or table.name not in ctx.relations or table.catalog:
            continue
        if not any(isinstance(item, exp.Star) and not item.args.get("except_") for item in select.expressions):
            continue
        alias = table.alias_or_name
        columns = [exp.column(m.name, table=alias) for m in star_members(ctx.manifest, ctx.relations[table.name])]
        items: list[exp.Expr] = []
        for item in select.expressions:
            is_star = isinstance(item, exp.Star) and not item.args.get("except_")
            items.extend(c.copy() for c in columns) if is_star else items.append(item)
        select.set("expressions", items)
    return state


def _derived(select: exp.Select) -> bool:
    """Is ``select`` a derived table (in FROM or JOIN, or a CTE), possibly as a UNION branch?"""
    node: exp.Expr = select
    while isinstance(node.parent, exp.SetOperation):
        node = node.parent
    parent = node.parent
    if isinstance(parent, exp.CTE):
        return True
    return isinstance(parent, exp.Subquery) and isinstance(parent.parent, exp.From | exp.Join)

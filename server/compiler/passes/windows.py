"""Windows over a semantic relation are computed after aggregation, as SQL computes them."""

from __future__ import annotations

import sqlglot.expressions as exp


def split_windows(select: exp.Select) -> exp.Select:
    """Compute windows after aggregation, as SQL does: an inner semantic SELECT, an outer window SELECT.

    Everything a window reads (its arguments, PARTITION BY and ORDER BY) and every
    part of the select list outside windows is computed by the inner query;
    ORDER BY, LIMIT, OFFSET and DISTINCT move to the outer one. ``select`` is
    replaced in its tree by the outer SELECT; the inner one, a semantic SELECT over
    the same relation, is returned for planning.
    """
    inner_items: dict[str, tuple[str, exp.Expr]] = {}

    used_names: set[str] = set()

    def inner(expression: exp.Expr, name: str | None = None) -> exp.Expr:
        if isinstance(expression, exp.Literal | exp.Null | exp.Boolean | exp.Star):
            return expression.copy()
        key = expression.sql(copy=False)
        if key not in inner_items:
            chosen = name if name and name not in used_names else f"_w{len(inner_items)}"
            used_names.add(chosen)
            inner_items[key] = (chosen, expression.copy())
        return exp.column(inner_items[key][0])

    def outer(tree: exp.Expr, name: str | None = None) -> exp.Expr:
        if not any(isinstance(n, exp.Window) for n in tree.walk()):
            return inner(tree, name)
        if isinstance(tree, exp.Window):
            window = tree.copy()
            function = window.this
            for key, value in list(function.args.items()):
                if isinstance(value, exp.Expression):
                    function.set(key, outer(value))
                elif isinstance(value, list):
                    function.set(key, [outer(v) if isinstance(v, exp.Expression) else v for v in value])
            window.set("partition_by", [inner(p) for p in window.args.get("partition_by") or []])
            order = window.args.get("order")
            if order is not None:
                for ordered in order.expressions:
                    ordered.set("this", inner(ordered.this))
            return window
        rebuilt = tree.copy()
        for key, value in list(rebuilt.args.items()):
            if isinstance(value, exp.Expression):
                rebuilt.set(key, outer(value))
            elif isinstance(value, list):
                rebuilt.set(key, [outer(v) if isinstance(v, exp.Expression) else v for v in value])
        return rebuilt

    projections = []
    for item in select.expressions:
        name = item.alias_or_name if isinstance(item, exp.Alias | exp.Column) else None
        body = item.this if isinstance(item, exp.Alias) else item
        projections.append(exp.alias_(outer(body, name), name) if name else outer(body))
    order = select.args.get("order")
    outer_order = []
    if order is not None:
        names = {p.alias_or_name for p in projections}
        for ordered in order.expressions:
            target = ordered.this
            is_name = isinstance(target, exp.Column) and not target.table and target.name in names
            is_position = isinstance(target, exp.Literal) and not target.is_string
            new_target = target.copy() if is_name or is_position else outer(target)
            outer_order.append(ordered.copy().set("this", new_target) or ordered)
    inner_columns = [exp.alias_(tree, name) for name, tree in inner_items.values()]
    # A window over nothing of the relation (SELECT count(*) OVER () FROM t) still needs a column below it.
    inner_select = exp.Select(expressions=inner_columns or [exp.alias_(exp.Literal.number(1), "quiver_one")])
    for key in ("from_", "where", "group", "having"):
        if select.args.get(key) is not None:
            inner_select.set(key, select.args[key].copy())
    outer_select = exp.Select(expressions=projections).from_(
        exp.Subquery(this=inner_select, alias=exp.TableAlias(this=exp.to_identifier("w"))), copy=False
    )
    for key in ("limit", "offset", "distinct"):
        if select.args.get(key) is not None:
            outer_select.set(key, select.args[key].copy())
    if outer_order:
        outer_select.set("order", exp.Order(expressions=outer_order))
    select.replace(outer_select)
    return inner_select

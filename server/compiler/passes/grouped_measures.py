"""Measures of a relation read as rows inside a grouped query: exact per group, or 42803.

A relation that is joined or correlated with a subquery is read as rows at the
grain of the dimensions the query uses (:func:`~server.compiler.passes.semantic_selects`
wraps it), and its measures become columns of those rows. In a grouped query
(``SELECT customer_region, (SELECT ... WHERE c.region = s.customer_region),
net_revenue FROM sales s GROUP BY 1``) a bare measure then names a column that is
neither grouped nor aggregated, which the engine refuses with its own message.

When every dimension of the relation that the query reads is a group key, each
group holds exactly one row of the relation (duplicated at most by joins), so the
measure's value for the group is that row's value: it is read with ``ANY_VALUE``,
which is exact there. Otherwise the measure has no single value per group, and the
statement fails as PostgreSQL fails it: 42803, ``column "s.net_revenue" must appear
in the GROUP BY clause or be used in an aggregate function``.
"""

from __future__ import annotations

import sqlglot.expressions as exp
from sqlglot.optimizer.scope import Scope

from server.compiler.resolver import position_of
from server.errors import GroupingError
from server.semantic.model import MemberKind, Relation


def _is_nested(node: exp.Expr, top: exp.Expr) -> bool:
    """Inside an aggregate, a window or a subquery of ``top`` (where grouping is decided elsewhere)."""
    parent = node.parent
    while parent is not None and parent is not top:
        if isinstance(parent, exp.AggFunc | exp.Window | exp.Query | exp.Subquery | exp.Anonymous):
            return True
        parent = parent.parent
    return False


def _shadowed(node: exp.Expr, top: exp.Expr, alias: str) -> bool:
    """A reference to ``alias`` that names a source of a nested query, not ``top``'s."""
    parent = node.parent
    while parent is not None and parent is not top:
        if isinstance(parent, exp.Select):
            sources = [parent.args.get("from_"), *(parent.args.get("joins") or ())]
            if any(source is not None and source.this.alias_or_name == alias for source in sources):
                return True
        parent = parent.parent
    return False


def _after_grouping(node: exp.Expr, top: exp.Select) -> bool:
    """In the select list, HAVING or ORDER BY of ``top`` (not WHERE, FROM or GROUP BY)."""
    while node.parent is not None and node.parent is not top:
        node = node.parent
    return node.parent is top and node.arg_key in ("expressions", "having", "order", "qualify")


def _in_subquery(node: exp.Expr, top: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None and parent is not top:
        if isinstance(parent, exp.Query | exp.Subquery):
            return True
        parent = parent.parent
    return False


def _group_keys(select: exp.Select) -> list[exp.Expr]:
    """GROUP BY items as expressions: a position or an output alias stands for its select item."""
    group = select.args.get("group")
    items = {item.alias_or_name: item for item in select.expressions if isinstance(item, exp.Alias)}
    keys: list[exp.Expr] = []
    for item in group.expressions if group is not None else ():
        if isinstance(item, exp.Literal) and not item.is_string and item.name.isdigit():
            position = int(item.name)
            if 1 <= position <= len(select.expressions):
                target = select.expressions[position - 1]
                keys.append(target.this if isinstance(target, exp.Alias) else target)
            continue
        if isinstance(item, exp.Column) and not item.table and item.name in items:
            keys.append(items[item.name].this)
            continue
        keys.append(item)
    return keys


def _grouping_sets(select: exp.Select) -> bool:
    group = select.args.get("group")
    if group is None:
        return False
    kinds = (exp.Rollup, exp.Cube, exp.GroupingSets)
    return any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets")) or any(
        isinstance(item, kinds) for item in group.expressions
    )


def _aggregates(select: exp.Select) -> bool:
    prune = lambda node: node is not select and isinstance(node, exp.Query | exp.Subquery)  # noqa: E731
    return any(
        isinstance(node, exp.AggFunc) and node.find_ancestor(exp.Window) is None for node in select.walk(prune=prune)
    )


def read_measures_per_group(scope: Scope, alias: str, relation: Relation) -> None:
    """Make the bare measures of ``alias`` in a grouped ``scope`` exact per group, or raise 42803.

    Why: a bare measure of a relation read as rows is not grouped, and the engine would
    refuse it with its own message. Guarantees: after this, each bare measure column of
    ``alias`` outside aggregates in ``scope`` is either a group key or read with
    ``ANY_VALUE`` where the group keys fix the relation's row.
    """
    select = scope.expression
    if not isinstance(select, exp.Select) or not (select.args.get("group") or _aggregates(select)):
        return
    if _grouping_sets(select):
        return  # several groupings at once: left to the engine
    measures = {m.name for m in relation.public_members() if m.kind is MemberKind.MEASURE}
    keys = _group_keys(select)
    key_names = {key.name for key in keys if isinstance(key, exp.Column) and key.table == alias}
    key_sql = {key.sql() for key in keys}

    def grouped(column: exp.Column) -> bool:
        node: exp.Expr | None = column
        while node is not None and node is not select:
            if node.sql() in key_sql:
                return True
            node = node.parent
        return column.name in key_names

    ours = [
        column
        for column in select.find_all(exp.Column)
        if column.table == alias and not isinstance(column.this, exp.Star) and not _shadowed(column, select, alias)
    ]
    # Only what is computed after grouping must be grouped: the select list, HAVING, ORDER BY.
    after = [column for column in ours if _after_grouping(column, select) and not grouped(column)]
    for column in after:
        if _in_subquery(column, select):
            raise GroupingError(
                f'subquery uses ungrouped column "{alias}.{column.name}" from outer query',
                position=position_of(column),
            )
    bare = [column for column in after if not _is_nested(column, select)]
    dimensions = {column.name for column in ours if column.name not in measures}
    for column in bare:
        if column.name not in measures or not dimensions <= key_names:
            raise GroupingError(
                f'column "{alias}.{column.name}" must appear in the GROUP BY clause or be used in an aggregate '
                "function",
                hint=(
                    f'"{relation.name}" is read here as rows (it is joined or correlated): group by every '
                    "dimension the query reads, or compute the measure in a subquery first."
                )
                if column.name in measures
                else None,
                position=position_of(column),
            )
    for column in bare:
        column.replace(exp.AnyValue(this=column.copy()))

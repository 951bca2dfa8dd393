"""Column alias lists (``AS c(a, b)``, ``WITH t(a, b)``): how many columns each source has, and the 42P10 check.

PostgreSQL refuses a list longer than its source (``table "c" has 2 columns
available but 3 columns specified``, 42P10), and a name the list gives two
columns is ambiguous where it is used (42702). The engine does not always agree:
DuckDB ignores extra names on a CTE, words the error its own way elsewhere, and
reads a duplicated name as the first column. So the
lengths are checked on the tree, once at parse time for every source whose width
the statement itself shows (subqueries, CTEs, VALUES), and again by the compiler,
which also knows the width of each semantic relation for the caller
(:mod:`server.compiler.passes.column_aliases`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlglot.expressions as exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.scope import Scope, traverse_scope

from server.errors import AmbiguousColumn, InvalidColumnReference

TableColumns = Callable[[exp.Table], Sequence[str] | None]


def _unknown(_table: exp.Table) -> Sequence[str] | None:
    return None


def has_alias_lists(tree: exp.Expr) -> bool:
    return any(alias.args.get("columns") for alias in tree.find_all(exp.TableAlias))


def holder(node: exp.Expr) -> exp.Expr:
    """The node carrying a source's alias: the parenthesised subquery around a query, or the node itself."""
    return node.parent if isinstance(node.parent, exp.Subquery) else node


def too_many(what: str, available: int, specified: int, node: exp.Expr) -> InvalidColumnReference:
    start = next((i.meta["start"] for i in node.find_all(exp.Identifier) if "start" in i.meta), None)
    return InvalidColumnReference(
        f"{what} has {available} columns available but {specified} columns specified",
        position=None if start is None else int(start) + 1,
    )


class SourceShapes:
    """The columns of each source of a statement's scopes, when they can be known before planning.

    ``table_columns`` gives a table's columns in ``SELECT *`` order (None: unknown here).
    """

    def __init__(self, scopes: list[Scope], table_columns: TableColumns = _unknown) -> None:
        self.scopes = scopes
        self.by_query = {id(scope.expression): scope for scope in scopes}
        self.table_columns = table_columns

    def width(self, query: exp.Expr) -> int | None:
        """How many columns a query returns."""
        while isinstance(query, exp.Subquery):
            query = query.this
        if isinstance(query, exp.SetOperation):
            return self.width(query.this)
        if isinstance(query, exp.Values):
            first = query.expressions[0] if query.expressions else None
            return len(first.expressions) if isinstance(first, exp.Tuple) else 1
        if not isinstance(query, exp.Select):
            return None
        scope = self.by_query.get(id(query))
        total = 0
        for item in query.expressions:
            star = item if isinstance(item, exp.Star) else item.this if isinstance(item, exp.Column) else None
            if not isinstance(star, exp.Star):
                total += 1
                continue
            if scope is None:
                return None
            qualifier = item.table if isinstance(item, exp.Column) else ""
            for name in [qualifier] if qualifier else list(scope.selected_sources):
                columns = self.source_columns(scope, name)
                if columns is None:
                    return None
                total += len(columns)
            total -= len(star.args.get("except_") or ())
        return total

    def source_columns(self, scope: Scope, name: str) -> list[str] | None:
        """The column names source ``name`` of ``scope`` offers, its alias list applied."""
        found = scope.selected_sources.get(name)
        if found is None:
            return None
        node, source = found
        if isinstance(source, exp.Table):
            columns = self.table_columns(source)
            if columns is None:
                return None
            names = list(columns)
        else:
            query = source.expression
            width = self.width(query)
            if width is None:
                return None
            cte = query.parent
            given = cte.alias_column_names if isinstance(cte, exp.CTE) else []
            selects = list(query.named_selects) if isinstance(query, exp.Query) else []
            if len(selects) == width and "*" not in selects:
                names = given + selects[len(given) :]
            elif len(given) >= width:
                names = given[:width]
            else:
                return None
        aliases = holder(node).alias_column_names
        return aliases[: len(names)] + names[len(aliases) :]


def check_alias_lists(tree: exp.Expr, table_columns: TableColumns = _unknown) -> SourceShapes | None:
    """42P10 for an alias list longer than its source, wherever the source's width is known.

    Returns the statement's source shapes (None when it has no alias list or cannot be scoped).
    """
    if not has_alias_lists(tree):
        return None
    try:
        scopes = traverse_scope(tree)
    except OptimizeError:
        return None  # a statement sqlglot cannot scope fails later with its own error
    shapes = SourceShapes(scopes, table_columns)
    for cte in tree.find_all(exp.CTE):
        names = cte.alias_column_names
        width = shapes.width(cte.this) if names else None
        if width is not None and len(names) > width:
            raise too_many(f'WITH query "{cte.alias}"', width, len(names), cte)
    for scope in scopes:
        for name, (node, source) in scope.selected_sources.items():
            aliases = holder(node).alias_column_names
            if not aliases:
                continue
            if isinstance(source, exp.Table):
                columns = table_columns(source)
                width = None if columns is None else len(columns)
            else:
                width = shapes.width(source.expression)
            if width is not None and len(aliases) > width:
                raise too_many(f'table "{name}"', width, len(aliases), holder(node))
            _check_duplicates(scope, name, shapes.source_columns(scope, name))
    return shapes


def _check_duplicates(scope: Scope, name: str, columns: list[str] | None) -> None:
    """A name the list gives two columns is ambiguous when used (the engine would pick one silently)."""
    if not columns:
        return
    twice = {column for column in columns if columns.count(column) > 1}
    for column in scope.columns if twice else ():
        if column.name in twice and column.table in ("", name):
            start = column.this.meta.get("start") if isinstance(column.this, exp.Identifier) else None
            raise AmbiguousColumn(
                f'column reference "{column.name}" is ambiguous', position=None if start is None else int(start) + 1
            )

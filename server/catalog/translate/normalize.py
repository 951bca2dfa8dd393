"""First rewrites: PostgreSQL spellings that mean nothing special to the catalog.

- unbound parameters become NULL (so Describe can learn a query's columns without values);
- ``pg_catalog.`` / ``information_schema.`` prefixes on functions and columns are dropped
  (tables are resolved separately, in :mod:`.tables`);
- ``COLLATE pg_catalog.default`` and friends are dropped (the catalog has one collation);
- ``OPERATOR(pg_catalog.~)`` and the regex operators become DuckDB regex matches;
- ``x = ANY(array)`` / ``x <> ALL(array)`` over arrays (not subqueries) become ``list_contains``.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot.expressions as exp

from server.catalog.translate.context import Context
from server.sql.database_names import check_database

SCHEMAS = ("pg_catalog", "information_schema")


def _is_schema(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Identifier) and node.name.lower() in SCHEMAS


def parameters_to_null(tree: exp.Expr, ctx: Context) -> exp.Expr:
    for node in list(tree.find_all(exp.Placeholder, exp.Parameter)):
        node.replace(exp.Null())
    return tree


def strip_qualifiers(tree: exp.Expr, ctx: Context) -> exp.Expr:
    """``pg_catalog.f(x)`` -> ``f(x)``; ``[quiver.]pg_catalog.pg_class.relname`` -> ``pg_class.relname``."""
    for dot in list(tree.find_all(exp.Dot)):
        if _is_schema(dot.this) and isinstance(dot.expression, exp.Func):
            dot.replace(dot.expression)
    for column in tree.find_all(exp.Column):
        if column.args.get("db") is not None and _is_schema(column.args["db"]):
            check_database(column, ctx.database)  # quiver.pg_catalog.pg_class.relname; another database is 0A000
            column.set("db", None)
            column.set("catalog", None)
    for collate in list(tree.find_all(exp.Collate)):
        collate.replace(collate.this)
    return tree


_OPERATORS: dict[str, Callable[[exp.Expr, exp.Expr], exp.Expr]] = {
    "~": lambda a, b: exp.RegexpLike(this=a, expression=b),
    "!~": lambda a, b: exp.not_(exp.RegexpLike(this=a, expression=b)),
    "~*": lambda a, b: exp.RegexpILike(this=a, expression=b),
    "!~*": lambda a, b: exp.not_(exp.RegexpILike(this=a, expression=b)),
    "~~": lambda a, b: exp.Like(this=a, expression=b),
    "!~~": lambda a, b: exp.not_(exp.Like(this=a, expression=b)),
    "~~*": lambda a, b: exp.ILike(this=a, expression=b),
    "!~~*": lambda a, b: exp.not_(exp.ILike(this=a, expression=b)),
    "=": lambda a, b: exp.EQ(this=a, expression=b),
    "<>": lambda a, b: exp.NEQ(this=a, expression=b),
    "!=": lambda a, b: exp.NEQ(this=a, expression=b),
    "<": lambda a, b: exp.LT(this=a, expression=b),
    "<=": lambda a, b: exp.LTE(this=a, expression=b),
    ">": lambda a, b: exp.GT(this=a, expression=b),
    ">=": lambda a, b: exp.GTE(this=a, expression=b),
    "||": lambda a, b: exp.DPipe(this=a, expression=b),
}


def operators(tree: exp.Expr, ctx: Context) -> exp.Expr:
    """``OPERATOR(pg_catalog.~)`` (psql's pattern matching) as the plain operator it names."""
    for node in list(tree.find_all(exp.Operator)):
        name = str(node.args.get("operator") or "").split(".")[-1].strip()
        make = _OPERATORS.get(name)
        if make is not None:
            node.replace(exp.paren(make(node.this, node.expression), copy=False))
    return tree


def _array_operand(node: exp.Expr) -> exp.Expr | None:
    """The array inside ``ANY(...)``/``ALL(...)``, or None when it is a subquery."""
    inner: exp.Expr | None = node.this if isinstance(node, exp.Any | exp.All) else None
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in ("any", "all") and len(node.expressions) == 1:
        inner = node.expressions[0]
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if inner is None or isinstance(inner, exp.Query | exp.Subquery):
        return None
    return inner


def any_all(tree: exp.Expr, ctx: Context) -> exp.Expr:
    """``x = ANY(arr)`` -> ``list_contains(arr, x)``; ``x <> ALL(arr)`` -> ``NOT list_contains(arr, x)``."""
    for node in list(tree.find_all(exp.EQ, exp.NEQ)):
        right = node.expression
        is_any = isinstance(right, exp.Any) or (isinstance(right, exp.Anonymous) and str(right.this).lower() == "any")
        is_all = isinstance(right, exp.All) or (isinstance(right, exp.Anonymous) and str(right.this).lower() == "all")
        if not (is_any or is_all):
            continue
        array = _array_operand(right)
        if array is None:
            continue
        contains = exp.Anonymous(this="list_contains", expressions=[array, node.this])
        if isinstance(node, exp.EQ) and is_any:
            node.replace(contains)
        elif isinstance(node, exp.NEQ) and is_all:
            node.replace(exp.not_(contains))
    return tree


def null_projections(tree: exp.Expr, ctx: Context) -> exp.Expr:
    """A bare ``NULL`` column is text in PostgreSQL (JDBC's ``NULL AS TABLE_CAT``), not DuckDB's integer."""
    for select in tree.find_all(exp.Select):
        if isinstance(select.parent, exp.SetOperation):
            continue
        for projection in select.expressions:
            target = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(target, exp.Null):
                target.replace(exp.Cast(this=exp.Null(), to=exp.DataType.build("VARCHAR")))
    return tree

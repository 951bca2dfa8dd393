"""int2vector and oidvector: PostgreSQL's zero-based arrays (``pg_index.indkey``, ``pg_proc.proargtypes``).

DuckDB lists are indexed from 1, PostgreSQL vectors from 0, and clients rely on
it: psqlODBC writes ``i.indkey[ia.attnum-1]``, SQLAlchemy pairs
``generate_subscripts(indkey, 1)`` (0, 1, ...) with ``pg_get_indexdef(..., ord + 1)``,
pgJDBC reads ``indoption[ordinal - 1]`` through an alias. Subscripts of a vector
(a vector column, or an alias of one) are shifted by one; ``array_lower`` /
``array_upper`` / ``generate_subscripts`` on a vector count from 0; and a vector
cast to text is printed PostgreSQL's way, ``"1 2"``.
"""

from __future__ import annotations

from functools import cache

import sqlglot.expressions as exp

from server.catalog.providers import PROVIDERS
from server.catalog.schema import ZERO_BASED_TYPES
from server.catalog.translate.context import Context
from server.catalog.translate.names import sqlglot_type

META = "quiver_vectors"


@cache
def vector_columns() -> frozenset[str]:
    return frozenset(c.name for p in PROVIDERS for c in p.columns if c.pg_type in ZERO_BASED_TYPES)


def is_vector(node: exp.Expr, names: frozenset[str] | set[str]) -> bool:
    while isinstance(node, exp.Paren | exp.Cast):
        if isinstance(node, exp.Cast) and not (sqlglot_type(node.to) == "ARRAY" or _vector_type(node.to)):
            return False
        node = node.this
    return isinstance(node, exp.Column) and node.name.lower() in names


def _vector_type(to: exp.Expr) -> bool:
    if isinstance(to, exp.DataType) and sqlglot_type(to) == "USERDEFINED":
        kind = to.args.get("kind")
        name = (kind.expression if isinstance(kind, exp.Dot) else kind).name.lower() if kind is not None else ""
        return name in ZERO_BASED_TYPES
    return False


def statement_vectors(tree: exp.Expr) -> frozenset[str]:
    """Vector column names plus the aliases this statement gives them."""
    names = set(vector_columns())
    for _ in range(3):
        before = len(names)
        for alias in tree.find_all(exp.Alias):
            if alias.alias and is_vector(alias.this, names):
                names.add(alias.alias.lower())
        if len(names) == before:
            break
    return frozenset(names)


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Dot(this=exp.to_identifier("qf"), expression=exp.Anonymous(this=name, expressions=list(args)))


def vectors(tree: exp.Expr, ctx: Context) -> exp.Expr:
    names = statement_vectors(tree)
    tree.meta[META] = names
    for bracket in list(tree.find_all(exp.Bracket)):
        if is_vector(bracket.this, names) and len(bracket.expressions) == 1:
            index = bracket.expressions[0]
            bracket.set("expressions", [exp.Add(this=exp.paren(index, copy=False), expression=exp.Literal.number(1))])
    for call in list(tree.find_all(exp.Anonymous)):
        name = str(call.this).lower()
        args = call.expressions
        if name not in ("array_lower", "array_upper", "generate_subscripts") or not args:
            continue
        if not is_vector(args[0], names):
            continue
        if name == "array_lower":
            call.replace(_call("vector_lower", *args))
        elif name == "array_upper":
            call.replace(_call("vector_upper", *args))
        else:
            upper = exp.Sub(this=exp.Anonymous(this="len", expressions=[args[0]]), expression=exp.Literal.number(1))
            call.replace(exp.Anonymous(this="generate_subscripts_range", expressions=[exp.Literal.number(0), upper]))
    return tree

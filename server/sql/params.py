"""Query parameters (``$1``...): infer their types, and bind values as literals on the AST.

Values are never formatted into SQL text: each becomes a literal node (a typed
cast where the engine needs one), so a value cannot change the statement's
structure whatever it contains.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import sqlglot.expressions as exp

from server.errors import InvalidParameterValue, SqlSyntaxError
from server.sql.pg_types import BY_NAME, type_named
from server.sql.text_input import parse_array

TEXT = BY_NAME["text"].oid
INT8 = BY_NAME["int8"].oid
BOOL = BY_NAME["bool"].oid


def parameter_number(node: exp.Expr) -> int | None:
    if isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return int(node.this.name)
    return None


def parameter_count(tree: exp.Expr) -> int:
    """The highest ``$n`` in ``tree`` (remembered on the tree, which cached statements share)."""
    known = tree.meta.get("quiver_parameter_count")
    if known is None:
        known = tree.meta["quiver_parameter_count"] = _count_parameters(tree)
    return known


def _count_parameters(tree: exp.Expr) -> int:
    numbers = [n for n in (parameter_number(p) for p in tree.find_all(exp.Parameter)) if n]
    if any(isinstance(p, exp.Placeholder) for p in tree.find_all(exp.Placeholder)):
        raise SqlSyntaxError('syntax error at or near "?"', hint="Parameters are written $1, $2, ...")
    return max(numbers, default=0)


def literal(value: Any) -> exp.Expr:
    """An AST literal for a Python value (typed where the engine could misread it)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        # Typed: a bare 2.5 would be read as DECIMAL(2,1), not as the float8 the client sent.
        if math.isfinite(value):
            text: exp.Expr = exp.Literal.number(repr(value))
        else:
            text = exp.Literal.string("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))
        return exp.Cast(this=text, to=exp.DataType.build("DOUBLE"))
    if isinstance(value, Decimal):
        if not value.is_finite():  # numeric NaN and ±Infinity: a bare NaN would read as a column name
            name = "NaN" if value.is_nan() else ("Infinity" if value > 0 else "-Infinity")
            return exp.Cast(this=exp.Literal.string(name), to=exp.DataType.build("DOUBLE"))
        return exp.Literal.number(format(value, "f"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, dt.datetime):
        kind = "TIMESTAMPTZ" if value.tzinfo is not None else "TIMESTAMP"
        return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=exp.DataType.build(kind))
    if isinstance(value, dt.date):
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("DATE"))
    if isinstance(value, dt.time):
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("TIME"))
    if isinstance(value, dt.timedelta):
        micros = value // dt.timedelta(microseconds=1)
        return exp.Interval(this=exp.Literal.string(str(micros)), unit=exp.Var(this="MICROSECONDS"))
    if isinstance(value, bytes):
        return exp.Cast(this=exp.Literal.string(value.hex()), to=exp.DataType.build("BLOB"))
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    raise InvalidParameterValue(f"unsupported parameter value of type {type(value).__name__}")


def bind(tree: exp.Expr, values: Sequence[Any]) -> exp.Expr:
    """A copy of ``tree`` with ``$n`` replaced by ``values[n - 1]`` as literals."""

    def visit(node: exp.Expr) -> exp.Expr:
        number = parameter_number(node)
        if number is None:
            return node
        if number > len(values):
            raise InvalidParameterValue(f"there is no parameter ${number}")
        return literal(values[number - 1])

    return any_array_to_in(tree.transform(visit, copy=True))


def _text_array(text: str) -> exp.Expr | None:
    """``'{web,app}'`` as ``ARRAY['web', 'app']``: untyped string elements, which take the compared
    value's type as PostgreSQL's unknown literals do. None for what is not a one-dimensional array literal."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")) or "{" in body[1:-1] or "}" in body[1:-1]:
        return None
    try:
        items = parse_array(body)
    except ValueError:
        return None
    return exp.Array(expressions=[exp.Null() if item is None else exp.Literal.string(item) for item in items])


def any_array_to_in(tree: exp.Expr) -> exp.Expr:
    """``x = ANY(ARRAY[a, b])`` is ``x IN (a, b)`` (and ``<> ALL`` is NOT IN), the form every engine runs.

    The array may be written as a string literal (``ANY('{r,p,""}')``, pgcli's ``\\dt``).
    Applied in place; a non-literal array is left alone.
    """
    for node in list(tree.find_all(exp.EQ, exp.NEQ)):
        quantified = node.expression
        if isinstance(node, exp.EQ) and isinstance(quantified, exp.Any):
            negate, array = False, quantified.this
        elif isinstance(node, exp.NEQ) and isinstance(quantified, exp.All):
            negate, array = True, quantified.this
        elif (
            isinstance(node, exp.NEQ)
            and isinstance(quantified, exp.Anonymous)
            and str(quantified.this).upper() == "ALL"
            and len(quantified.expressions) == 1
        ):
            negate, array = True, quantified.expressions[0]  # sqlglot reads ALL(...) as a plain call
        else:
            continue
        if isinstance(array, exp.Paren):
            array = array.this
        if isinstance(array, exp.Literal) and array.is_string:
            array = _text_array(array.name)  # ``ANY('{web,app}')``: PostgreSQL reads the literal as an array
        if not isinstance(array, exp.Array):
            continue
        if not array.expressions:
            replacement: exp.Expr = exp.Boolean(this=negate)
        else:
            replacement = exp.In(this=node.this.copy(), expressions=[e.copy() for e in array.expressions])
            if negate:
                replacement = exp.Not(this=replacement)
        if node is tree:
            return replacement
        node.replace(replacement)
    return tree


def _type_oid(data_type: exp.DataType) -> int:
    text = data_type.sql("postgres").lower()
    base = text.split("(")[0].strip()
    try:
        return type_named(base).oid
    except KeyError:
        return TEXT


def infer_types(tree: exp.Expr, declared: Sequence[int], column_type: Callable[[exp.Column], int | None]) -> list[int]:
    """One type OID per parameter: the declared one, or what its context implies, else text."""
    count = max(parameter_count(tree), len(declared))
    types = [declared[i] if i < len(declared) and declared[i] else 0 for i in range(count)]

    def type_of(node: exp.Expr) -> int | None:
        if isinstance(node, exp.Column):
            return column_type(node)
        if isinstance(node, exp.Cast):
            return _type_oid(node.to)
        if isinstance(node, exp.Literal):
            return TEXT if node.is_string else (INT8 if node.name.lstrip("-").isdigit() else BY_NAME["numeric"].oid)
        if isinstance(node, exp.Boolean):
            return BOOL
        return None

    for parameter in tree.find_all(exp.Parameter):
        number = parameter_number(parameter)
        if not number or types[number - 1]:
            continue
        parent = parameter.parent
        while isinstance(parent, exp.Paren):
            parent = parent.parent
        guess: int | None = None
        if isinstance(parent, exp.Cast):
            guess = _type_oid(parent.to)
        elif isinstance(parent, exp.Limit | exp.Offset | exp.Fetch):
            guess = INT8
        elif isinstance(parent, exp.Like | exp.ILike):
            guess = TEXT
        elif isinstance(parent, exp.In | exp.Between):
            guess = type_of(parent.this)
        elif isinstance(parent, exp.Any | exp.All) and isinstance(parent.parent, exp.Binary):
            # x = ANY($1): an array of x's type
            comparison = parent.parent
            other = comparison.this if comparison.expression is parent else comparison.expression
            other = other.this if isinstance(other, exp.Paren) else other
            element = type_of(other)
            found = next((t for t in BY_NAME.values() if t.oid == element), None)
            guess = found.array_oid if found is not None and found.array_oid else BY_NAME["text"].array_oid
        elif isinstance(parent, exp.Binary):
            other = parent.expression if parent.this is parameter else parent.this
            guess = type_of(other)
        types[number - 1] = guess or TEXT
    return [t or TEXT for t in types]

"""``width_bucket``: PostgreSQL's histogram bucket, which DuckDB does not have.

PostgreSQL has two scalar forms, chosen by the argument types as its function
resolution chooses them: ``width_bucket(numeric, numeric, numeric, int)``, computed
exactly, when an operand or a bound is numeric (and the others integers or
numerics); ``width_bucket(float8, float8, float8, int)`` otherwise (integers alone
resolve to it: float8 is the numeric category's preferred type). And an array form,
``width_bucket(x, thresholds)``: how many thresholds are at most ``x`` (the
thresholds sorted ascending, as PostgreSQL requires).

Bucket 0 holds what lies before the first bound, ``count + 1`` what lies at or past
the second; bounds may run downward (``width_bucket(5, 10, 0, 5)``). A NULL argument
gives NULL; a count below one or equal bounds raise PostgreSQL's errors (2201G).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot.expressions as exp

from server.sql.postgres_meaning.types import (
    CHECKED_DIVISOR,
    WIDTH_BUCKET_BOUNDS,
    WIDTH_BUCKET_COUNT,
    ColumnType,
    SqlType,
    engine_call,
    rule_error,
    sql_type,
)

_EXACT = {SqlType.INTEGER, SqlType.NUMERIC}


def width_bucket(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """Every ``width_bucket(...)`` becomes engine SQL that computes PostgreSQL's bucket (an int4).

    Why: BI histograms (Tableau, Superset) call it and DuckDB has no such function.
    Guarantees: the numeric form is exact (a value on a bucket edge is in the upper
    bucket); the float8 form repeats PostgreSQL's double arithmetic, including its
    clamp of a quotient that rounds up to ``count``; the types decide the form as
    PostgreSQL's resolution does, and an operand of unknown type takes the float8 form.
    """
    for node in list(tree.find_all(exp.WidthBucket, bfs=False))[::-1]:  # innermost first
        threshold = node.args.get("threshold")
        if threshold is not None:
            rewritten = _array_bucket(node.this, threshold)
        else:
            parts = (node.this, node.args["min_value"], node.args["max_value"])
            kinds = {sql_type(part, column_type) for part in parts}
            exact = kinds <= _EXACT and SqlType.NUMERIC in kinds
            rewritten = _bucket(*parts, node.args["num_buckets"], exact=exact)
        if node is tree:
            return rewritten
        node.replace(rewritten)
    return tree


def _bucket(operand: exp.Expr, low: exp.Expr, high: exp.Expr, count: exp.Expr, *, exact: bool) -> exp.Expr:
    """``CASE`` over PostgreSQL's checks, then the rising or the falling bucket."""

    def use(node: exp.Expr) -> exp.Expr:
        copied = exp.Paren(this=node.copy())
        return copied if exact else exp.cast(copied, exp.DType.DOUBLE)

    def n() -> exp.Expr:
        return exp.Paren(this=count.copy())

    def x() -> exp.Expr:
        return use(operand)

    def lo() -> exp.Expr:
        return use(low)

    def hi() -> exp.Expr:
        return use(high)

    nulls = exp.or_(*(exp.Is(this=part(), expression=exp.Null()) for part in (x, lo, hi, n)))
    rising = exp.Case(
        ifs=[
            exp.If(this=exp.LT(this=x(), expression=lo()), true=exp.Literal.number(0)),
            exp.If(this=exp.GTE(this=x(), expression=hi()), true=exp.Add(this=n(), expression=exp.Literal.number(1))),
        ],
        default=_inside(exp.Sub(this=x(), expression=lo()), exp.Sub(this=hi(), expression=lo()), n, exact),
    )
    falling = exp.Case(
        ifs=[
            exp.If(this=exp.GT(this=x(), expression=lo()), true=exp.Literal.number(0)),
            exp.If(this=exp.LTE(this=x(), expression=hi()), true=exp.Add(this=n(), expression=exp.Literal.number(1))),
        ],
        default=_inside(exp.Sub(this=lo(), expression=x()), exp.Sub(this=lo(), expression=hi()), n, exact),
    )
    checked = exp.Case(
        ifs=[
            exp.If(this=nulls, true=exp.Null()),
            exp.If(this=exp.LTE(this=n(), expression=exp.Literal.number(0)), true=_error(WIDTH_BUCKET_COUNT)),
            exp.If(this=exp.EQ(this=lo(), expression=hi()), true=_error(WIDTH_BUCKET_BOUNDS)),
            exp.If(this=exp.LT(this=lo(), expression=hi()), true=rising),
        ],
        default=falling,
    )
    return exp.cast(checked, exp.DType.INT)


def _inside(offset: exp.Expr, width: exp.Expr, n: Callable[[], exp.Expr], exact: bool) -> exp.Expr:
    """The bucket (1 to count) of a value inside the bounds: ``offset`` of ``width``, both positive."""
    if exact:
        # floor(offset * n / width), exactly: the remainder of decimals is exact, so the
        # multiple below it divides to a whole number that rounding the double recovers.
        scaled = exp.Paren(this=exp.Mul(this=exp.Paren(this=offset), expression=n()))
        whole = exp.Paren(this=width)
        modulo = exp.Mod(this=scaled.copy(), expression=whole.copy())
        modulo.meta[CHECKED_DIVISOR] = True  # the bounds differ here: the width is never zero
        remainder = exp.Paren(this=modulo)
        multiple = exp.Paren(this=exp.Sub(this=scaled, expression=remainder))
        quotient = exp.Round(this=exp.Div(this=multiple, expression=whole))
        return exp.Add(this=quotient, expression=exp.Literal.number(1))
    # PostgreSQL's float8 arithmetic: count * (offset / width), a quotient that rounds up to count is clamped.
    share = exp.Mul(
        this=n(), expression=exp.Paren(this=exp.Div(this=exp.Paren(this=offset), expression=exp.Paren(this=width)))
    )
    clamped = exp.Least(this=exp.Floor(this=share), expressions=[exp.Sub(this=n(), expression=exp.Literal.number(1))])
    return exp.Add(this=clamped, expression=exp.Literal.number(1))


def _array_bucket(operand: exp.Expr, thresholds: exp.Expr) -> exp.Expr:
    """How many of the (ascending) thresholds are at most ``operand``; NULL for a NULL operand.

    An ``ARRAY[...]`` written out becomes a sum of comparisons (no lambda, whose variable
    the compiler would take for a column); any other array is filtered with a lambda.
    """
    missing = exp.Is(this=exp.Paren(this=operand.copy()), expression=exp.Null())
    if isinstance(thresholds, exp.Array) and thresholds.expressions:
        terms = [
            exp.Case(
                ifs=[
                    exp.If(
                        this=exp.LTE(this=exp.Paren(this=t.copy()), expression=exp.Paren(this=operand.copy())),
                        true=exp.Literal.number(1),
                    )
                ],
                default=exp.Literal.number(0),
            )
            for t in thresholds.expressions
        ]
        total: exp.Expr = terms[0]
        for term in terms[1:]:
            total = exp.Add(this=total, expression=term)
        return exp.cast(exp.Case(ifs=[exp.If(this=missing, true=exp.Null())], default=total), exp.DType.INT)
    element = exp.to_identifier("quiver_threshold")
    at_most = exp.Lambda(
        this=exp.LTE(this=exp.column(element.copy()), expression=exp.Paren(this=operand.copy())),
        expressions=[element],
    )
    count = engine_call("len", engine_call("list_filter", thresholds.copy(), at_most))
    return exp.cast(exp.Case(ifs=[exp.If(this=missing, true=exp.Null())], default=count), exp.DType.INT)


def _error(message: str) -> exp.Expr:
    return exp.cast(rule_error(message), exp.DType.INT)

"""Numeric division of columns: a numeric quotient whose integer part is exact (Metabase's bins).

PostgreSQL divides ``numeric`` by ``numeric`` (or by an integer) exactly and rounds
the quotient to a scale chosen per value (at least 16 significant digits); DuckDB
divides decimals as doubles, so ``floor((amount - 0) / 12.5)`` can put an amount
that sits on a bin edge into the bin below, and the result is a double.

The per-value scale cannot be a column type, so the rule keeps what decides
``floor``, ``ceil``, ``trunc`` and comparisons exact, and documents the rest:

* ``x % y`` is exact on decimals in DuckDB, so ``x - x % y`` is an exact multiple of
  ``y``; their quotient is a whole number, found by rounding the double quotient
  (exact while it stays below 2**52, about 4.5e15);
* the remainder's share ``(x % y) / y`` lies strictly between -1 and 1, has the
  quotient's sign and is zero exactly when ``y`` divides ``x``; it is computed as
  a double and kept to :data:`SCALE` places.

So the quotient is ``DECIMAL(38, 16)``: its integer part and its sign are exact,
a value on a bin edge is that edge, and the places agree with PostgreSQL's to
about 15 (PostgreSQL shows 16 places for quotients from 1 to 9999, more below 1,
fewer above). A zero divisor is PostgreSQL's error. Quotients of two constants are
folded exactly by :mod:`.numeric` before this rule runs.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.sql.postgres_meaning.types import (
    CHECKED_DIVISOR,
    NUMERIC_QUOTIENT,
    ColumnType,
    SqlType,
    division_by_zero,
    sql_type,
)

SCALE = 16  # PostgreSQL's NUMERIC_MIN_SIG_DIGITS: the places it shows for quotients from 1 to 9999
_EXACT = {SqlType.INTEGER, SqlType.NUMERIC}
_ENGINE_DIVISION = "quiver_engine_division"  # meta key on the double divisions the rewrite itself writes


def numeric_division(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``x / y`` with one operand numeric and the other numeric or integer becomes an exact-floor numeric quotient.

    Why: PostgreSQL's numeric division is exact, DuckDB's is a double (bin edges land in
    the bin below, the result type is float8). Guarantees: the result is numeric; its
    integer part is exact, so ``floor``/``ceil``/``trunc`` of it and its comparisons
    with whole numbers agree with PostgreSQL; a zero divisor raises "division by zero";
    divisions whose operand types are not certain are left as written.
    """
    for node in list(tree.find_all(exp.Div, bfs=False))[::-1]:  # innermost first
        if node.meta.get(_ENGINE_DIVISION):
            continue  # a division this rule wrote (the statement may pass the rules twice)
        left, right = sql_type(node.this, column_type), sql_type(node.expression, column_type)
        if left not in _EXACT or right not in _EXACT or SqlType.NUMERIC not in (left, right):
            continue
        rewritten = _quotient(node.this, node.expression)
        if node is tree:
            return rewritten
        node.replace(rewritten)
    return tree


def _quotient(dividend: exp.Expr, divisor: exp.Expr) -> exp.Expr:
    """``CASE WHEN y = 0 THEN error ELSE whole + share END`` over copies of the operands."""

    def x() -> exp.Expr:
        return exp.Paren(this=dividend.copy())

    def y() -> exp.Expr:
        return exp.Paren(this=divisor.copy())

    modulo = exp.Mod(this=x(), expression=y())
    modulo.meta[CHECKED_DIVISOR] = True  # the quotient checks its divisor itself
    remainder = exp.Paren(this=modulo)
    multiple = exp.Paren(this=exp.Sub(this=x(), expression=remainder.copy()))
    whole_quotient = exp.Div(this=multiple, expression=y())
    share_quotient = exp.Div(this=remainder, expression=y())
    for division in (whole_quotient, share_quotient):
        division.meta[_ENGINE_DIVISION] = True
    whole = exp.cast(exp.Round(this=whole_quotient), exp.DataType.build("DECIMAL(38, 0)"))
    share = exp.cast(share_quotient, exp.DataType.build(f"DECIMAL(38, {SCALE})"))
    value = exp.Add(this=whole, expression=share)
    if _nonzero_constant(divisor):
        node = exp.Paren(this=value)
    else:
        zero = exp.EQ(this=y(), expression=exp.Literal.number(0))
        error = exp.cast(division_by_zero(), exp.DataType.build(f"DECIMAL(38, {SCALE})"))
        node = exp.Paren(this=exp.Case(ifs=[exp.If(this=zero, true=error)], default=value))
    node.meta[NUMERIC_QUOTIENT] = True
    return node


def _nonzero_constant(node: exp.Expr) -> bool:
    """True for a number literal other than zero (``12.5``, ``-0.25``): no zero check is needed."""
    while isinstance(node, exp.Neg | exp.Paren | exp.Cast):
        node = node.this
    if not isinstance(node, exp.Literal) or node.is_string:
        return False
    try:
        return float(node.name) != 0
    except ValueError:
        return False

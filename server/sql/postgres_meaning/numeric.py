"""Numeric division of constants, computed as PostgreSQL computes it (``1::numeric/3`` is 0.333...3, 20 places).

PostgreSQL divides numerics to a result scale chosen from the operands' values
(``select_div_scale`` in its numeric.c): at least 16 significant digits, never fewer
places than either operand shows, then rounds half away from zero. DuckDB divides
decimals as doubles. The scale depends on the values, so it can be known before
running only for constants: those are divided here, exactly, with Python's
decimals, and the quotient written as a DECIMAL literal of PostgreSQL's scale.
A division of columns is left as written (see the module :mod:`.arithmetic`).
"""

from __future__ import annotations

import decimal
from decimal import Decimal

import sqlglot.expressions as exp

from server.errors import FeatureNotSupported
from server.sql.postgres_meaning.types import ColumnType, division_by_zero

_MIN_SIGNIFICANT = 16  # NUMERIC_MIN_SIG_DIGITS
_MAX_SCALE = 1000  # NUMERIC_MAX_DISPLAY_SCALE
_ENGINE_PRECISION = 38  # DuckDB's widest DECIMAL
_CONSTANT = "quiver_numeric_constant"  # meta key: (value, scale) of a folded quotient
_INTEGERS = {exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.BIGINT}


def numeric_constant_division(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``a / b`` of numeric constants (one at least numeric) becomes PostgreSQL's exact quotient.

    Why: ``SELECT 1::numeric/3`` answers 0.33333333333333333333 (numeric) in PostgreSQL and
    0.3333333333333333 (double) in DuckDB. Guarantees: the quotient has PostgreSQL's
    digits and scale; one that needs more than 38 digits is refused (0A000), one
    divided by zero is an error; divisions of anything but constants are untouched.
    """
    for node in list(tree.find_all(exp.Div, bfs=False))[::-1]:  # innermost first
        left, right = _constant(node.this), _constant(node.expression)
        if left is None or right is None or (left[2] and right[2]):
            continue  # not constants, or two integers (the integer rule's)
        if right[0] == 0:  # the engine raises it where the statement runs, as for integers
            error = division_by_zero()
            folded: exp.Expr = exp.cast(error, exp.DType.DECIMAL)
        else:
            folded = _literal(*_divide(left[0], left[1], right[0], right[1]))
        if node is tree:
            return folded
        node.replace(folded)
    return tree


def _constant(node: exp.Expr) -> tuple[Decimal, int, bool] | None:
    """(value, display scale, is an integer) of a numeric constant as PostgreSQL reads it, else None."""
    if _CONSTANT in node.meta:
        value, scale = node.meta[_CONSTANT]
        return value, scale, False
    if isinstance(node, exp.Paren):
        return _constant(node.this)
    if isinstance(node, exp.Neg):
        inner = _constant(node.this)
        return (-inner[0], inner[1], inner[2]) if inner is not None else None
    if isinstance(node, exp.Cast) and not isinstance(node, exp.TryCast):
        inner = _constant(node.this)
        if inner is None or node.to.expressions:  # numeric(p, s) rounds: not folded
            return None
        if node.to.this is exp.DType.DECIMAL:
            return inner[0], inner[1], False
        if node.to.this in _INTEGERS and inner[2]:
            return inner
        return None
    if isinstance(node, exp.Literal) and not node.is_string:
        text = node.name
        if text.isdigit():
            return Decimal(text), 0, int(text) < 2**63
        if text.replace(".", "", 1).isdigit():
            return Decimal(text), len(text.partition(".")[2]), False
    return None


def _weight(value: Decimal) -> tuple[int, int]:
    """PostgreSQL's (weight, first digit) of ``value`` in base 10,000 digits; (0, 0) for zero."""
    if value == 0:
        return 0, 0
    magnitude = abs(value)
    exponent = magnitude.adjusted()  # the power of ten of the leading decimal digit
    weight = exponent // 4
    first = int(magnitude.scaleb(-4 * weight)) % 10000
    return weight, first


def _divide(dividend: Decimal, dividend_scale: int, divisor: Decimal, divisor_scale: int) -> tuple[Decimal, int]:
    """The quotient and its scale as PostgreSQL's numeric division gives them."""
    weight1, first1 = _weight(dividend)
    weight2, first2 = _weight(divisor)
    quotient_weight = weight1 - weight2 - (1 if first1 <= first2 else 0)
    scale = _MIN_SIGNIFICANT - quotient_weight * 4
    scale = min(max(scale, dividend_scale, divisor_scale, 0), _MAX_SCALE)
    with decimal.localcontext() as context:
        context.prec = _MAX_SCALE + 200
        context.rounding = decimal.ROUND_HALF_UP  # away from zero, as PostgreSQL
        value = (dividend / divisor).quantize(Decimal(1).scaleb(-scale))
    return value, scale


def _literal(value: Decimal, scale: int) -> exp.Expr:
    """``value`` as a DECIMAL literal of exactly ``scale`` places; 0A000 past the engine's 38 digits."""
    digits = len(value.as_tuple().digits)
    precision = max(digits, scale + 1)
    if precision > _ENGINE_PRECISION:
        raise FeatureNotSupported(
            f"numeric division result needs {precision} digits; the engine holds at most {_ENGINE_PRECISION}"
        )
    cast = exp.cast(
        exp.Literal.string(f"{value:f}"),
        exp.DataType.build(f"DECIMAL({precision}, {scale})"),
    )
    node = exp.Paren(this=cast)
    node.meta[_CONSTANT] = (value, scale)
    return node

"""Arithmetic rules: where PostgreSQL's operators compute something else than DuckDB's.

Checked against PostgreSQL 15 and DuckDB (tests/integration/test_postgres_meaning.py):

* ``%`` takes the sign of the dividend in both (``-7 % 2`` is -1, ``7 % -2`` is 1), but a zero
  divisor is an error in PostgreSQL and NULL in DuckDB.
* ``||`` with NULL is NULL in both, and ``round(numeric)`` rounds half away from zero in both: no rule.
* ``round(double precision)`` rounds half to even in PostgreSQL (``round(2.5::float8)`` is 2),
  half away from zero in DuckDB (3).
* ``integer / integer`` truncates toward zero in PostgreSQL and divides exactly in
  DuckDB; DuckDB's ``//`` truncates toward zero too (``-7 // 2`` is -3), but gives NULL
  where PostgreSQL raises "division by zero".
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.sql.postgres_meaning.types import (
    CHECKED_DIVISOR,
    INTEGER_QUOTIENT,
    ColumnType,
    SqlType,
    division_by_zero,
    engine_call,
    sql_type,
)


def integer_division(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``a / b`` of two integers becomes DuckDB's truncating ``a // b``, with PostgreSQL's error for ``b = 0``.

    Why: PostgreSQL divides integers as integers (``7/2`` is 3, so Tableau's ISO quarter
    and ``current_setting('server_version_num')::int / 100`` give whole numbers), DuckDB
    as doubles. Guarantees: a division whose operands are both certainly integers
    answers PostgreSQL's quotient and type (int4 / int4 is int4, with int8 it is int8),
    and a zero divisor is an error, never NULL; any other division is left as written.
    Inner divisions are rewritten first, so ``a / b / c`` of integers stays integer.
    """
    for node in list(tree.find_all(exp.Div, bfs=False))[::-1]:  # innermost first
        if sql_type(node.this, column_type) is not SqlType.INTEGER:
            continue
        if sql_type(node.expression, column_type) is not SqlType.INTEGER:
            continue
        divisor = node.expression
        quotient = exp.IntDiv(this=_grouped(node.this), expression=_grouped(divisor.copy()))
        rewritten: exp.Expr = quotient
        if not _nonzero_literal(divisor):
            zero = exp.EQ(this=_grouped(divisor), expression=exp.Literal.number(0))
            error = division_by_zero()
            rewritten = exp.Paren(this=exp.Case(ifs=[exp.If(this=zero, true=error)], default=quotient))
        rewritten.meta[INTEGER_QUOTIENT] = True
        if node is tree:
            return rewritten
        node.replace(rewritten)
    return tree


def modulo_by_zero(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``a % b`` raises "division by zero" for ``b = 0``, as PostgreSQL does; DuckDB answers NULL.

    Why: ``7 % 0`` is an error in PostgreSQL (22012); a NULL would be a silently different
    answer. Guarantees: only a modulo of integers or numerics (either operand certainly
    one) whose divisor is not a nonzero literal gets the check; its value is unchanged.
    """
    for node in list(tree.find_all(exp.Mod, bfs=False))[::-1]:
        divisor = node.expression
        if _nonzero_literal(divisor) or node.meta.get(CHECKED_DIVISOR):
            continue
        kinds = {sql_type(node.this, column_type), sql_type(divisor, column_type)}
        if not kinds & {SqlType.INTEGER, SqlType.NUMERIC}:
            continue
        node.meta[CHECKED_DIVISOR] = True
        zero = exp.EQ(this=_grouped(divisor.copy()), expression=exp.Literal.number(0))
        checked = exp.Paren(this=exp.Case(ifs=[exp.If(this=zero, true=division_by_zero())], default=node.copy()))
        checked.this.args["default"].meta[CHECKED_DIVISOR] = True
        if node is tree:
            return checked
        node.replace(checked)
    return tree


def float_round(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``round(x)`` of a double becomes DuckDB's ``round_even(x, 0)``: PostgreSQL rounds doubles half to even.

    Why: PostgreSQL's ``round(float8)`` is the C library's ``rint`` (2.5 -> 2, -0.5 -> -0),
    DuckDB's ``round`` goes away from zero (3). Guarantees: only a one-argument ``round``
    whose argument is certainly a double changes (PostgreSQL has no two-argument
    ``round`` of a double; ``round(numeric)`` already agrees).
    """
    for node in list(tree.find_all(exp.Round)):
        if node.args.get("decimals") is None and sql_type(node.this, column_type) is SqlType.FLOAT:
            double = exp.cast(node.this, exp.DType.DOUBLE)  # round(real) is a double in PostgreSQL too
            even = engine_call("round_even", double, exp.Literal.number(0))
            if node is tree:
                return even
            node.replace(even)
    return tree


def _nonzero_literal(node: exp.Expr) -> bool:
    """True for an integer literal other than zero (``-2`` too): no zero check is needed."""
    while isinstance(node, exp.Neg | exp.Paren | exp.Cast):
        node = node.this
    return isinstance(node, exp.Literal) and not node.is_string and node.name.isdigit() and int(node.name) != 0


def _grouped(node: exp.Expr) -> exp.Expr:
    """``node`` in parentheses unless it is atomic, so the operator binds as written."""
    return (
        node if isinstance(node, exp.Literal | exp.Column | exp.Paren | exp.Cast | exp.Func) else exp.Paren(this=node)
    )

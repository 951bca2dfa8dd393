"""What the rules know of an expression's PostgreSQL type: only what is certain.

A rule must not change an expression whose type it does not know, so
:func:`sql_type` answers ``None`` unless the type follows from the tree itself
(literals, casts, integer arithmetic) or from the caller (``column_type``: the
compiler knows a semantic member's type, the catalog knows nothing of its columns).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import sqlglot.expressions as exp

from server.errors import DivisionByZero, InvalidArgumentForWidthBucket, QuiverError


class SqlType(StrEnum):
    """The kinds of type the arithmetic rules tell apart."""

    INTEGER = "integer"  # smallint, integer, bigint
    NUMERIC = "numeric"
    FLOAT = "float"  # real, double precision


ColumnType = Callable[[exp.Column], SqlType | None]


def no_columns(column: exp.Column) -> SqlType | None:
    """The column typing of a caller that knows no column types."""
    return None


_INTEGERS = {exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.BIGINT}
_NUMERICS = {exp.DType.DECIMAL}
_FLOATS = {exp.DType.FLOAT, exp.DType.DOUBLE}
_EXACT = {SqlType.INTEGER, SqlType.NUMERIC}
_INTEGER_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Mod, exp.IntDiv)


def sql_type(node: exp.Expr, column_type: ColumnType) -> SqlType | None:
    """The PostgreSQL type of ``node`` when it is certain, else None."""
    if node.meta.get(INTEGER_QUOTIENT):
        return SqlType.INTEGER
    if node.meta.get(NUMERIC_QUOTIENT):
        return SqlType.NUMERIC
    if isinstance(node, exp.Paren | exp.Neg):
        return sql_type(node.this, column_type)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return None
        text = node.name
        if text.isdigit():
            return SqlType.INTEGER if int(text) < 2**63 else SqlType.NUMERIC
        return SqlType.NUMERIC if text.replace(".", "", 1).isdigit() else None  # 1.5 is numeric, 1e3 too in PG
    if isinstance(node, exp.Cast) and not isinstance(node, exp.TryCast):
        to = node.to.this
        if to in _INTEGERS:
            return SqlType.INTEGER
        return SqlType.NUMERIC if to in _NUMERICS else SqlType.FLOAT if to in _FLOATS else None
    if isinstance(node, exp.Column):
        return column_type(node)
    if isinstance(node, exp.Count):
        return SqlType.INTEGER
    if isinstance(node, _INTEGER_ARITHMETIC):
        left, right = sql_type(node.this, column_type), sql_type(node.expression, column_type)
        if left is SqlType.INTEGER and right is SqlType.INTEGER:
            return SqlType.INTEGER
        if not isinstance(node, exp.IntDiv) and {left, right} <= _EXACT and SqlType.NUMERIC in (left, right):
            return SqlType.NUMERIC  # numeric +, -, *, % an integer or a numeric is numeric in PostgreSQL
        return None
    return None


INTEGER_QUOTIENT = "quiver_integer_quotient"  # meta key marking a rewritten integer division
NUMERIC_QUOTIENT = "quiver_numeric_quotient"  # meta key marking a rewritten numeric division
CHECKED_DIVISOR = "quiver_divisor_checked"  # meta key on a modulo whose divisor needs no zero check

GENERATED = "quiver_generated_call"  # meta key on an engine call a rule wrote (error, round_even)


def engine_call(name: str, *arguments: exp.Expr) -> exp.Anonymous:
    """A call of a DuckDB function a rule writes, marked so allowlists that run later let it pass."""
    call = exp.Anonymous(this=name, expressions=list(arguments))
    call.meta[GENERATED] = True
    return call


DIVISION_BY_ZERO = "division by zero"
WIDTH_BUCKET_COUNT = "count must be greater than zero"
WIDTH_BUCKET_BOUNDS = "lower bound cannot equal upper bound"

# The errors the rules raise in the engine (PostgreSQL's messages), each with the typed error it
# answers: the executor and the catalog recognise exactly these engine errors (:func:`raised_by_rule`).
RULE_ERRORS: dict[str, type[QuiverError]] = {
    DIVISION_BY_ZERO: DivisionByZero,
    WIDTH_BUCKET_COUNT: InvalidArgumentForWidthBucket,
    WIDTH_BUCKET_BOUNDS: InvalidArgumentForWidthBucket,
}
_ENGINE_PREFIX = "Invalid Input Error: "  # how DuckDB's error() reports a message


def rule_error(message: str) -> exp.Expr:
    """The engine call that fails a statement with one of :data:`RULE_ERRORS`' messages.

    Why one helper: the executor and the catalog map exactly these engine errors to their
    SQLSTATE (:func:`raised_by_rule`), so raiser and reader cannot drift apart.
    """
    if message not in RULE_ERRORS:
        raise ValueError(f"not a rule error: {message}")
    return engine_call("error", exp.Literal.string(message))


def division_by_zero() -> exp.Expr:
    """PostgreSQL's "division by zero" (22012), raised where the statement runs."""
    return rule_error(DIVISION_BY_ZERO)


def raised_by_rule(engine_text: str) -> QuiverError | None:
    """The typed error when the engine's error is one a rule raised (with or without DuckDB's prefix), else None."""
    first = engine_text.split("\n", 1)[0].strip().removeprefix(_ENGINE_PREFIX)
    error = RULE_ERRORS.get(first)
    return error(first) if error is not None else None

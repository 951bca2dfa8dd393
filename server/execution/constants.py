"""Answer a SELECT of literals (``SELECT 1``, ``SELECT 'x' AS a, NULL``) without an engine.

Connection pools and drivers ping with such statements many times a second;
building the one-row result directly costs microseconds instead of an engine
round trip. Anything that is not plainly a list of literals returns None.
"""

from __future__ import annotations

import pyarrow as pa
import sqlglot.expressions as exp

from server.compiler.resolver import output_name


def _value(node: exp.Expr) -> tuple[bool, object, pa.DataType]:
    if isinstance(node, exp.Literal):
        if node.is_string:
            return True, node.name, pa.string()
        text = node.name
        digits = text.lstrip("-")
        # Past bigint a literal is numeric in PostgreSQL (and int() of 4,300+ digits raises): the engine answers.
        if digits.isdigit() and len(digits) <= 19:
            value = int(text)
            if -(2**63) <= value < 2**63:
                return True, value, pa.int32() if -(2**31) <= value < 2**31 else pa.int64()
        return False, None, pa.null()
    if isinstance(node, exp.Null):
        return True, None, pa.null()
    if isinstance(node, exp.Boolean):
        return True, bool(node.this), pa.bool_()
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        ok, negated, data_type = _value(node.this)
        return (ok, -negated, data_type) if ok and isinstance(negated, int) else (False, None, pa.null())
    return False, None, pa.null()


_MEMO = "quiver_constant"


def constant_result(tree: exp.Expr) -> pa.Table | None:
    """The one-row answer of a SELECT of literals, remembered on the (cached, shared) tree."""
    memo = tree.meta.get(_MEMO)
    if memo is None:
        memo = _compute(tree)
        tree.meta[_MEMO] = memo if memo is not None else False
    return memo or None


def _compute(tree: exp.Expr) -> pa.Table | None:
    if not isinstance(tree, exp.Select) or not tree.expressions:
        return None
    if any(value for key, value in tree.args.items() if key != "expressions"):
        return None  # anything beyond a select list (FROM, WHERE, LIMIT...) takes the normal path
    names: list[str] = []
    arrays: list[pa.Array] = []
    for item in tree.expressions:
        body = item.this if isinstance(item, exp.Alias) else item
        ok, value, data_type = _value(body)
        if not ok:
            return None
        names.append(item.alias if isinstance(item, exp.Alias) else output_name(item))
        arrays.append(pa.array([value], data_type))
    return pa.Table.from_arrays(arrays, names=names)

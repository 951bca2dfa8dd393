"""Dialect-neutral nodes: constructs the compiler builds once and each target renders its own way.

A mask is the example: policies are decided before anyone knows which engine
runs the query, and the SQL of a mask differs by engine (DuckDB's
``time_bucket`` for a date bucket, ``date_trunc`` elsewhere; HMAC built from
``sha256`` that returns text in one engine and bytes in another). So the policy
stage builds a *mask call* naming the mask function and its options, and the
target's mask renderings (``server.render.targets``) replace it with that
engine's SQL. Until then the node is visible in the tree, so a later planning
step (the federation split) can find every mask and decide where it is computed.

sqlglot's compiled expression classes cannot be subclassed, so a mask call is a
function node named :data:`MASK_CALL` carrying a ``meta`` tag (which survives
copies, as the plan markers' does). No allowlist names it: if a tag were ever
lost, the node would be refused as an unknown function, never sent unmasked.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot.expressions as exp

OptionValue = str | int | float | bool | None

MASK_CALL = "quiver_mask"
_TAG = "quiver_mask"


def mask_call(function: str, value: exp.Expr, options: Mapping[str, OptionValue]) -> exp.Anonymous:
    """The neutral node for ``function`` over ``value`` (options sorted, so equal masks compare equal)."""
    items = [exp.PropertyEQ(this=exp.to_identifier(key), expression=_literal(options[key])) for key in sorted(options)]
    node = exp.Anonymous(this=MASK_CALL, expressions=[value, exp.var(function), *items])
    node.meta[_TAG] = function
    return node


def mask_function(node: exp.Expr) -> str | None:
    """The mask function ``node`` applies, or None if it is not a mask call."""
    if isinstance(node, exp.Anonymous) and _TAG in node.meta:
        return str(node.meta[_TAG])
    return None


def mask_value(node: exp.Anonymous) -> exp.Expr:
    """The masked value of a mask call."""
    value: exp.Expr = node.expressions[0]  # sqlglot types a node's children as Any
    return value


def mask_options(node: exp.Anonymous) -> dict[str, OptionValue]:
    """The options of a mask call, as Python values."""
    return {item.this.name: _value(item.expression) for item in node.expressions[2:]}


def _literal(value: OptionValue) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if value is None:
        return exp.Null()
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _value(node: exp.Expr) -> OptionValue:
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal) and not node.is_string:
        text = str(node.this)
        return int(text) if text.lstrip("-").isdigit() else float(text)
    return str(node.this)

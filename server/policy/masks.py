"""Masking functions as SQL trees: each keeps the column's type, so a client's schema never changes.

A mask reads its input through :data:`~server.compiler.governance.MASK_INPUT`;
the render stage substitutes the (row-guarded) raw column. The functions:

===============  ==============================================================
``redact``       strings become ``REDACTED`` (or ``value``); other types NULL
``null``         NULL of the column's type
``constant``     ``value`` for every row
``md5``          MD5 of the text, as Lens does; reversible by dictionary, kept for compatibility
``hash``         HMAC-SHA-256 with the server's secret: stable (joins, counts
                 and GROUP BY still work), not reversible without the secret
``partial``      keep the last (or first) ``length`` characters, star the rest;
                 values no longer than ``length`` are starred whole
``email``        ``***@domain``: the local part starred, the domain kept
``bucket_number`` round down to a multiple of ``size``
``bucket_date``  truncate to the ``unit`` (month by default), same type
``regex_replace`` ``regexp_replace(value, pattern, replacement)`` on every match
===============  ==============================================================

Unlike Lens's unsalted ``md5``, ``hash`` cannot be reversed by hashing a
dictionary of likely values (two genders, 200 countries) without the secret.
"""

from __future__ import annotations

import hashlib

import sqlglot.expressions as exp

from server.compiler.governance import mask_input
from server.semantic.policies import Mask, MaskFunction
from server.semantic.spec import DimensionType

REDACTED = "REDACTED"
_BLOCK = 64  # SHA-256 block size in bytes


def _typed_null(value: exp.Expr) -> exp.Expr:
    """NULL with ``value``'s type (no CAST target needed)."""
    return exp.Case(ifs=[exp.If(this=exp.false(), true=value)])


def _typed_constant(value: exp.Expr, constant: exp.Expr) -> exp.Expr:
    """``constant`` for every row, with ``value``'s type as far as the engine unifies them."""
    return exp.Case(ifs=[exp.If(this=exp.false(), true=value)], default=constant)


def literal(value: object) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(int(value) if float(value).is_integer() else value)
    if value is None:
        return exp.Null()
    return exp.Literal.string(str(value))


def key_pads(secret: bytes) -> tuple[str, str]:
    """HMAC's inner and outer padded keys, as hex. They reveal the key: never show them (see EXPLAIN)."""
    key = secret if len(secret) <= _BLOCK else hashlib.sha256(secret).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex()


def hmac_sha256(value: exp.Expr, secret: bytes) -> exp.Expr:
    """HMAC-SHA-256 of ``value``'s text as lowercase hex, from SHA-256 and byte concatenation (RFC 2104)."""
    inner_pad, outer_pad = key_pads(secret)
    text = exp.Encode(this=exp.cast(value, exp.DataType.Type.VARCHAR))
    inner = exp.SHA2(
        this=exp.DPipe(this=exp.Unhex(this=exp.Literal.string(inner_pad)), expression=text),
        length=exp.Literal.number(256),
    )
    return exp.SHA2(
        this=exp.DPipe(this=exp.Unhex(this=exp.Literal.string(outer_pad)), expression=exp.Unhex(this=inner)),
        length=exp.Literal.number(256),
    )


def _partial(value: exp.Expr, length: int, keep: str) -> exp.Expr:
    size = exp.Length(this=value.copy())
    kept: exp.Expr = exp.Right(this=value.copy(), expression=exp.Literal.number(length))
    if keep == "first":
        kept = exp.Left(this=value.copy(), expression=exp.Literal.number(length))
    stars = exp.Repeat(
        this=exp.Literal.string("*"), times=exp.Sub(this=size.copy(), expression=exp.Literal.number(length))
    )
    shown = exp.DPipe(this=kept, expression=stars) if keep == "first" else exp.DPipe(this=stars, expression=kept)
    return exp.Case(
        ifs=[exp.If(this=exp.GT(this=size, expression=exp.Literal.number(length)), true=shown)],
        default=exp.Repeat(this=exp.Literal.string("*"), times=exp.Length(this=value.copy())),
    )


def mask_expression(
    mask: Mask, dimension_type: DimensionType, secret: bytes, value: exp.Expr | None = None
) -> exp.Expr:
    """The SQL of ``mask`` over ``value`` (default: the mask input placeholder)."""
    value = value if value is not None else mask_input()
    options = mask.options
    func = mask.func
    if func is MaskFunction.REDACT:
        if dimension_type is DimensionType.STRING:
            return _typed_constant(value, literal(options.get("value", REDACTED)))
        return _typed_null(value)
    if func is MaskFunction.NULL:
        return _typed_null(value)
    if func is MaskFunction.CONSTANT:
        return _typed_constant(value, literal(options["value"]))
    if func is MaskFunction.MD5:
        return exp.MD5(this=exp.cast(value, exp.DataType.Type.VARCHAR))
    if func is MaskFunction.HASH:
        return hmac_sha256(value, secret)
    if func is MaskFunction.PARTIAL:
        return _partial(value, int(options.get("length", 4)), str(options.get("keep", "last")))
    if func is MaskFunction.EMAIL:
        return exp.RegexpReplace(
            this=value, expression=exp.Literal.string("^[^@]*"), replacement=exp.Literal.string("***")
        )
    if func is MaskFunction.BUCKET_NUMBER:
        size = literal(options["size"])
        remainder = exp.Mod(
            this=exp.Paren(
                this=exp.Add(this=exp.Mod(this=value.copy(), expression=size.copy()), expression=size.copy())
            ),
            expression=size.copy(),
        )
        return exp.Sub(this=value, expression=exp.Paren(this=remainder))
    if func is MaskFunction.BUCKET_DATE:
        unit = str(options.get("unit", "month"))
        width = "3 months" if unit == "quarter" else "7 days" if unit == "week" else f"1 {unit}"
        # time_bucket keeps DATE a DATE (date_trunc would turn it into a TIMESTAMP).
        return exp.Anonymous(this="time_bucket", expressions=[exp.Interval(this=exp.Literal.string(width)), value])
    if func is MaskFunction.REGEX_REPLACE:
        return exp.RegexpReplace(
            this=value,
            expression=exp.Literal.string(str(options["pattern"])),
            replacement=exp.Literal.string(str(options.get("replacement", ""))),
            modifiers=exp.Literal.string("g"),
        )
    raise AssertionError(f"unhandled mask function {func}")

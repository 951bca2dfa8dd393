"""Masking functions as SQL trees: each keeps the column's type, so a client's schema never changes.

A mask reads its input through :data:`~server.compiler.plan.MASK_INPUT`;
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

This module decides what each mask means; how it is written in each engine's
SQL is the target's (``server.render.masks``), so a policy never assumes the engine.

Unlike Lens's unsalted ``md5``, ``hash`` cannot be reversed by hashing a
dictionary of likely values (two genders, 200 countries) without the secret.
"""

from __future__ import annotations

import hashlib

import sqlglot.expressions as exp

from server.compiler.plan import mask_input
from server.semantic.policies import Mask, MaskFunction
from server.semantic.spec import DimensionType
from server.sql.neutral import OptionValue, mask_call

_BLOCK = 64  # SHA-256 block size in bytes


def key_pads(secret: bytes) -> tuple[str, str]:
    """HMAC's inner and outer padded keys, as hex. They reveal the key: never show them (see EXPLAIN)."""
    key = secret if len(secret) <= _BLOCK else hashlib.sha256(secret).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex()


def mask_expression(
    mask: Mask, dimension_type: DimensionType, secret: bytes, value: exp.Expr | None = None
) -> exp.Expr:
    """``mask`` over ``value`` (default: the mask input placeholder), as a node each target renders.

    The options are the mask's own, plus what its rendering needs and only this
    stage knows: whether the value is a string (``redact``) and the keyed pads (``hash``).
    """
    value = value if value is not None else mask_input()
    options: dict[str, OptionValue] = {
        key: item if isinstance(item, str | int | float | bool) or item is None else str(item)
        for key, item in mask.options.items()
    }
    if mask.func is MaskFunction.REDACT:
        options["string"] = dimension_type is DimensionType.STRING
    if mask.func is MaskFunction.HASH:
        options["inner"], options["outer"] = key_pads(secret)
    return mask_call(mask.func.value, value, options)

"""Decode Bind parameter values from PostgreSQL's text and binary formats into Python values.

A parameter is client input like any other: whatever its bytes, decoding ends in a
value or in the typed error PostgreSQL itself would send, never in an internal error.
Out-of-range dates and times are 22008 (``timestamp out of range``), malformed
binary data 22P03, invalid UTF-8 or a NUL byte in text 22021, as in PostgreSQL's
``*_recv`` functions. Values PostgreSQL accepts but Python cannot hold (years past
9999, infinite timestamps) are 22008 too: refused, never changed.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Any

from server.errors import (
    DatatypeMismatch,
    DatetimeFieldOverflow,
    InvalidBinaryRepresentation,
)
from server.sql.pg_types import ELEMENT_OF_ARRAY
from server.sql.text_input import TEXT_TYPES, decode_text, type_name, utf8

PG_EPOCH = dt.datetime(2000, 1, 1)
PG_EPOCH_DATE = dt.date(2000, 1, 1)


# What Python's datetime can hold, as PostgreSQL's binary offsets from 2000-01-01.
_MICROSECOND = dt.timedelta(microseconds=1)
_MIN_TIMESTAMP_US = (dt.datetime.min - PG_EPOCH) // _MICROSECOND
_MAX_TIMESTAMP_US = (dt.datetime.max - PG_EPOCH) // _MICROSECOND
_MIN_DATE_DAYS = (dt.date.min - PG_EPOCH_DATE).days
_MAX_DATE_DAYS = (dt.date.max - PG_EPOCH_DATE).days
_DAY_US = 86_400_000_000
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

# numeric's binary sign words and limits (PostgreSQL's numeric.c).
_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN = 0x0000, 0x4000, 0xC000
_NUMERIC_PINF, _NUMERIC_NINF = 0xD000, 0xF000
_NUMERIC_MAX_DIGITS = 1000 + 2000  # NUMERIC_MAX_PRECISION + NUMERIC_MAX_RESULT_SCALE
_NUMERIC_DSCALE_MASK = 0x3FFF
_MAX_ARRAY_DIMENSIONS = 6


def _out_of_range(name: str) -> DatetimeFieldOverflow:
    return DatetimeFieldOverflow(
        f"{name} out of range",
        hint="Quiver accepts dates and times between the years 1 and 9999 as parameters; infinity is not supported.",
    )


def _bad_binary(name: str, detail: str | None = None) -> InvalidBinaryRepresentation:
    return InvalidBinaryRepresentation(f"incorrect binary data format in bound parameter of type {name}", detail=detail)


def _unpack(fmt: str, raw: bytes, name: str) -> tuple[Any, ...]:
    if len(raw) != struct.calcsize(fmt):
        raise _bad_binary(name, f"Expected {struct.calcsize(fmt)} bytes, got {len(raw)}.")
    return struct.unpack(fmt, raw)


def _binary_date(raw: bytes) -> dt.date:
    (days,) = _unpack("!i", raw, "date")
    if not _MIN_DATE_DAYS <= days <= _MAX_DATE_DAYS:
        raise _out_of_range("date")
    return PG_EPOCH_DATE + dt.timedelta(days=days)


def _binary_timestamp(raw: bytes, name: str) -> dt.datetime:
    (micros,) = _unpack("!q", raw, name)
    if not _MIN_TIMESTAMP_US <= micros <= _MAX_TIMESTAMP_US:
        raise _out_of_range("timestamp")
    value = PG_EPOCH + dt.timedelta(microseconds=micros)
    return value.replace(tzinfo=dt.UTC) if name == "timestamptz" else value


def _binary_time(raw: bytes) -> dt.time:
    (micros,) = _unpack("!q", raw, "time")
    if not 0 <= micros < _DAY_US:  # PostgreSQL allows 24:00:00, which Python's time cannot hold
        raise _out_of_range("time")
    return (dt.datetime.min + dt.timedelta(microseconds=micros)).time()


def _binary_interval(raw: bytes) -> str:
    """An interval as the text PostgreSQL's input accepts (the text format also arrives as text)."""
    micros, days, months = _unpack("!qii", raw, "interval")
    if micros in (_INT64_MIN, _INT64_MAX) and days in (_INT32_MIN, _INT32_MAX) and months in (_INT32_MIN, _INT32_MAX):
        raise _out_of_range("interval")
    return f"{months} months {days} days {micros} microseconds"


def _binary_numeric(raw: bytes) -> Decimal:
    """PostgreSQL's numeric_recv: base-10000 digits, exact at any precision (no rounding to 28 digits)."""
    if len(raw) < 8:
        raise _bad_binary("numeric")
    ndigits, weight, sign, dscale = struct.unpack_from("!hhHH", raw, 0)
    if ndigits < 0 or ndigits > _NUMERIC_MAX_DIGITS or len(raw) != 8 + 2 * ndigits:
        raise InvalidBinaryRepresentation('invalid length in external "numeric" value')
    if sign not in (_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN, _NUMERIC_PINF, _NUMERIC_NINF):
        raise InvalidBinaryRepresentation('invalid sign in external "numeric" value')
    if dscale & _NUMERIC_DSCALE_MASK != dscale:
        raise InvalidBinaryRepresentation('invalid scale in external "numeric" value')
    if sign == _NUMERIC_NAN:
        return Decimal("NaN")
    if sign in (_NUMERIC_PINF, _NUMERIC_NINF):
        return Decimal("-Infinity" if sign == _NUMERIC_NINF else "Infinity")
    digits = struct.unpack_from(f"!{ndigits}h", raw, 8)
    if any(not 0 <= digit <= 9999 for digit in digits):
        raise InvalidBinaryRepresentation('invalid digit in external "numeric" value')
    coefficient = "".join(f"{digit:04d}" for digit in digits) or "0"
    exponent = 4 * (weight - ndigits + 1)
    value = Decimal((1 if sign == _NUMERIC_NEG else 0, tuple(int(c) for c in coefficient), exponent))
    # dscale digits after the point, truncating any the sender hid (as numeric_recv does).
    with localcontext() as context:
        context.prec = len(coefficient) + max(exponent, 0) + dscale + 2
        context.Emax = max(context.Emax, context.prec + abs(exponent))
        context.Emin = min(context.Emin, -(context.prec + abs(exponent)))
        return value.quantize(Decimal(1).scaleb(-dscale), rounding=ROUND_DOWN)


def _binary_array(raw: bytes, oid: int) -> list[Any]:
    """A one-dimensional array in binary format: header, then length-prefixed elements."""
    expected = ELEMENT_OF_ARRAY[oid]
    name = f"{type_name(expected)}[]"
    if len(raw) < 12:
        raise _bad_binary(name)
    dims, flags, element = struct.unpack_from("!iiI", raw, 0)
    if dims < 0:
        raise InvalidBinaryRepresentation(f"invalid number of dimensions: {dims}")
    if dims > _MAX_ARRAY_DIMENSIONS:
        raise InvalidBinaryRepresentation(f"number of array dimensions ({dims}) exceeds the maximum allowed (6)")
    if flags not in (0, 1):
        raise InvalidBinaryRepresentation("invalid array flags")
    if element != expected:
        raise DatatypeMismatch(
            f"binary data has array element type {element} ({type_name(element)}) "
            f"instead of expected {expected} ({type_name(expected)})"
        )
    if dims == 0:
        if len(raw) != 12:
            raise _bad_binary(name)
        return []
    if dims != 1:
        raise InvalidBinaryRepresentation("only one-dimensional array parameters are supported")
    if len(raw) < 20:
        raise _bad_binary(name)
    count, _lower = struct.unpack_from("!ii", raw, 12)
    if count < 0:
        raise _bad_binary(name, "A negative number of elements.")
    pos = 20
    items: list[Any] = []
    for _ in range(count):
        if pos + 4 > len(raw):
            raise _bad_binary(name, "Fewer elements than announced.")
        (length,) = struct.unpack_from("!i", raw, pos)
        pos += 4
        if length == -1:
            items.append(None)
            continue
        if length < 0 or pos + length > len(raw):
            raise _bad_binary(name, "An element runs past the end of the value.")
        items.append(_decode_scalar_binary(raw[pos : pos + length], expected))
        pos += length
    if pos != len(raw):
        raise _bad_binary(name, "Bytes after the last element.")
    return items


def _decode_scalar_binary(raw: bytes, oid: int) -> Any:
    name = type_name(oid)
    if name == "int2":
        return _unpack("!h", raw, name)[0]
    if name == "int4":
        return _unpack("!i", raw, name)[0]
    if name == "int8":
        return _unpack("!q", raw, name)[0]
    if name == "oid":
        return _unpack("!I", raw, name)[0]
    if name == "float4":
        return _unpack("!f", raw, name)[0]
    if name == "float8":
        return _unpack("!d", raw, name)[0]
    if name == "bool":
        return _unpack("!B", raw, name)[0] != 0
    if name == "date":
        return _binary_date(raw)
    if name in ("timestamp", "timestamptz"):
        return _binary_timestamp(raw, name)
    if name == "time":
        return _binary_time(raw)
    if name == "interval":
        return _binary_interval(raw)
    if name == "numeric":
        return _binary_numeric(raw)
    if name == "bytea":
        return bytes(raw)
    if name in TEXT_TYPES:
        return utf8(raw)
    if name == "jsonb":
        if not raw or raw[0] != 1:
            raise _bad_binary(name, "Only jsonb version 1 is known.")
        return utf8(raw[1:])
    if name == "uuid":
        if len(raw) != 16:
            raise _bad_binary(name, f"Expected 16 bytes, got {len(raw)}.")
        return str(uuid.UUID(bytes=bytes(raw)))
    raise InvalidBinaryRepresentation(
        f"binary parameters of type {name} are not supported", hint="Send this parameter in text format."
    )


def decode_binary(raw: bytes, oid: int) -> Any:
    try:
        if oid in ELEMENT_OF_ARRAY:
            return _binary_array(raw, oid)
        return _decode_scalar_binary(raw, oid)
    except (struct.error, ValueError, ArithmeticError):  # defence in depth: every case is checked above
        raise _bad_binary(type_name(ELEMENT_OF_ARRAY.get(oid, oid))) from None


def decode(raw: bytes | None, oid: int, binary: bool) -> Any:
    if raw is None:
        return None
    return decode_binary(raw, oid) if binary else decode_text(raw, oid)

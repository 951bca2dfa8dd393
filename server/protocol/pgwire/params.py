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
import re
import struct
import uuid
from decimal import ROUND_DOWN, Decimal, InvalidOperation, localcontext
from typing import Any

from server.errors import (
    CharacterNotInRepertoire,
    DatatypeMismatch,
    DatetimeFieldOverflow,
    InvalidBinaryRepresentation,
    InvalidTextRepresentation,
    NumericValueOutOfRange,
)
from server.sql.pg_types import BY_OID, ELEMENT_OF_ARRAY

PG_EPOCH = dt.datetime(2000, 1, 1)
PG_EPOCH_DATE = dt.date(2000, 1, 1)

_TRUE = {"t", "true", "y", "yes", "on", "1"}
_FALSE = {"f", "false", "n", "no", "off", "0"}
_TEXT_TYPES = frozenset({"text", "varchar", "name", "bpchar", "json", "unknown", "char", "xml"})

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


def _type_name(oid: int) -> str:
    found = BY_OID.get(oid)
    return found.name if found else "text"


def _out_of_range(name: str) -> DatetimeFieldOverflow:
    return DatetimeFieldOverflow(
        f"{name} out of range",
        hint="Quiver accepts dates and times between the years 1 and 9999 as parameters; infinity is not supported.",
    )


def _bad_binary(name: str, detail: str | None = None) -> InvalidBinaryRepresentation:
    return InvalidBinaryRepresentation(f"incorrect binary data format in bound parameter of type {name}", detail=detail)


_DATETIME = re.compile(
    r"^\s*(\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r"\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text.upper() == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2] if len(digits) > 2 else digits), int(digits[2:] or 0) if len(digits) > 2 else 0
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str, with_zone: bool) -> dt.datetime:
    """PostgreSQL date/time input: ``2024-01-15``, ``2024-01-15 10:00:00.5``, with an optional zone (``+00``).

    A zone on a timestamp without time zone is ignored, as PostgreSQL ignores it.
    Raises ValueError for text that is not a date/time, :class:`DatetimeFieldOverflow`
    for one whose fields are out of range (month 13, year 10000).
    """
    match = _DATETIME.match(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0").ljust(6, "0"))
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micros)
        if with_zone:
            return value.replace(tzinfo=_zone(zone) or dt.UTC)
    except (ValueError, OverflowError):
        raise DatetimeFieldOverflow(f'date/time field value out of range: "{text}"') from None
    return value


def parse_array(text: str) -> list[str | None]:
    """The elements of a one-dimensional PostgreSQL array literal ``{a,"b c",NULL}`` as text."""
    body = text.strip()
    if body.startswith("[") and "=" in body:
        body = body[body.index("=") + 1 :]
    if not (body.startswith("{") and body.endswith("}")):
        raise ValueError(text)
    body = body[1:-1]
    items: list[str | None] = []
    i, n = 0, len(body)
    while i < n:
        if body[i] == '"':
            i += 1
            chars = []
            while i < n and body[i] != '"':
                if body[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(body[i])
                i += 1
            items.append("".join(chars))
            i += 1
        else:
            end = body.find(",", i)
            end = n if end < 0 else end
            token = body[i:end].strip()
            items.append(None if token.upper() == "NULL" else token)
            i = end
        while i < n and body[i] in " ,":
            i += 1
    return items


def _utf8(raw: bytes) -> str:
    """Text as PostgreSQL stores it: valid UTF-8 without NUL bytes (22021 otherwise)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = raw[error.start : error.start + 1].hex()
        raise CharacterNotInRepertoire(f'invalid byte sequence for encoding "UTF8": 0x{bad}') from None
    if "\x00" in text:
        raise CharacterNotInRepertoire('invalid byte sequence for encoding "UTF8": 0x00')
    return text


# What each integer parameter type holds; a text value outside it is 22003, as in PostgreSQL.
_INTEGER_RANGES = {
    "int2": (-(2**15), 2**15 - 1),
    "int4": (-(2**31), 2**31 - 1),
    "int8": (-(2**63), 2**63 - 1),
    "oid": (0, 2**32 - 1),
}
_INTEGER_SQL_NAMES = {"int2": "smallint", "int4": "integer", "int8": "bigint", "oid": "oid"}


def decode_text(raw: bytes, oid: int) -> Any:
    text = _utf8(raw)
    if oid in ELEMENT_OF_ARRAY:
        element = ELEMENT_OF_ARRAY[oid]
        try:
            return [None if item is None else decode_text(item.encode(), element) for item in parse_array(text)]
        except ValueError:
            raise InvalidTextRepresentation(f'malformed array literal: "{text}"') from None
    name = _type_name(oid)
    try:
        if name in ("int2", "int4", "int8", "oid"):
            value = int(text.strip())
            low, high = _INTEGER_RANGES[name]
            if not low <= value <= high:
                raise NumericValueOutOfRange(
                    f'value "{text.strip()}" is out of range for type {_INTEGER_SQL_NAMES[name]}'
                )
            return value
        if name in ("float4", "float8"):
            lowered = text.strip().lower()
            return float({"infinity": "inf", "-infinity": "-inf"}.get(lowered, lowered))
        if name == "numeric":
            return Decimal(text.strip())
        if name == "bool":
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(text)
        if name == "date":
            return parse_datetime(text, with_zone=False).date()
        if name in ("timestamp", "timestamptz"):
            return parse_datetime(text, with_zone=name == "timestamptz")
        if name == "time":
            return dt.time.fromisoformat(text.strip())
        if name == "bytea":
            return bytes.fromhex(text[2:]) if text.startswith("\\x") else text.encode("utf-8")
    except (ValueError, InvalidOperation):
        raise InvalidTextRepresentation(f'invalid input syntax for type {name}: "{text}"') from None
    return text


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
    name = f"{_type_name(expected)}[]"
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
            f"binary data has array element type {element} ({_type_name(element)}) "
            f"instead of expected {expected} ({_type_name(expected)})"
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
    pos, items = 20, []
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
    name = _type_name(oid)
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
    if name in _TEXT_TYPES:
        return _utf8(raw)
    if name == "jsonb":
        if not raw or raw[0] != 1:
            raise _bad_binary(name, "Only jsonb version 1 is known.")
        return _utf8(raw[1:])
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
        raise _bad_binary(_type_name(ELEMENT_OF_ARRAY.get(oid, oid))) from None


def decode(raw: bytes | None, oid: int, binary: bool) -> Any:
    if raw is None:
        return None
    return decode_binary(raw, oid) if binary else decode_text(raw, oid)

"""Decode Bind parameter values from PostgreSQL's text and binary formats into Python values."""

from __future__ import annotations

import datetime as dt
import re
import struct
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from server.errors import InvalidBinaryRepresentation, InvalidTextRepresentation
from server.sql.pg_types import BY_OID, ELEMENT_OF_ARRAY

PG_EPOCH = dt.datetime(2000, 1, 1)
PG_EPOCH_DATE = dt.date(2000, 1, 1)

_TRUE = {"t", "true", "y", "yes", "on", "1"}
_FALSE = {"f", "false", "n", "no", "off", "0"}


def _type_name(oid: int) -> str:
    found = BY_OID.get(oid)
    return found.name if found else "text"


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
    """
    match = _DATETIME.match(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0").ljust(6, "0"))
    value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micros)
    if with_zone:
        return value.replace(tzinfo=_zone(zone) or dt.UTC)
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


def decode_text(raw: bytes, oid: int) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidTextRepresentation('invalid byte sequence for encoding "UTF8"') from None
    name = _type_name(oid)
    try:
        if name in ("int2", "int4", "int8", "oid"):
            return int(text.strip())
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
    if oid in ELEMENT_OF_ARRAY:
        element = ELEMENT_OF_ARRAY[oid]
        try:
            return [None if item is None else decode_text(item.encode(), element) for item in parse_array(text)]
        except ValueError:
            raise InvalidTextRepresentation(f'malformed array literal: "{text}"') from None
    return text


def decode_binary(raw: bytes, oid: int) -> Any:
    name = _type_name(oid)
    try:
        if name == "int2":
            return struct.unpack("!h", raw)[0]
        if name == "int4":
            return struct.unpack("!i", raw)[0]
        if name == "int8":
            return struct.unpack("!q", raw)[0]
        if name == "oid":
            return struct.unpack("!I", raw)[0]
        if name == "float4":
            return struct.unpack("!f", raw)[0]
        if name == "float8":
            return struct.unpack("!d", raw)[0]
        if name == "bool":
            return raw != b"\x00"
        if name == "date":
            return PG_EPOCH_DATE + dt.timedelta(days=struct.unpack("!i", raw)[0])
        if name == "timestamp":
            return PG_EPOCH + dt.timedelta(microseconds=struct.unpack("!q", raw)[0])
        if name == "timestamptz":
            return (PG_EPOCH + dt.timedelta(microseconds=struct.unpack("!q", raw)[0])).replace(tzinfo=dt.UTC)
        if name == "time":
            micros = struct.unpack("!q", raw)[0]
            return (dt.datetime.min + dt.timedelta(microseconds=micros)).time()
        if name == "numeric":
            return _numeric(raw)
        if name == "bytea":
            return bytes(raw)
        if name in ("text", "varchar", "name", "bpchar", "json", "unknown", "char"):
            return raw.decode("utf-8")
        if name == "jsonb":
            return raw[1:].decode("utf-8")
        if name == "uuid":
            return str(uuid.UUID(bytes=raw))
        if oid in ELEMENT_OF_ARRAY:
            return _binary_array(raw)
    except (struct.error, UnicodeDecodeError, ValueError):
        raise InvalidBinaryRepresentation(f"incorrect binary data format in bound parameter of type {name}") from None
    raise InvalidBinaryRepresentation(f"binary parameters of type {name} are not supported")


def _binary_array(raw: bytes) -> list[Any]:
    """A one-dimensional array in binary format: header, then length-prefixed elements."""
    dims, _has_null, element = struct.unpack_from("!iiI", raw, 0)
    if dims == 0:
        return []
    if dims != 1:
        raise InvalidBinaryRepresentation("only one-dimensional array parameters are supported")
    count, _lower = struct.unpack_from("!ii", raw, 12)
    pos, items = 20, []
    for _ in range(count):
        (length,) = struct.unpack_from("!i", raw, pos)
        pos += 4
        if length < 0:
            items.append(None)
        else:
            items.append(decode_binary(raw[pos : pos + length], element))
            pos += length
    return items


def _numeric(raw: bytes) -> Decimal:
    ndigits, weight, sign, dscale = struct.unpack_from("!hhHh", raw, 0)
    if sign == 0xC000:
        return Decimal("NaN")
    digits = struct.unpack_from(f"!{ndigits}h", raw, 8)
    value = Decimal(0)
    for index, digit in enumerate(digits):
        value += Decimal(digit) * (Decimal(10000) ** (weight - index))
    value = value.quantize(Decimal(1).scaleb(-dscale)) if dscale else value.to_integral_value()
    return -value if sign == 0x4000 else value


def decode(raw: bytes | None, oid: int, binary: bool) -> Any:
    if raw is None:
        return None
    return decode_binary(raw, oid) if binary else decode_text(raw, oid)

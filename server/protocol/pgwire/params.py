"""Decode Bind parameter values from PostgreSQL's text and binary formats into Python values."""

from __future__ import annotations

import datetime as dt
import struct
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
            return dt.date.fromisoformat(text.strip())
        if name in ("timestamp", "timestamptz"):
            return dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
        if name == "time":
            return dt.time.fromisoformat(text.strip())
        if name == "bytea":
            return bytes.fromhex(text[2:]) if text.startswith("\\x") else text.encode("utf-8")
    except (ValueError, InvalidOperation):
        raise InvalidTextRepresentation(f'invalid input syntax for type {name}: "{text}"') from None
    if oid in ELEMENT_OF_ARRAY:
        return text
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
            import uuid

            return str(uuid.UUID(bytes=raw))
    except (struct.error, UnicodeDecodeError, ValueError):
        raise InvalidBinaryRepresentation(f"incorrect binary data format in bound parameter of type {name}") from None
    raise InvalidBinaryRepresentation(f"binary parameters of type {name} are not supported")


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

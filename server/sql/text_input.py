"""PostgreSQL's text input of values: what ``'2024-01-15'::date`` or a text-format parameter becomes.

One decoder for every channel: the wire's text-format Bind values, and values a
channel received as text for a parameter typed otherwise (a Flight SQL client
binding ``'abc'`` where an integer is expected), so the same input fails the
same way (22P02 ``invalid input syntax for type int8: "abc"``) wherever it arrives.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from server.errors import (
    CharacterNotInRepertoire,
    DatetimeFieldOverflow,
    InvalidTextRepresentation,
    NumericValueOutOfRange,
)
from server.sql.pg_types import BY_OID, ELEMENT_OF_ARRAY

_TRUE = {"t", "true", "y", "yes", "on", "1"}
_FALSE = {"f", "false", "n", "no", "off", "0"}
TEXT_TYPES = frozenset({"text", "varchar", "name", "bpchar", "json", "unknown", "char", "xml"})


def type_name(oid: int) -> str:
    """The PostgreSQL name of a type OID (text for one Quiver does not know)."""
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


def utf8(raw: bytes) -> str:
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
    text = utf8(raw)
    if oid in ELEMENT_OF_ARRAY:
        element = ELEMENT_OF_ARRAY[oid]
        try:
            return [None if item is None else decode_text(item.encode(), element) for item in parse_array(text)]
        except ValueError:
            raise InvalidTextRepresentation(f'malformed array literal: "{text}"') from None
    name = type_name(oid)
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


def from_text(value: str, oid: int) -> Any:
    """``value`` as a value of type ``oid``, read as PostgreSQL reads its text input."""
    return value if type_name(oid) in TEXT_TYPES else decode_text(value.encode("utf-8"), oid)

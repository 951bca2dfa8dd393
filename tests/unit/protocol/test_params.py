"""Bind parameters: every byte string decodes to a value or to PostgreSQL's typed error, never XX000.

A binary timestamp of eight 0x7f bytes used to raise OverflowError inside the
decoder, which the server answered with an internal error.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
from decimal import Decimal
from typing import Any

import pytest

from server.errors import QuiverError, SqlState
from server.protocol.pgwire.params import decode
from server.sql.params import literal
from server.sql.pg_types import BY_NAME, BY_OID, ELEMENT_OF_ARRAY

OID = {name: t.oid for name, t in BY_NAME.items()}
ARRAY_OF = {element: array for array, element in ELEMENT_OF_ARRAY.items()}


def binary_error(raw: bytes, type_name: str) -> QuiverError:
    with pytest.raises(QuiverError) as raised:
        decode(raw, OID[type_name], binary=True)
    return raised.value


def pg_numeric(value: Decimal) -> bytes:
    """PostgreSQL's binary numeric: base-10000 digits aligned on the decimal point."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    scale = max(0, -exponent)
    integer = text[: max(0, len(text) - scale)] if exponent < 0 else text + "0" * exponent
    fraction = text[-scale:].zfill(scale) if scale else ""
    integer = integer.lstrip("0")
    integer = integer.zfill((len(integer) + 3) // 4 * 4) if integer else ""
    fraction = fraction.ljust((len(fraction) + 3) // 4 * 4, "0")
    groups = [int(integer[i : i + 4]) for i in range(0, len(integer), 4)]
    groups += [int(fraction[i : i + 4]) for i in range(0, len(fraction), 4)]
    weight = len(integer) // 4 - 1
    return struct.pack(f"!hhHH{len(groups)}h", len(groups), weight, 0x4000 if sign else 0, scale, *groups)


def pg_array(element_oid: int, items: list[bytes | None]) -> bytes:
    body = b"".join(struct.pack("!i", -1) if i is None else struct.pack("!i", len(i)) + i for i in items)
    return struct.pack("!iiIii", 1, int(None in items), element_oid, len(items), 1) + body


# -- the reported case and its relatives ---------------------------------------------------------


@pytest.mark.parametrize("type_name, size", [("timestamp", 8), ("timestamptz", 8), ("date", 4), ("time", 8)])
def test_all_7f_bytes_is_out_of_range_not_an_internal_error(type_name: str, size: int) -> None:
    error = binary_error(b"\x7f" * size, type_name)
    assert error.sqlstate == SqlState.DATETIME_FIELD_OVERFLOW == "22008"
    assert error.message == f"{'timestamp' if type_name.startswith('timestamp') else type_name} out of range"


@pytest.mark.parametrize(
    "raw, type_name",
    [
        (struct.pack("!q", 2**63 - 1), "timestamp"),  # PostgreSQL's infinity
        (struct.pack("!q", -(2**63)), "timestamptz"),  # -infinity
        (struct.pack("!i", 2**31 - 1), "date"),  # infinity
        (struct.pack("!q", 86_400_000_000), "time"),  # 24:00:00
        (struct.pack("!q", -1), "time"),
    ],
)
def test_values_python_cannot_hold_are_22008(raw: bytes, type_name: str) -> None:
    assert binary_error(raw, type_name).sqlstate == SqlState.DATETIME_FIELD_OVERFLOW


def test_all_7f_numeric_and_interval() -> None:
    assert binary_error(b"\x7f" * 16, "numeric").sqlstate == SqlState.INVALID_BINARY_REPRESENTATION
    assert binary_error(b"\x7f" * 8, "interval").sqlstate == SqlState.INVALID_BINARY_REPRESENTATION
    # Sixteen bytes are a valid interval for PostgreSQL: passed on as interval text.
    assert decode(b"\x7f" * 16, OID["interval"], binary=True) == (
        "2139062143 months 2139062143 days 9187201950435737471 microseconds"
    )


def test_the_edges_python_can_hold_decode() -> None:
    first = (dt.datetime.min - dt.datetime(2000, 1, 1)) // dt.timedelta(microseconds=1)
    last = (dt.datetime.max - dt.datetime(2000, 1, 1)) // dt.timedelta(microseconds=1)
    assert decode(struct.pack("!q", first), OID["timestamp"], True) == dt.datetime.min
    assert decode(struct.pack("!q", last), OID["timestamptz"], True) == dt.datetime.max.replace(tzinfo=dt.UTC)
    assert decode(struct.pack("!i", -730119), OID["date"], True) == dt.date(1, 1, 1)
    assert decode(struct.pack("!q", 86_399_999_999), OID["time"], True) == dt.time(23, 59, 59, 999999)


# -- values decode exactly -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        ("0", "0"),
        ("-1", "-1"),
        ("15000.00", "15000.00"),
        ("0.0001", "0.0001"),
        ("-0.000123", "-0.000123"),
        ("12345678901234567890123456789.123456789", "12345678901234567890123456789.123456789"),
        ("1E+20", "100000000000000000000"),
        ("10000", "10000"),
    ],
)
def test_numeric_is_exact_at_any_precision(value: str, shown: str) -> None:
    """More than 28 digits used to be rounded by Python's default decimal context."""
    decoded = decode(pg_numeric(Decimal(value)), OID["numeric"], binary=True)
    assert format(decoded, "f") == shown
    assert literal(decoded).sql("duckdb") == shown


def test_numeric_special_values_and_their_literals() -> None:
    nan = decode(struct.pack("!hhHH", 0, 0, 0xC000, 0), OID["numeric"], True)
    infinity = decode(struct.pack("!hhHH", 0, 0, 0xD000, 0), OID["numeric"], True)
    assert nan.is_nan() and infinity == Decimal("Infinity")
    assert literal(nan).sql("duckdb") == "CAST('NaN' AS DOUBLE)"
    assert literal(infinity).sql("duckdb") == "CAST('Infinity' AS DOUBLE)"


@pytest.mark.parametrize(
    "raw, message",
    [
        (struct.pack("!hhHH", -1, 0, 0, 0), 'invalid length in external "numeric" value'),
        (struct.pack("!hhHHh", 1, 0, 0x1234, 0, 1), 'invalid sign in external "numeric" value'),
        (struct.pack("!hhHHh", 1, 0, 0, 0x4000, 1), 'invalid scale in external "numeric" value'),
        (struct.pack("!hhHHh", 1, 0, 0, 0, 10000), 'invalid digit in external "numeric" value'),
        (struct.pack("!hhHH", 2, 0, 0, 0) + b"\x00\x01", 'invalid length in external "numeric" value'),
    ],
)
def test_malformed_numerics_are_22p03_with_postgresql_messages(raw: bytes, message: str) -> None:
    error = binary_error(raw, "numeric")
    assert (error.sqlstate, error.message) == (SqlState.INVALID_BINARY_REPRESENTATION, message)


def test_a_hidden_digit_beyond_dscale_is_truncated_as_postgresql_does() -> None:
    raw = struct.pack("!hhHHhh", 2, 0, 0, 2, 1, 5678)  # 1.5678 sent with dscale 2
    assert decode(raw, OID["numeric"], True) == Decimal("1.56")


def test_binary_arrays_decode_their_elements() -> None:
    """An int8[] used to be read as UTF-8 text: array OIDs are not in the base type table."""
    raw = pg_array(OID["int8"], [struct.pack("!q", 1), None, struct.pack("!q", -3)])
    assert decode(raw, ARRAY_OF[OID["int8"]], True) == [1, None, -3]
    texts = pg_array(OID["text"], [b"a", "é".encode()])
    assert decode(texts, ARRAY_OF[OID["text"]], True) == ["a", "é"]
    assert decode(struct.pack("!iiI", 0, 0, OID["int4"]), ARRAY_OF[OID["int4"]], True) == []


@pytest.mark.parametrize(
    "raw, sqlstate",
    [
        (pg_array(OID["int4"], [struct.pack("!i", 1)]), SqlState.DATATYPE_MISMATCH),  # int4 elements for int8[]
        (pg_array(OID["int8"], [struct.pack("!q", 1)])[:-2], SqlState.INVALID_BINARY_REPRESENTATION),
        (pg_array(OID["int8"], [struct.pack("!q", 1)]) + b"\x00", SqlState.INVALID_BINARY_REPRESENTATION),
        (struct.pack("!iiIii", 1, 0, OID["int8"], 2**31 - 1, 1), SqlState.INVALID_BINARY_REPRESENTATION),
        (struct.pack("!iiI", -1, 0, OID["int8"]), SqlState.INVALID_BINARY_REPRESENTATION),
        (struct.pack("!iiI", 1, 7, OID["int8"]), SqlState.INVALID_BINARY_REPRESENTATION),
    ],
)
def test_malformed_arrays(raw: bytes, sqlstate: SqlState) -> None:
    with pytest.raises(QuiverError) as raised:
        decode(raw, ARRAY_OF[OID["int8"]], True)
    assert raised.value.sqlstate == sqlstate


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("raw", [b"\xff\xfe", b"a\x00b"])
def test_text_must_be_utf8_without_nul(raw: bytes, binary: bool) -> None:
    with pytest.raises(QuiverError) as raised:
        decode(raw, OID["text"], binary)
    assert raised.value.sqlstate == SqlState.CHARACTER_NOT_IN_REPERTOIRE == "22021"


@pytest.mark.parametrize(
    "text, sqlstate",
    [("2024-13-01", SqlState.DATETIME_FIELD_OVERFLOW), ("10000-01-01", SqlState.DATETIME_FIELD_OVERFLOW)],
)
def test_text_dates_with_fields_out_of_range_are_22008(text: str, sqlstate: SqlState) -> None:
    with pytest.raises(QuiverError) as raised:
        decode(text.encode(), OID["timestamp"], binary=False)
    assert raised.value.sqlstate == sqlstate
    assert raised.value.message == f'date/time field value out of range: "{text}"'


# -- fuzz: every decoder, random and edge bytes ----------------------------------------------------

EXPECTED_FAILURES = {
    SqlState.INVALID_BINARY_REPRESENTATION,
    SqlState.INVALID_TEXT_REPRESENTATION,
    SqlState.DATETIME_FIELD_OVERFLOW,
    SqlState.CHARACTER_NOT_IN_REPERTOIRE,
    SqlState.DATATYPE_MISMATCH,
    SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
}
EVERY_OID = sorted(set(BY_OID) | set(ELEMENT_OF_ARRAY))


def samples(rng: random.Random, oid: int) -> list[bytes]:
    """Edge byte patterns at the lengths decoders care about, random bytes, and mutated valid arrays."""
    found: list[bytes] = []
    for length in (0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 20, 24):
        found += [bytes([b]) * length for b in (0x00, 0x7F, 0x80, 0xFF)]
    found += [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))) for _ in range(150)]
    element = ELEMENT_OF_ARRAY.get(oid)
    if element is not None:
        valid = pg_array(element, [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 16))) for _ in range(3)])
        for _ in range(60):
            mutated = bytearray(valid)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.getrandbits(8)
            found.append(bytes(mutated))
    return found


def check_outcome(raw: bytes, oid: int, binary: bool) -> Any:
    try:
        value = decode(raw, oid, binary)
    except QuiverError as error:
        assert error.sqlstate in EXPECTED_FAILURES, (oid, binary, raw.hex(), error.sqlstate, error.message)
        return None
    # Whatever decodes must also bind: the value becomes a literal node in the statement.
    try:
        literal(value).sql("duckdb")
    except QuiverError as error:
        assert error.sqlstate in EXPECTED_FAILURES | {SqlState.INVALID_PARAMETER_VALUE}, (oid, raw.hex())
    return value


@pytest.mark.parametrize("oid", EVERY_OID, ids=lambda oid: BY_OID[oid].name if oid in BY_OID else f"array{oid}")
def test_fuzz_binary_decoders(oid: int) -> None:
    rng = random.Random(oid)
    for raw in samples(rng, oid):
        check_outcome(raw, oid, binary=True)


@pytest.mark.parametrize("oid", EVERY_OID, ids=lambda oid: BY_OID[oid].name if oid in BY_OID else f"array{oid}")
def test_fuzz_text_decoders(oid: int) -> None:
    rng = random.Random(-oid)
    alphabet = b'0123456789-:. T+eE{}",NULLnaifty\\\xc3\xa9\xff\x00'
    for raw in samples(rng, oid) + [bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(200)]:
        check_outcome(raw, oid, binary=False)


@pytest.mark.parametrize(
    ("text", "oid", "type_name"),
    [
        ("99999999999", 23, "integer"),
        ("40000", 21, "smallint"),
        ("-1", 26, "oid"),
        ("9223372036854775808", 20, "bigint"),
    ],
)
def test_text_integers_outside_their_type_are_22003(text: str, oid: int, type_name: str) -> None:
    """``99999999999`` for an int4 parameter was accepted and bound as a bigint."""
    with pytest.raises(QuiverError) as caught:
        decode(text.encode(), oid, binary=False)
    assert caught.value.sqlstate.value == "22003"
    assert caught.value.message == f'value "{text}" is out of range for type {type_name}'
    assert decode(b"2147483647", 23, binary=False) == 2**31 - 1

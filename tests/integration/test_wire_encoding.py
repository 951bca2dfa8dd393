"""Quiver's value encodings compared byte for byte with a real PostgreSQL's, in text and binary.

Each case is a PostgreSQL expression and the Arrow array Quiver would receive for it
from the engine; PostgreSQL's raw wire bytes (via libpq, without any client
decoding) must equal what Quiver's encoders produce.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pyarrow as pa
import pytest

from server.protocol.pgwire.types import TextContext, binary_column, text_column
from server.sql.pg_types import wire_type
from tests.conftest import require
from tests.support.postgres import PostgresServer, find_bin, running_postgres

pytestmark = pytest.mark.integration

DECIMALS = ["0.04", "0.40", "0.00", "-0.05", "123.45", "10000.00", "-99999999999.99", "0.01", "1.00", "100.10"]
FLOATS = [
    0.1,
    1e20,
    1e15,
    1e14,
    0.0001,
    0.00001,
    1.5e-7,
    123456789012.0,
    -2.5e16,
    1.0,
    12.5,
    float("inf"),
    float("-inf"),
    float("nan"),
]
TIMESTAMPS = [
    dt.datetime(2024, 1, 31, 12, 34, 56),
    dt.datetime(2024, 1, 31, 12, 34, 50, 500000),
    dt.datetime(1999, 12, 31, 23, 59, 59, 999999),
    dt.datetime(2000, 1, 1),
]

CASES: list[tuple[str, str, pa.Array]] = [
    ("numeric", "CAST(v AS numeric(15,2))", pa.array([Decimal(v) for v in DECIMALS], pa.decimal128(15, 2))),
    (
        "numeric_scale_4",
        "CAST(v AS numeric(18,4))",
        pa.array([Decimal("0.0001"), Decimal("-12.3456"), Decimal("100000.0000")], pa.decimal128(18, 4)),
    ),
    ("float8", "CAST(v AS float8)", pa.array(FLOATS, pa.float64())),
    ("int8", "CAST(v AS int8)", pa.array([0, -1, 2**62, None], pa.int64())),
    ("int4", "CAST(v AS int4)", pa.array([7, -(2**31)], pa.int32())),
    ("bool", "CAST(v AS bool)", pa.array([True, False, None])),
    ("text", "CAST(v AS text)", pa.array(["a", "", "é ☃", None])),
    ("date", "CAST(v AS date)", pa.array([dt.date(2024, 2, 29), dt.date(1970, 1, 1), dt.date(2000, 1, 1)])),
    ("timestamp", "CAST(v AS timestamp)", pa.array(TIMESTAMPS, pa.timestamp("us"))),
    ("time", "CAST(v AS time)", pa.array([dt.time(1, 2, 3), dt.time(23, 59, 59, 5000)], pa.time64("us"))),
    ("bytea", "CAST(v AS bytea)", pa.array([b"\x00\xff", b"", b"ab"])),
]


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        if math.isnan(value):
            return "'NaN'"
        if math.isinf(value):
            return "'Infinity'" if value > 0 else "'-Infinity'"
        return f"'{value!r}'"
    if isinstance(value, bytes):
        return "'\\x" + value.hex() + "'"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return f"'{value.isoformat()}'"
    return f"'{value}'"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as server:
        yield server


def postgres_bytes(server: PostgresServer, expression: str, values: list[object], binary: bool) -> list[bytes | None]:
    """Raw column bytes PostgreSQL sends for ``expression`` over each value (no client decoding)."""
    rows = " UNION ALL ".join(f"SELECT {i} AS i, {_literal(v)} AS v" for i, v in enumerate(values))
    sql = f"SELECT {expression} FROM ({rows}) AS t ORDER BY i"
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        result = conn.pgconn.exec_params(sql.encode(), [], result_format=1 if binary else 0)
        assert result.error_message == b"", result.error_message
        return [result.get_value(r, 0) for r in range(result.ntuples)]


@pytest.mark.parametrize(("name", "expression", "array"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_encoding_matches_postgresql(
    postgres: PostgresServer, name: str, expression: str, array: pa.Array, binary: bool
) -> None:
    expected = postgres_bytes(postgres, expression, array.to_pylist(), binary)
    if binary:
        got = binary_column(array, wire_type(array.type)).to_pylist()
    else:
        got = [None if v is None else v.encode() for v in text_column(array, TextContext()).to_pylist()]
    assert got == [None if v is None else bytes(v) for v in expected]

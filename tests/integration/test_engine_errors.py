"""Engine failures reach every client as PostgreSQL reports them: the SQLSTATE, never DuckDB's text.

Each family of engine error is provoked on each route a statement can take (a catalog
or scalar statement, a semantic query over the demo product, a temporary table, EXPLAIN
ANALYZE) and read over the PostgreSQL wire (psycopg) and Flight SQL (ADBC). The client
must see the SQLSTATE PostgreSQL uses for the family and none of the engine's phrasing;
the engine's own text is in the server log under a request id. Plain-SQL statements are
also run on the test PostgreSQL, whose SQLSTATE must be the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.integration.conftest import DEMO_PASSWORDS, QuiverServer, start_server, stop_server
from tests.support.postgres import find_bin, running_postgres

try:
    import adbc_driver_flightsql.dbapi as flightsql
    import psycopg
except ImportError:  # pragma: no cover - QUIVER_STRICT makes this a failure
    flightsql = None

pytestmark = pytest.mark.integration

# What no client may see: DuckDB's class prefixes, its echoed SQL, candidate lists, type names, paths.
LEAK = re.compile(
    r"Error:|\bLINE \d|Candidate|duckdb|DuckDB|INT32|INT64|INT16|VARCHAR|INTEGER_LITERAL|STRING_LITERAL|"
    r"/tmp/|\.duckdb|source column|sum\(\(",
)


@dataclass(frozen=True)
class Case:
    name: str
    sql: str
    sqlstate: str
    plain: bool = False  # plain SQL the test PostgreSQL runs as well (same SQLSTATE expected)
    setup: tuple[str, ...] = ()
    flight: bool = True

    def param(self) -> Any:
        return pytest.param(self, id=self.name)


TEMP = ("CREATE TEMPORARY TABLE scratch_t AS SELECT 1 AS a, 'web' AS s",)
CASES = [
    # scalar and catalog statements: the client's own SQL
    Case("conversion_literal", "SELECT CAST('abc' AS INTEGER)", "22P02", plain=True),
    Case("conversion_bool", "SELECT 'maybe'::boolean", "22P02", plain=True),
    Case("out_of_range_add", "SELECT 2147483647::int + 1", "22003", plain=True),
    Case("out_of_range_cast", "SELECT 100000000000::int", "22003", plain=True),
    Case("out_of_range_smallint", "SELECT 10::int2 * 10000::int2", "22003", plain=True),
    Case("division_by_zero", "SELECT 1/0", "22012", plain=True),
    Case("numeric_division_by_zero", "SELECT 1.5/0", "22012", plain=True),
    Case("date_field_overflow", "SELECT '2024-13-45'::date", "22008", plain=True),
    Case("timestamp_format", "SELECT 'not a time'::timestamp", "22007", plain=True),
    Case("sqrt_negative", "SELECT sqrt(-1)", "2201F", plain=True),
    Case("log_zero", "SELECT ln(0)", "2201E", plain=True),
    Case("function_types", "SELECT upper(1)", "42883", plain=True),
    Case("undefined_function", "SELECT nosuchfn(1)", "42883", plain=True),
    Case("undefined_table", "SELECT * FROM nosuch_relation", "42P01", plain=True),
    Case("catalog_column", "SELECT relnosuch FROM pg_catalog.pg_class", "42703", plain=True),
    Case("syntax", "SELECT SELEC 1", "42601", plain=True),
    Case(
        "undefined_type",
        "SELECT 1::nosuchtype",
        "42704",
        plain=True,
    ),
    # semantic queries: SQL Quiver renders, with the client's types and values
    Case("semantic_cast_dimension", "SELECT CAST(channel AS INTEGER) FROM sales", "22P02"),
    Case("semantic_operator_types", "SELECT channel + 1 FROM sales", "42883"),
    Case("semantic_function_types", "SELECT upper(net_revenue) FROM sales", "42883"),
    Case("semantic_compare_types", "SELECT channel FROM sales WHERE channel > 5", "42883"),
    Case("semantic_measure_overflow", "SELECT CAST(MEASURE(net_revenue) AS SMALLINT) FROM sales", "22003"),
    Case("semantic_sqrt_negative", "SELECT sqrt(-1 * MEASURE(net_revenue)) FROM sales", "2201F"),
    Case("semantic_date_literal", "SELECT '2024-13-01'::date AS d, channel FROM sales", "22008"),
    # temporary tables: the client's SQL over its own rows (a wire session; Flight has no temporary tables)
    Case("temp_operator", "SELECT a + 'x' FROM scratch_t", "42725", setup=TEMP, flight=False),
    Case("temp_conversion", "SELECT CAST(s AS INTEGER) FROM scratch_t", "22P02", setup=TEMP, flight=False),
    Case("temp_column", "SELECT nosuch FROM scratch_t", "42703", setup=TEMP, flight=False),
    Case("temp_overflow", "SELECT a + 2147483647 FROM scratch_t", "22003", setup=TEMP, flight=False),
]


@dataclass(frozen=True)
class Seen:
    sqlstate: str
    text: str  # everything the client was told: message, detail, hint


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    require(flightsql is not None, "adbc_driver_flightsql and psycopg are needed")
    started = start_server(tmp_path_factory.mktemp("engine_errors"), demo_db, "--workers", "1")
    yield started
    stop_server(started)


@pytest.fixture(scope="module")
def postgres() -> Iterator[psycopg.Connection[Any]]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as pg, psycopg.connect(pg.dsn, autocommit=True) as conn:
        yield conn


def over_wire(dsn: str, case: Case) -> Seen:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in case.setup:
            conn.execute(statement)
        try:
            conn.execute(case.sql).fetchall()
        except psycopg.Error as error:
            diag = error.diag
            # (not str(error): libpq adds its own LINE marker from the position, as it does for PostgreSQL)
            parts = (diag.message_primary, diag.message_detail, diag.message_hint, diag.context)
            return Seen(str(diag.sqlstate), "\n".join(p for p in parts if p))
    raise AssertionError(f"{case.name}: the statement succeeded")


def over_flight(server: QuiverServer, case: Case) -> Seen:
    connection = flightsql.connect(
        server.flight_location, db_kwargs={"username": "admin", "password": DEMO_PASSWORDS["admin"]}, autocommit=True
    )
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(case.sql)
            cursor.fetchall()
        except flightsql.Error as error:
            details = dict(getattr(error, "details", None) or [])
            raw = details.get("x-arrow-status-message-bin") or details.get(b"x-arrow-status-message-bin") or b""
            message = raw.decode() if isinstance(raw, bytes) else str(raw)
            match = re.search(r"\(SQLSTATE ([0-9A-Z]{5})\)", message)
            assert match is not None, f"{case.name}: no SQLSTATE in {error!r}"
            return Seen(match.group(1), f"{message}\n{error}")
    finally:
        connection.close()
    raise AssertionError(f"{case.name}: the statement succeeded over Flight SQL")


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_wire_client_sees_postgres_sqlstate_and_no_engine_text(server: QuiverServer, case: Case) -> None:
    seen = over_wire(server.dsn(), case)
    assert seen.sqlstate == case.sqlstate, seen.text
    assert not LEAK.search(seen.text), seen.text


@pytest.mark.parametrize("case", [c.param() for c in CASES if c.flight])
def test_flight_client_sees_postgres_sqlstate_and_no_engine_text(server: QuiverServer, case: Case) -> None:
    seen = over_flight(server, case)
    assert seen.sqlstate == case.sqlstate, seen.text
    assert not LEAK.search(seen.text.replace("adbc", "")), seen.text


@pytest.mark.parametrize("case", [c.param() for c in CASES if c.plain])
def test_plain_sql_has_the_sqlstate_postgres_gives(
    server: QuiverServer, postgres: psycopg.Connection[Any], case: Case
) -> None:
    with pytest.raises(psycopg.Error) as raised:
        postgres.execute(case.sql)
    assert raised.value.sqlstate == case.sqlstate == over_wire(server.dsn(), case).sqlstate


def test_engine_text_goes_to_the_log_under_a_request_id(server: QuiverServer) -> None:
    over_wire(server.dsn(), CASES[0])
    assert re.search(r"engine error \(request [0-9a-f]{12}\): Conversion Error", server.log_text())

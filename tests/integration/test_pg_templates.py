"""to_char / to_date / to_timestamp templates: Quiver's text equals a real PostgreSQL's, over the wire.

The same ``SELECT to_char(TIMESTAMP '...', '<template>')`` goes to ``quiver serve``
and to a throwaway PostgreSQL (``tests.support.postgres``); a semantic query using
``to_char`` is compared with hand-written SQL over the raw tables.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import psycopg
import pytest

from tests.conftest import require
from tests.integration.clients import Endpoint
from tests.integration.conftest import QuiverServer
from tests.support.postgres import find_bin, running_postgres

pytestmark = pytest.mark.integration

TEMPLATES = (
    "YYYY-Mon", "FMDay", "Day", "DAY", "day", "Dy DY dy", "Month|", "FMMonth", "MONTH month Mon MON mon",
    "YYYY YYY YY Y", "IYYY-IW", "MM DD DDD D ID", "HH HH12 HH24 MI SS MS US", "AM PM am pm A.M. P.M.",
    "Q WW IW W", "J", "CC", "DDth DDTH FMDDth", "FMMM/FMDD/YYYY", '"Week" IW "of" IYYY', 'YYYY\\"MM',
    "HH12:MI:SS AM", "YYYY-MM-DD HH24:MI:SS.MS", "FMHH12 FMMI", "Dth", "MMth Qth", "IDDD", "SSSS",
    'YYYY-MM-DD"T"HH24:MI:SS', "Day, DD Month YYYY", "FMDay, FMDDth FMMonth YYYY", "YYYYMMDD", "yyyy-mm-dd",
    "IYYY-\"W\"IW-ID", "WW/W", "HH24MISS", "TZ|tz|OF|TZH:TZM", "YYYY-MM-DD HH24:MI:SSOF",
)  # fmt: skip
# Month and day names, week numbers around year ends, noon and midnight, fractions of seconds.
TIMESTAMPS = (
    "2023-01-01 00:00:00", "2023-12-31 12:00:00", "2024-12-30 23:59:59.123456", "2021-01-03 11:05:09.5",
    "2020-02-29 12:30:00.001", "2027-01-01 00:00:00", "2022-09-21 13:01:02", "2026-05-11 01:02:03",
)  # fmt: skip
PARSES = (
    ("2023-01-05", "YYYY-MM-DD"), ("20240105", "YYYYMMDD"), ("05/01/2024 13:45:10", "DD/MM/YYYY HH24:MI:SS"),
    ("2024-03-07 09:08:07.250", "YYYY-MM-DD HH24:MI:SS.MS"), ("07 Mar 2024", "DD Mon YYYY"),
    ("2024-11-02 11:15:00 PM", "YYYY-MM-DD HH12:MI:SS AM"), ("March 7, 2024", "Month DD, YYYY"),
)  # fmt: skip


@pytest.fixture(scope="module")
def postgres() -> Iterator[psycopg.Connection]:
    require(find_bin() is not None, "PostgreSQL server binaries (apt-get install postgresql)")
    with running_postgres() as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        yield conn


@pytest.fixture(scope="module")
def quiver(quiver_server: QuiverServer) -> Iterator[psycopg.Connection]:
    with psycopg.connect(Endpoint.quiver(quiver_server).dsn, connect_timeout=20, autocommit=True) as conn:
        yield conn


def _one(conn: psycopg.Connection, sql: str) -> object:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize("template", TEMPLATES)
def test_to_char_timestamp_equals_postgres(
    template: str, quiver: psycopg.Connection, postgres: psycopg.Connection
) -> None:
    literal = template.replace("'", "''")
    for ts in TIMESTAMPS:
        sql = f"SELECT to_char(TIMESTAMP '{ts}', '{literal}')"
        assert _one(quiver, sql) == _one(postgres, sql), (template, ts)


def test_to_char_date_and_output_name(quiver: psycopg.Connection, postgres: psycopg.Connection) -> None:
    sql = "SELECT to_char(DATE '2024-02-29', 'FMDay DDth Month YYYY HH24:MI')"
    cur = quiver.execute(sql)
    assert [d.name for d in cur.description or ()] == ["to_char"]
    assert cur.fetchall() == postgres.execute(sql).fetchall() == [("Thursday 29th February  2024 00:00",)]


@pytest.mark.parametrize(("text", "template"), PARSES)
def test_to_timestamp_and_to_date_equal_postgres(
    text: str, template: str, quiver: psycopg.Connection, postgres: psycopg.Connection
) -> None:
    for function in ("to_timestamp", "to_date"):
        sql = f"SELECT {function}('{text}', '{template}')"
        assert _one(quiver, sql) == _one(postgres, sql), (function, text, template)


def test_non_literal_template_and_unsupported_patterns_are_refused(quiver: psycopg.Connection) -> None:
    for sql in (
        "SELECT to_char(TIMESTAMP '2024-01-01', CAST('YYYY' AS TEXT) || 'MM')",
        "SELECT to_char(TIMESTAMP '2024-01-01', 'RM')",
        "SELECT to_timestamp('2024 12', 'YYYY IW')",
    ):
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            quiver.execute(sql)


def test_semantic_to_char_group_equals_raw_sql(quiver: psycopg.Connection, raw: duckdb.DuckDBPyConnection) -> None:
    got = quiver.execute(
        "SELECT to_char(order_ts, 'YYYY-Mon') AS m, order_count FROM orders GROUP BY 1 ORDER BY 1"
    ).fetchall()
    expected = raw.execute(
        "SELECT strftime(order_ts, '%Y-%b') AS m, COUNT(*) FROM raw.orders GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [(m, int(n)) for m, n in got] == [(m, int(n)) for m, n in expected]
    assert len(got) > 12 and all(
        len(m) == 8 and m[5:] in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
        for m, _ in got
    )


NUMBER_TEMPLATES = (
    "9,999.00", "FM9,999.00", "990.99", "0000", "999", "9999D99", "FM999G999G999D00", "999.99", "FM999.99",
    "FM9.99", "99", "FM00.0", "9G999", "999,999,999", "FM999,999,990.00", "9.9", "0.00", "FM0.09",
)  # fmt: skip
NUMBERS = ("1234.5", "-0.5", "12", "123456", "1234.567", "1234567.891", "0", "0.5", "-1234.5", "-7", "0.004", "99.995")


@pytest.mark.parametrize("template", NUMBER_TEMPLATES)
def test_to_char_number_equals_postgres(
    template: str, quiver: psycopg.Connection, postgres: psycopg.Connection
) -> None:
    for number in NUMBERS:
        sql = f"SELECT to_char({number}, '{template}')"
        assert _one(quiver, sql) == _one(postgres, sql), (template, number)


def test_other_number_patterns_are_refused(quiver: psycopg.Connection) -> None:
    for template in ("S999", "999PR", "L999", "999MI", "9.99EEEE", "99V9"):
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            quiver.execute(f"SELECT to_char(12.5, '{template}')")


def test_temporary_table_route(quiver_server: QuiverServer, postgres: psycopg.Connection) -> None:
    with psycopg.connect(Endpoint.quiver(quiver_server).dsn, connect_timeout=20, autocommit=True) as conn:
        conn.execute("CREATE TEMPORARY TABLE tc_times AS SELECT TIMESTAMP '2024-12-30 23:59:59.5' AS ts")
        got = conn.execute("SELECT to_char(ts, 'FMDay IYYY-IW Mon MS') FROM tc_times").fetchall()
    expected = postgres.execute("SELECT to_char(TIMESTAMP '2024-12-30 23:59:59.5', 'FMDay IYYY-IW Mon MS')").fetchall()
    assert got == expected == [("Monday 2025-01 Dec 500",)]

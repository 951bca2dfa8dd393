"""SQL text handling over the wire, with psycopg: limits (54001), parameters, strings, alias lists.

Each case was reproduced against ``quiver serve`` first: 3,000 nested parentheses
and 500 nested CASE were XX000 with ~685 KB of traceback in the log each; a
binary timestamp of 0x7f bytes was XX000; ``SELECT 'x IN (1,...,150)'`` came back
edited; ``standard_conforming_strings = off`` was accepted and ignored; ``AS c(a, b)``
over a relation was ignored. Where PostgreSQL itself is installed, the alias-list
answers and errors are compared with its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.adapt import Dumper
from psycopg.pq import Format

from tests.conftest import require
from tests.integration.clients import Endpoint
from tests.integration.conftest import QuiverServer
from tests.support.postgres import PostgresServer, find_bin, running_postgres

pytestmark = pytest.mark.integration


def connect(server: QuiverServer, user: str = "admin", **options: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(Endpoint.quiver(server, user).dsn, connect_timeout=20, autocommit=True, **options)


@pytest.fixture
def conn(quiver_server: QuiverServer) -> Iterator[psycopg.Connection[Any]]:
    with connect(quiver_server) as connection:
        yield connection


def still_works(conn: psycopg.Connection[Any]) -> None:
    assert conn.execute("SELECT 1 AS one").fetchall() == [(1,)]


# -- 54001: nesting and size -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT " + "(" * 3000 + "1" + ")" * 3000,
        "SELECT " + "CASE WHEN status = 'x' THEN " * 500 + "1" + " ELSE 0 END" * 500 + " AS v FROM orders",
        "SELECT 1 WHERE " + "NOT " * 3000 + "true",
        "SELECT " + "ARRAY[" * 30 + "1" + "]" * 30,
        "SELECT " + "(SELECT " * 25 + "1" + ")" * 25,
    ],
    ids=["3000 parentheses", "500 CASE", "3000 NOT", "30 ARRAY[", "25 scalar subqueries"],
)
def test_too_complex_is_54001_without_a_traceback(
    quiver_server: QuiverServer, conn: psycopg.Connection[Any], sql: str
) -> None:
    log_before = len(quiver_server.log_text())
    with pytest.raises(psycopg.errors.StatementTooComplex) as raised:
        conn.execute(sql)
    assert raised.value.sqlstate == "54001"
    assert raised.value.diag.message_primary == "statement is too complex"
    still_works(conn)
    logged = quiver_server.log_text()[log_before:]
    assert "Traceback" not in logged
    assert len(logged) < 5_000


def test_the_extended_protocol_gets_54001_at_parse(conn: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.StatementTooComplex):
        conn.execute("SELECT %s::int + " + "(" * 3000 + "1" + ")" * 3000, (1,), prepare=True)
    still_works(conn)


def test_a_statement_over_the_size_limit_is_54001(conn: psycopg.Connection[Any]) -> None:
    """QUIVER_MAX_QUERY_BYTES defaults to 4 MiB."""
    with pytest.raises(psycopg.errors.StatementTooComplex) as raised:
        conn.execute("SELECT '" + "x" * (4 * 1024 * 1024) + "' AS big")
    assert raised.value.diag.message_primary == "statement is too long"
    still_works(conn)


def test_what_bi_tools_send_still_runs(conn: psycopg.Connection[Any]) -> None:
    in_list = ", ".join(str(i) for i in range(1, 10_001))
    assert conn.execute(f"SELECT count(*) FROM orders WHERE order_id IN ({in_list})").fetchall() == [(10_000,)]
    cases = "CASE WHEN status = 'placed' THEN " * 50 + "1" + " ELSE 0 END" * 50
    placed = conn.execute("SELECT count(*) FROM orders WHERE status = 'placed'").fetchall()
    assert conn.execute(f"SELECT sum({cases}) AS placed FROM orders").fetchall() == placed
    filters = " AND ".join(f"(order_id <> {i} OR status = 'x')" for i in range(1, 101))
    assert conn.execute(f"SELECT count(*) FROM orders WHERE {filters}").fetchall() == [(19_900,)]


# -- binary parameters ------------------------------------------------------------------------------


class RawBytes:
    """Bytes sent as they are, in binary format, declared as the type of ``oid``."""

    def __init__(self, data: bytes) -> None:
        self.data = data


def raw_dumper(oid: int) -> type[Dumper]:
    class RawDumper(Dumper):
        format = Format.BINARY

        def dump(self, obj: RawBytes) -> bytes:
            return obj.data

    RawDumper.oid = oid
    return RawDumper


@pytest.mark.parametrize(
    "type_name, oid, data, sqlstate",
    [
        ("timestamp", 1114, b"\x7f" * 8, "22008"),
        ("timestamptz", 1184, b"\x7f" * 8, "22008"),
        ("date", 1082, b"\x7f" * 4, "22008"),
        ("numeric", 1700, b"\x7f" * 8, "22P03"),
        ("interval", 1186, b"\x7f" * 8, "22P03"),
    ],
)
def test_out_of_range_binary_parameters_get_their_sqlstate(
    conn: psycopg.Connection[Any], type_name: str, oid: int, data: bytes, sqlstate: str
) -> None:
    conn.adapters.register_dumper(RawBytes, raw_dumper(oid))
    with pytest.raises(psycopg.Error) as raised:
        conn.execute(f"SELECT %b::{type_name} AS v", (RawBytes(data),))
    assert raised.value.sqlstate == sqlstate
    still_works(conn)


# -- strings ------------------------------------------------------------------------------------------


def test_a_long_in_list_inside_a_string_comes_back_as_written(conn: psycopg.Connection[Any]) -> None:
    text = "x IN (" + ",".join(str(i) for i in range(1, 151)) + ")"
    assert conn.execute(f"SELECT '{text}' AS s").fetchall() == [(text,)]
    assert conn.execute("SELECT %s AS s", (text,)).fetchall() == [(text,)]


def test_standard_conforming_strings_off_is_refused_by_set(conn: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.FeatureNotSupported) as raised:
        conn.execute("SET standard_conforming_strings = off")
    assert raised.value.diag.message_primary == "standard_conforming_strings = off is not supported"
    assert conn.execute("SHOW standard_conforming_strings").fetchall() == [("on",)]
    conn.execute("SET standard_conforming_strings = on")
    # A backslash stays an ordinary character in '...', as in PostgreSQL with the setting on.
    assert conn.execute("SELECT 'a\\' AS s").fetchall() == [("a\\",)]


def test_standard_conforming_strings_off_is_refused_by_set_config(conn: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        conn.execute("SELECT set_config('standard_conforming_strings', 'off', false)")
    assert conn.execute("SELECT set_config('standard_conforming_strings', 'on', false)").fetchall() == [("on",)]


def test_standard_conforming_strings_off_is_refused_at_startup(quiver_server: QuiverServer) -> None:
    with pytest.raises(psycopg.OperationalError) as raised:
        connect(quiver_server, options="-c standard_conforming_strings=off")
    assert "standard_conforming_strings = off is not supported" in str(raised.value)
    with connect(quiver_server, options="-c standard_conforming_strings=on") as ok:
        still_works(ok)


# -- column alias lists ------------------------------------------------------------------------------


def test_alias_lists_over_relations(quiver_server: QuiverServer, conn: psycopg.Connection[Any]) -> None:
    cur = conn.execute("SELECT * FROM orders AS o(x, y) ORDER BY x LIMIT 1")
    names = [d.name for d in cur.description or ()]
    assert names[:3] == ["x", "y", "order_ts"]
    assert cur.fetchall() == conn.execute("SELECT * FROM orders ORDER BY order_id LIMIT 1").fetchall()
    with connect(quiver_server, "eu_analyst") as eu:
        visible = [d.name for d in eu.execute("SELECT * FROM orders LIMIT 0").description or ()]
        assert "gross_amount" not in visible
        aliases = ", ".join(f"c{i}" for i in range(1, len(visible) + 1))
        cur = eu.execute(f"SELECT * FROM orders AS o({aliases}) LIMIT 0")
        assert [d.name for d in cur.description or ()] == [f"c{i}" for i in range(1, len(visible) + 1)]
        with pytest.raises(psycopg.errors.InvalidColumnReference) as raised:
            eu.execute(f"SELECT * FROM orders AS o({aliases}, one_more)")
        assert raised.value.diag.message_primary == (
            f'table "o" has {len(visible)} columns available but {len(visible) + 1} columns specified'
        )


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as server:
        yield server


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM (SELECT 1, 2) AS c(a, b)",
        "SELECT * FROM (SELECT 1 AS p, 2 AS q) AS c(a)",
        "WITH t(a, b) AS (SELECT 1, 2) SELECT b, a FROM t",
        "SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS v(n, s) ORDER BY n",
        "SELECT * FROM (SELECT 1, 2) AS c(a, b, d)",
        "SELECT * FROM (VALUES (1, 2)) AS v(a, b, c)",
        "WITH t(a, b) AS (SELECT 1) SELECT * FROM t",
        "SELECT p FROM (SELECT 1 AS p, 2 AS q) AS c(a)",
        "SELECT q FROM (SELECT 1 AS p, 2 AS q) AS c(q)",
    ],
)
def test_alias_lists_answer_as_postgresql_does(
    conn: psycopg.Connection[Any], postgres: PostgresServer, sql: str
) -> None:
    def outcome(connection: psycopg.Connection[Any]) -> object:
        try:
            cur = connection.execute(sql)
            return [d.name for d in cur.description or ()], cur.fetchall()
        except psycopg.Error as error:
            return error.sqlstate, error.diag.message_primary

    with psycopg.connect(postgres.dsn, autocommit=True) as reference:
        assert outcome(conn) == outcome(reference)


# -- the same parser on Flight -----------------------------------------------------------------------


def flight_info(server: QuiverServer, sql: str) -> Any:
    from pyarrow import flight

    from tests.integration.conftest import DEMO_PASSWORDS

    client = flight.FlightClient(server.flight_location)
    token = client.authenticate_basic_token(b"admin", DEMO_PASSWORDS["admin"].encode())
    options = flight.FlightCallOptions(headers=[token])
    return client.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)


def test_flight_takes_the_same_parser(quiver_server: QuiverServer) -> None:
    from pyarrow import flight

    with pytest.raises(flight.FlightError) as raised:
        flight_info(quiver_server, "SELECT " + "(" * 3000 + "1" + ")" * 3000)
    assert "statement is too complex (SQLSTATE 54001)" in str(raised.value)
    assert "Traceback" not in str(raised.value)
    info = flight_info(quiver_server, "SELECT * FROM orders AS o(x, y) LIMIT 1")
    assert info.schema.names[:3] == ["x", "y", "order_ts"]

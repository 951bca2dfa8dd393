"""The rule table maps DuckDB's own failures (raised here by a real DuckDB) to PostgreSQL's SQLSTATEs and wording."""

from __future__ import annotations

import duckdb
import pytest

from connectors.duckdb import error_from_duckdb
from server.engine_errors import RULES, client_name, engine_class, map_engine_error, pg_type
from server.errors import InternalError

# A statement, the SQLSTATE PostgreSQL gives for it, and the message it gives (Quiver's must equal it).
CASES = [
    ("SELECT CAST('abc' AS INTEGER)", "22P02", 'invalid input syntax for type integer: "abc"'),
    ("SELECT 'a'::BOOLEAN", "22P02", 'invalid input syntax for type boolean: "a"'),
    ("SELECT 2147483647::INTEGER + 1", "22003", "integer out of range"),
    ("SELECT 100000000000::BIGINT::INTEGER", "22003", "integer out of range"),
    ("SELECT 10::SMALLINT * 10000::SMALLINT", "22003", "smallint out of range"),
    ("SELECT '2024-13-45'::DATE", "22008", 'date/time field value out of range: "2024-13-45"'),
    ("SELECT 'abc'::TIMESTAMP", "22007", 'invalid input syntax for type timestamp: "abc"'),
    ("SELECT 'abc'::DATE", "22007", 'invalid input syntax for type date: "abc"'),
    ("SELECT sqrt(-1)", "2201F", "cannot take square root of a negative number"),
    ("SELECT ln(0)", "2201E", "cannot take logarithm of zero"),
    ("SELECT error('division by zero')", "22012", "division by zero"),
    ("SELECT upper(1)", "42883", "function upper(integer) does not exist"),
    ("SELECT 'x'::VARCHAR + 1", "42883", "operator does not exist: text + integer"),
    ("SELECT nosuchfn(1)", "42883", "function nosuchfn() does not exist"),
    ("SELECT * FROM nosuch", "42P01", 'relation "nosuch" does not exist'),
    ("SELECT nosuch FROM (SELECT 1 AS a) t", "42703", 'column "nosuch" does not exist'),
    ("SELECT 1 FROM (SELECT 1 AS a) t WHERE 'x'::VARCHAR > 5", "42883", "operator does not exist: text = integer"),
    ("SELEC 1", "42601", 'syntax error at or near "SELEC"'),
    ("SELECT 1::nosuchtype", "42704", 'type "nosuchtype" does not exist'),
]
LEAKS = ("Error:", "LINE", "Candidate", "duckdb", "DuckDB", "INT32", "VARCHAR", "/tmp")


def engine_failure(sql: str) -> str:
    """DuckDB's message for ``sql`` as the connector reports it."""
    with duckdb.connect() as conn:
        try:
            conn.execute(sql).fetchall()
        except duckdb.Error as exc:
            return error_from_duckdb(exc).message
    raise AssertionError(f"{sql} did not fail")


@pytest.mark.parametrize(("sql", "sqlstate", "message"), CASES, ids=[c[0] for c in CASES])
def test_engine_failure_reads_as_postgres(sql: str, sqlstate: str, message: str) -> None:
    error = map_engine_error(engine_failure(sql))
    assert (error.sqlstate, error.message) == (sqlstate, message)
    for text in (error.message, error.detail or "", error.hint or ""):
        assert not any(leak in text for leak in LEAKS), text


def test_generated_sql_never_shows_values_the_engine_quotes() -> None:
    # On the semantic route the engine may quote a row's datum the client never saw.
    error = map_engine_error(engine_failure("SELECT CAST('secret' AS INTEGER)"), generated=True)
    assert (error.sqlstate, error.message) == ("22P02", "invalid input syntax for type integer")


def test_generated_sql_that_does_not_parse_is_quivers_fault() -> None:
    error = map_engine_error(engine_failure("SELEC 1"), generated=True)
    assert error.sqlstate == "0A000" and "request id" in error.message


def test_unknown_engine_class_is_an_internal_error_with_a_request_id() -> None:
    error = map_engine_error("Dependency Error: something internal about main.orders_raw")
    assert isinstance(error, InternalError)
    assert "request id" in error.message and "orders_raw" not in error.message


def test_each_known_class_without_a_rule_gets_its_familys_code() -> None:
    assert map_engine_error("Conversion Error: something new").sqlstate == "22P02"
    assert map_engine_error("Out of Range Error: something new").sqlstate == "22003"
    assert map_engine_error("Invalid Input Error: something new").sqlstate == "22023"
    assert map_engine_error("Not implemented Error: something new").sqlstate == "0A000"
    assert map_engine_error("Constraint Error: something new").sqlstate == "23000"
    assert map_engine_error("Parser Error: something new").sqlstate == "42601"


def test_engine_internal_names_are_not_shown() -> None:
    assert client_name("__q_alias_1") is None
    assert client_name("_w0") is None
    assert client_name("sum((gross_amount - refunded_amount))") is None
    assert client_name("main.orders") == "orders"
    error = map_engine_error('Binder Error: Referenced column "__quiver_key" not found in FROM clause!')
    assert error.message == "column does not exist"


def test_the_log_gets_the_engine_text_under_a_request_id(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="quiver.engine"):
        map_engine_error('Binder Error: Referenced column "x" not found')
    assert any("request" in r.getMessage() and "Binder Error" in r.getMessage() for r in caplog.records)


def test_type_names_are_postgres_names() -> None:
    assert pg_type("DECIMAL(38,2)") == "numeric"
    assert pg_type("INTEGER_LITERAL") == "integer"
    assert pg_type("VARCHAR[]") == "text[]"
    assert engine_class("Out of Range Error: x") == ("Out of Range", "x")


def test_every_rule_names_a_known_engine_class() -> None:
    known = {"Conversion", "Out of Range", "Invalid Input", "Binder", "Catalog", "Parser", "Constraint"}
    assert {rule.engine_class for rule in RULES} <= known

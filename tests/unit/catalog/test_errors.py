"""Failures are PostgreSQL's errors with SQLSTATEs, never DuckDB's, and nothing outside the catalog is reachable."""

from __future__ import annotations

import pytest

from server.errors import QuiverError
from tests.unit.catalog.conftest import Query


@pytest.mark.parametrize(
    ("sql", "sqlstate", "message"),
    [
        ("SELECT * FROM pg_catalog.pg_nosuch", "42P01", 'relation "pg_catalog.pg_nosuch" does not exist'),
        ("SELECT * FROM pg_nosuch", "42P01", 'relation "pg_nosuch" does not exist'),
        ("SELECT * FROM information_schema.nosuch", "42P01", 'relation "information_schema.nosuch" does not exist'),
        ("SELECT * FROM tables", "42P01", 'relation "tables" does not exist'),  # information_schema is not searched
        ("SELECT 'nosuch'::regclass", "42P01", 'relation "nosuch" does not exist'),
        ("SELECT pg_catalog.no_such_function(1)", "42883", "function no_such_function() does not exist"),
        ("SELECT relnosuch FROM pg_class", "42703", 'column "relnosuch" does not exist'),
        ("SELECT * FROM pg_class c JOIN orders o ON true", "0A000", "catalog queries cannot read"),
        ("INSERT INTO pg_class (relname) VALUES ('x')", "25006", "read-only"),
        ("SELECT 'nosuchproc'::regproc", "42883", 'function "nosuchproc" does not exist'),
        ("SELECT * FROM otherdb.pg_catalog.pg_class", "0A000", "cross-database references are not implemented"),
    ],
)
def test_errors_carry_postgres_sqlstates(query: Query, sql: str, sqlstate: str, message: str) -> None:
    with pytest.raises(QuiverError) as raised:
        query(sql)
    assert raised.value.sqlstate == sqlstate
    assert message in raised.value.message


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT read_csv('/etc/passwd')",
        "SELECT * FROM duckdb_tables()",
        "SELECT * FROM duckdb_settings()",
        "SELECT getenv('HOME')",
        "SELECT * FROM pgc.pg_class",  # our own storage schemas are not names a query can use
        "SELECT * FROM qf.keywords",
        "SELECT * FROM qstore.pg_authid",
        "SELECT * FROM main.pg_class",
        "SELECT * FROM pg_catalog.duckdb_tables",
        "SELECT current_setting('memory_limit')",
    ],
)
def test_nothing_outside_the_catalog_is_reachable(query: Query, sql: str) -> None:
    try:
        result = query(sql)
    except QuiverError as error:
        assert error.sqlstate in ("42P01", "42883", "0A000")
    else:  # only current_setting answers, and from the emulated settings (DuckDB's own are not visible)
        assert sql.startswith("SELECT current_setting") and result.column(0).to_pylist() == [None]


def test_engine_failures_are_not_raw_duckdb_errors(query: Query) -> None:
    with pytest.raises(QuiverError) as raised:
        query("SELECT 'abc'::int4")
    assert raised.value.sqlstate == "22P02"
    assert "Conversion Error" not in raised.value.message


@pytest.mark.parametrize("sql", ["SELECT * INTO copy_of_class FROM pg_class", "SELECT * FROM pg_class FOR UPDATE"])
def test_select_into_and_locking_are_refused(query: Query, sql: str) -> None:
    with pytest.raises(QuiverError) as raised:
        query(sql)
    assert raised.value.sqlstate == "25006"

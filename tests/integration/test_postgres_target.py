"""SQL rendered for the postgres target runs on a real PostgreSQL and gives DuckDB's answers.

The demo's rows are copied into a throwaway PostgreSQL (Debian's server
binaries, see ``tests.support.postgres``); every compiler case, the demo users'
governed queries (row filters and masks) and every mask rendering run on both
engines from the same rows and must agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import duckdb
import psycopg
import pytest
import sqlglot.expressions as exp

from server.config import DEMO_MODELS, Settings
from server.engine import Engine
from server.errors import QuiverError
from server.policy.identity import Caller
from server.policy.masks import key_pads
from server.policy.users import UserStore
from server.render.targets import target
from server.semantic.policies import DATE_UNITS
from server.sql.neutral import OptionValue, mask_call
from server.sql.session_info import SessionInfo
from server.statement import StatementService
from tests.conftest import require
from tests.support.postgres import PostgresServer, find_bin, running_postgres
from tests.unit.compiler.cases import CASES

pytestmark = pytest.mark.integration

ADMIN = Caller("admin")
SECRET = b"a test secret"

# Cases whose SQL runs on PostgreSQL with the same values but another type, left to the dialect
# work of federation: PostgreSQL's date_trunc on a DATE returns a TIMESTAMPTZ (DuckDB's a DATE).
SAME_VALUES_OTHER_TYPE = {"date_trunc_on_date_dimension"}


def normalise(value: Any, loose: bool = False) -> Any:
    """Numbers by value, times by ISO text; ``loose`` reads a midnight-UTC TIMESTAMPTZ as its date."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    if loose and isinstance(value, dt.datetime) and value.tzinfo is not None and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return value


def rows_of(rows: list[tuple[Any, ...]], ordered: bool, loose: bool = False) -> list[tuple[Any, ...]]:
    out = [tuple(normalise(v, loose) for v in row) for row in rows]
    return out if ordered else sorted(out, key=lambda r: tuple((v is None, str(type(v)), v) for v in r))


@pytest.fixture(scope="module")
def postgres(raw: duckdb.DuckDBPyConnection) -> Iterator[psycopg.Connection[Any]]:
    """A PostgreSQL holding the demo's ``raw`` tables, row for row (read from the ground-truth copy)."""
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    source = raw.cursor()
    try:
        tables = source.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        contents = []
        for schema, table in tables:
            columns = source.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, table],
            ).fetchall()
            contents.append((schema, table, columns, source.execute(f"SELECT * FROM {schema}.{table}").fetchall()))
    finally:
        source.close()
    server: PostgresServer
    with running_postgres() as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        for schema in sorted({schema for schema, *_ in contents}):
            conn.execute(f"CREATE SCHEMA {schema}")
        for schema, table, columns, rows in contents:
            definition = ", ".join(f'"{name}" {kind}' for name, kind in columns)
            conn.execute(f"CREATE TABLE {schema}.{table} ({definition})")
            with conn.cursor().copy(f"COPY {schema}.{table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        yield conn


@pytest.fixture(scope="module")
def governed_engine(connector: Any) -> Engine:
    """The demo engine with a fixed mask secret, so hashes are comparable across engines."""
    from server.execution.executor import Executor
    from server.semantic.store import ModelStore

    return Engine(ModelStore(DEMO_MODELS), Executor(connector), mask_secret=SECRET)


def both(engine: Engine, postgres: psycopg.Connection[Any], sql: str, caller: Caller) -> tuple[list, list]:
    """The rows of ``sql`` for ``caller`` from PostgreSQL (postgres-rendered SQL) and from DuckDB."""
    rendered = engine.compile(sql, caller, target="postgres").sql
    got = postgres.execute(rendered).fetchall()
    session = SessionInfo(user=caller.user, database=engine.database_name)
    result = StatementService(engine).query(sql, caller, session)
    want = [tuple(row.values()) for row in result.read_all().to_pylist()]
    return got, want


def test_every_compiler_case_answers_the_same_on_postgres(
    governed_engine: Engine, postgres: psycopg.Connection[Any]
) -> None:
    for case in CASES:
        got, want = both(governed_engine, postgres, case.sql, ADMIN)
        loose = case.name in SAME_VALUES_OTHER_TYPE
        assert rows_of(got, case.ordered, loose) == rows_of(want, case.ordered, loose), case.name
        assert want, case.name


GOVERNED_QUERIES = (
    "SELECT customer_id, name, email, phone, region FROM customers",
    "SELECT region, COUNT(*) AS n FROM customers GROUP BY region",
    "SELECT customer_region, net_revenue, order_count FROM sales",
    "SELECT email, COUNT(*) AS n FROM customers GROUP BY email ORDER BY n DESC, email LIMIT 5",
)


@pytest.mark.parametrize("sql", GOVERNED_QUERIES)
def test_demo_users_get_the_same_governed_answers_on_postgres(
    governed_engine: Engine, postgres: psycopg.Connection[Any], sql: str
) -> None:
    """Row filters and masks (redact, keyed hash, partial) rendered for PostgreSQL match DuckDB's, user by user."""
    users = UserStore.load(Settings.from_env().users_file)
    compared = 0
    for name in users.names():
        caller = users.get(name).caller("sql")  # type: ignore[union-attr]
        try:
            got, want = both(governed_engine, postgres, sql, caller)
        except QuiverError:
            continue  # a user who may not run this query is refused before any engine sees it
        assert rows_of(got, False) == rows_of(want, False), name
        compared += 1
    assert compared >= 2


# -- every mask rendering over typed columns --------------------------------------------------------

MASK_ROWS = """
    SELECT * FROM (VALUES
        (1, 'ada@example.com', 1234.5, -17, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:47:11'),
        (2, 'bo', 0.0, 5, DATE '2023-12-31', TIMESTAMP '2023-12-31 23:59:59'),
        (3, 'Ca+44 20 7946 0018', -999.99, 1000, DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00'),
        (4, NULL, NULL, NULL, NULL, NULL),
        (5, 'dan.o''brien@mail.example.org', 42, -1000, DATE '2021-06-14', TIMESTAMP '2021-06-13 06:05:04')
    ) AS v(id, s, x, n, d, ts)
"""
PADS = key_pads(SECRET)
MASKS: list[tuple[str, str, dict[str, OptionValue]]] = [
    ("s", "redact", {"string": True}),
    ("x", "redact", {"string": False}),
    ("s", "redact", {"string": True, "value": "hidden"}),
    ("n", "null", {}),
    ("s", "constant", {"value": "c"}),
    ("s", "md5", {}),
    ("s", "hash", {"inner": PADS[0], "outer": PADS[1]}),
    ("n", "hash", {"inner": PADS[0], "outer": PADS[1]}),
    ("s", "partial", {"length": 4, "keep": "last"}),
    ("s", "partial", {"length": 2, "keep": "first"}),
    ("s", "email", {}),
    ("n", "bucket_number", {"size": 100}),
    ("x", "bucket_number", {"size": 10}),
    ("s", "regex_replace", {"pattern": "[0-9]", "replacement": "#"}),
    *[("d", "bucket_date", {"unit": unit}) for unit in DATE_UNITS if unit != "hour"],
    *[("ts", "bucket_date", {"unit": unit}) for unit in DATE_UNITS],
]


@pytest.fixture(scope="module")
def mask_table(postgres: psycopg.Connection[Any]) -> duckdb.DuckDBPyConnection:
    postgres.execute(f"CREATE TABLE mask_rows AS {MASK_ROWS}")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE mask_rows AS {MASK_ROWS}")
    return con


@pytest.mark.parametrize(
    ("column", "function", "options"), MASKS, ids=[f"{m[1]}-{m[0]}-{i}" for i, m in enumerate(MASKS)]
)
def test_each_mask_gives_the_same_values_and_types_on_postgres(
    postgres: psycopg.Connection[Any],
    mask_table: duckdb.DuckDBPyConnection,
    column: str,
    function: str,
    options: dict[str, OptionValue],
) -> None:
    def rendered(name: str) -> str:
        masked = exp.alias_(mask_call(function, exp.column(column), options), "m")
        return target(name).render(exp.select(exp.column("id"), masked).from_("mask_rows").order_by("id"))

    got = postgres.execute(rendered("postgres")).fetchall()
    want = mask_table.execute(rendered("duckdb")).fetchall()
    assert rows_of(got, True) == rows_of(want, True)
    assert [type(row[1]) for row in got] == [type(row[1]) for row in want]


def test_the_hash_mask_is_hmac_sha256_on_postgres(postgres: psycopg.Connection[Any]) -> None:
    masked = mask_call("hash", exp.Literal.string("ada@example.com"), {"inner": PADS[0], "outer": PADS[1]})
    (value,) = postgres.execute(target("postgres").render(exp.select(masked))).fetchone()  # type: ignore[misc]
    assert value == hmac.new(SECRET, b"ada@example.com", hashlib.sha256).hexdigest()


def test_every_function_the_postgres_target_sends_by_name_exists_there(postgres: psycopg.Connection[Any]) -> None:
    names = sorted(target("postgres").functions - {"row"})  # ROW(...) is a constructor, not in pg_proc
    found = {row[0] for row in postgres.execute("SELECT proname FROM pg_proc WHERE proname = ANY(%s)", [names])}
    assert set(names) <= found, sorted(set(names) - found)

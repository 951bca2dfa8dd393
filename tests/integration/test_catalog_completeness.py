"""Catalog and scalar statements BI tools and drivers send: Quiver's answer against a real PostgreSQL.

Each statement runs on both servers through psycopg; the values and the result column
types the client sees (RowDescription type OIDs) must be the same. Semantic statements
are compared with the same question written in a form Quiver already answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.conftest import require
from tests.integration.conftest import QuiverServer
from tests.support.postgres import find_bin, running_postgres

pytestmark = pytest.mark.integration

Conn = psycopg.Connection[Any]

# Arrays written as string literals (pgcli's \dt sends ``c.relkind = ANY('{r,p,""}')``).
TEXT_ARRAYS = (
    "SELECT 1 = ANY('{1,2}'), 3 <> ALL('{1,2}'), 'web' = ANY('{web,app}'), 'x' <> ALL('{web,app}')",
    "SELECT x FROM (VALUES ('web'), ('b'), ('app')) t(x) WHERE x = ANY('{web,app}') ORDER BY 1",
    """SELECT count(*) > 0 FROM pg_catalog.pg_class c WHERE c.relkind = ANY('{r,p,""}')""",
    "SELECT count(*) > 0 FROM pg_catalog.pg_class c WHERE c.relkind <> ALL('{r,i}')",
    "SELECT relname FROM pg_catalog.pg_class WHERE relname = ANY('{pg_class,pg_type}') ORDER BY 1",
)

# reg* types: input spellings, aliases, arrays, the to_reg* functions, and the types they are described as.
REGTYPES = (
    "SELECT 'varchar(10)'::regtype, 'int4[]'::regtype, 'character varying(3)[]'::regtype",
    "SELECT 'float'::regtype, 'integer'::regtype, 'double precision'::regtype, 'timestamptz'::regtype",
    "SELECT 'float(10)'::regtype, 'float(40)'::regtype, 'timestamp(3) with time zone'::regtype, 'int'::regtype",
    "SELECT '{int4,text}'::regtype[]",
    "SELECT '{int4,NULL}'::regtype[]::text[]",
    "SELECT 'int4'::regtype::text, 'pg_class'::regclass, 'pg_class'::regclass::oid",
    "SELECT to_regtype('int4'), to_regtype('nope'), to_regclass('pg_class'), to_regclass('nope')",
    "SELECT to_regproc('now'), to_regnamespace('public'), to_regnamespace('nope')",
    "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = 'pg_namespace'::regclass"
    " AND atttypid = ANY('{oid,name}'::regtype[]) AND attnum > 0 ORDER BY 1",
    "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = 'pg_namespace'::regclass"
    " AND atttypid <> ALL('{oid,name}'::regtype[]) AND attnum > 0 ORDER BY 1",
    "SELECT t.typname FROM pg_catalog.pg_type t WHERE t.oid = 'int4'::regtype",
    "SELECT format_type(23, -1), format_type(1043, 14), format_type('numeric'::regtype, 655366)",
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Conn]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def quiver(quiver_server: QuiverServer) -> Iterator[Conn]:
    with psycopg.connect(quiver_server.dsn(), autocommit=True) as conn:
        yield conn


def answer(conn: Conn, sql: str) -> tuple[list[tuple[Any, ...]], list[int]]:
    cursor = conn.execute(sql)
    assert cursor.description is not None
    return cursor.fetchall(), [column.type_code for column in cursor.description]


def same_as_postgres(quiver: Conn, postgres: Conn, sql: str) -> None:
    assert answer(quiver, sql) == answer(postgres, sql), sql


@pytest.mark.parametrize("sql", TEXT_ARRAYS)
def test_text_array_literal_in_any(quiver: Conn, postgres: Conn, sql: str) -> None:
    same_as_postgres(quiver, postgres, sql)


@pytest.mark.parametrize("sql", REGTYPES)
def test_regtype_and_to_reg(quiver: Conn, postgres: Conn, sql: str) -> None:
    same_as_postgres(quiver, postgres, sql)


@pytest.mark.parametrize(
    ("text_form", "array_form"),
    [
        (
            "SELECT channel, MEASURE(net_revenue) FROM sales WHERE channel = ANY('{web,app}') GROUP BY 1 ORDER BY 1",
            "SELECT channel, MEASURE(net_revenue) FROM sales WHERE channel IN ('web', 'app') GROUP BY 1 ORDER BY 1",
        ),
        (
            "SELECT channel, MEASURE(net_revenue) FROM sales WHERE channel <> ALL('{web,app}') GROUP BY 1 ORDER BY 1",
            "SELECT channel, MEASURE(net_revenue) FROM sales WHERE channel NOT IN ('web', 'app') GROUP BY 1 ORDER BY 1",
        ),
    ],
)
def test_text_array_literal_on_semantic_relation(quiver: Conn, text_form: str, array_form: str) -> None:
    rows, types = answer(quiver, text_form)
    assert rows, text_form
    assert (rows, types) == answer(quiver, array_form)


TEXT_LIKE = {19: 25, 1043: 25}  # name and varchar read as text by every client; compared as text


def loosely_typed(result: tuple[list[tuple[Any, ...]], list[int]]) -> tuple[list[tuple[Any, ...]], list[int]]:
    rows, types = result
    return rows, [TEXT_LIKE.get(t, t) for t in types]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM information_schema.sql_implementation_info"
        " WHERE implementation_info_name <> 'DBMS VERSION' ORDER BY 1",
        "SELECT * FROM information_schema.sql_sizing ORDER BY 1",
        "SELECT feature_id, sub_feature_id, feature_name, is_supported FROM information_schema.sql_features"
        " ORDER BY 1, 2",
    ],
)
def test_sql_information_tables(quiver: Conn, postgres: Conn, sql: str) -> None:
    """QuickSight's reads: PostgreSQL's own rows (the version row names the version Quiver reports)."""
    assert loosely_typed(answer(quiver, sql)) == loosely_typed(answer(postgres, sql))


def test_role_commands_as_postgres(quiver: Conn, postgres: Conn) -> None:
    for conn in (quiver, postgres):
        assert conn.execute("SET ROLE NONE").statusmessage == "SET"
        assert conn.execute("RESET ROLE").statusmessage == "RESET"
    same_as_postgres(quiver, postgres, "SHOW ROLE")
    same_as_postgres(quiver, postgres, "SELECT current_setting('role')")


def test_set_role_to_another_user_is_refused(quiver_server: QuiverServer) -> None:
    """A session never takes on another user's policies: SET ROLE to any other role is 42501."""
    with psycopg.connect(quiver_server.dsn("eu_analyst"), autocommit=True) as conn:
        for role in ("admin", "nobody"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SET ROLE {role}")
        assert conn.execute("SELECT current_user").fetchone() == ("eu_analyst",)
        assert conn.execute("SHOW ROLE").fetchone() == ("none",)


# Excel's and Google Sheets' column reads (and PostgREST's, pgAdmin's): information_schema's private helpers
# over whole pg_attribute and pg_type rows, written ``(a.*, t.*)`` or ``(a, t)``.
TRUE_TYPE_COLUMNS = (
    "SELECT a.attname,"
    " information_schema._pg_char_max_length(information_schema._pg_truetypid(a.*, t.*),"
    " information_schema._pg_truetypmod(a.*, t.*)) AS character_maximum_length,"
    " information_schema._pg_numeric_precision(information_schema._pg_truetypid(a, t),"
    " information_schema._pg_truetypmod(a, t)) AS numeric_precision,"
    " information_schema._pg_numeric_scale(information_schema._pg_truetypid(a, t),"
    " information_schema._pg_truetypmod(a, t)) AS numeric_scale,"
    " information_schema._pg_truetypid(a, t) = a.atttypid AS own_type"
    " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON a.atttypid = t.oid"
    " WHERE a.attrelid = '{relation}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
)


@pytest.mark.parametrize("relation", ["pg_namespace", "pg_am"])
def test_true_type_helpers_as_postgres(quiver: Conn, postgres: Conn, relation: str) -> None:
    same_as_postgres(quiver, postgres, TRUE_TYPE_COLUMNS.format(relation=relation))


def test_true_type_helpers_on_a_semantic_relation(quiver: Conn) -> None:
    """No domains in Quiver's catalog: the helpers give each column's own type and typmod."""
    rows = quiver.execute(TRUE_TYPE_COLUMNS.format(relation="sales")).fetchall()
    direct = quiver.execute(
        "SELECT a.attname, information_schema._pg_char_max_length(a.atttypid, a.atttypmod),"
        " information_schema._pg_numeric_precision(a.atttypid, a.atttypmod),"
        " information_schema._pg_numeric_scale(a.atttypid, a.atttypmod), true"
        " FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'sales'::regclass AND a.attnum > 0 ORDER BY a.attnum"
    ).fetchall()
    assert rows == direct and len(rows) > 5
    assert any(row[2] is not None for row in rows)  # numeric columns have a precision

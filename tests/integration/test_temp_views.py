"""CREATE TEMPORARY VIEW as Ibis uses it: a session's name for a query, read under the reader's policies.

Ibis's ``con.sql(...)`` creates ``_ibis_*`` temporary views to learn a query's columns
(pg_attribute joined to pg_class and pg_namespace, in ``pg_my_temp_schema()``), then
drops them. The catalog shape is compared with a real PostgreSQL's for the same view.
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

# What Ibis's postgres backend sends to read a relation's schema (get_schema).
IBIS_SCHEMA = """SELECT a.attname AS column_name,
  pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type, NOT a.attnotnull AS nullable
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON a.attrelid = c.oid
INNER JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid
WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname = ANY(%(dbs)s) AND c.relname = %(name)s
ORDER BY a.attnum ASC"""
TEMP_SCHEMA = "SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()"
REGIONS = "SELECT customer_region, MEASURE(order_count) AS orders FROM sales GROUP BY 1 ORDER BY 1"


@pytest.fixture(scope="module")
def postgres() -> Iterator[Conn]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        yield conn


def connect(server: QuiverServer, user: str = "admin") -> Conn:
    return psycopg.connect(server.dsn(user), autocommit=True)


def test_view_reads_as_its_query_and_drops(quiver_server: QuiverServer) -> None:
    with connect(quiver_server) as conn:
        direct = conn.execute(REGIONS).fetchall()
        cursor = conn.execute(f"CREATE TEMPORARY VIEW _ibis_v AS {REGIONS}")
        assert cursor.statusmessage == "CREATE VIEW"
        assert conn.execute("SELECT * FROM _ibis_v ORDER BY 1").fetchall() == direct
        assert conn.execute("SELECT v.orders FROM pg_temp._ibis_v AS v ORDER BY 1").fetchall() == sorted(
            (row[1],) for row in direct
        )
        conn.execute("CREATE TEMP VIEW w (region) AS SELECT customer_region FROM _ibis_v")
        assert conn.execute("SELECT region FROM w ORDER BY 1").fetchall() == [(row[0],) for row in direct]
        assert conn.execute("DROP VIEW IF EXISTS w, _ibis_v").statusmessage == "DROP VIEW"
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM _ibis_v")


def test_view_errors_as_postgres(quiver_server: QuiverServer) -> None:
    with connect(quiver_server) as conn:
        conn.execute("CREATE TEMP VIEW dup AS SELECT 1 AS one")
        with pytest.raises(psycopg.errors.DuplicateTable):
            conn.execute("CREATE TEMP VIEW dup AS SELECT 2 AS two")
        conn.execute("CREATE OR REPLACE TEMP VIEW dup AS SELECT 2 AS two")
        assert conn.execute("SELECT * FROM dup").fetchall() == [(2,)]
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("DROP VIEW nope")
        with pytest.raises(psycopg.errors.WrongObjectType):
            conn.execute("DROP TABLE dup")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("DROP VIEW sales")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE VIEW v AS SELECT 1")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("CREATE TEMP VIEW bad AS SELECT no_such_column FROM sales")


def test_view_is_gone_in_another_session(quiver_server: QuiverServer) -> None:
    with connect(quiver_server) as first:
        first.execute("CREATE TEMP VIEW mine AS SELECT 1 AS one")
        with connect(quiver_server) as second, pytest.raises(psycopg.errors.UndefinedTable):
            second.execute("SELECT * FROM mine")
        first.execute("DISCARD TEMP")
        with pytest.raises(psycopg.errors.UndefinedTable):
            first.execute("SELECT * FROM mine")


def test_view_applies_the_readers_policies(quiver_server: QuiverServer) -> None:
    """A view keeps SQL: reading it gives what the reader's own query gives, never more."""
    with connect(quiver_server, "eu_analyst") as conn:
        direct = conn.execute(REGIONS).fetchall()
        conn.execute(f"CREATE TEMP VIEW regions AS {REGIONS}")
        assert conn.execute("SELECT * FROM regions ORDER BY 1").fetchall() == direct
        # a column the caller may not see cannot be named through a view either
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("CREATE TEMP VIEW wide AS SELECT MEASURE(gross_revenue) FROM sales")
    with connect(quiver_server) as admin:
        assert admin.execute(REGIONS).fetchall() != direct  # the policy does restrict eu_analyst


def test_view_in_catalog_like_postgres(quiver_server: QuiverServer, postgres: Conn) -> None:
    view = "CREATE TEMP VIEW _ibis_meta AS SELECT 'web'::text AS channel, 2::bigint AS n, 1.5::numeric(10,2) AS amount"
    shapes = []
    for conn in (connect(quiver_server), postgres):
        with conn:
            assert conn.execute(TEMP_SCHEMA).fetchall() == [] or conn is postgres
            conn.execute(view)
            (schema,) = conn.execute(TEMP_SCHEMA).fetchone() or (None,)
            assert schema is not None and schema.startswith("pg_temp_")
            columns = conn.execute(IBIS_SCHEMA, {"dbs": ["public", schema], "name": "_ibis_meta"}).fetchall()
            kind = conn.execute(
                "SELECT c.relkind, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relname = '_ibis_meta' AND n.oid = pg_my_temp_schema()"
            ).fetchall()
            conn.execute("DROP VIEW _ibis_meta")
            gone = conn.execute(IBIS_SCHEMA, {"dbs": ["public", schema], "name": "_ibis_meta"}).fetchall()
            shapes.append((columns, kind, gone))
    assert shapes[0] == shapes[1]


def test_ibis_sql_over_a_semantic_relation(quiver_server: QuiverServer) -> None:
    ibis = pytest.importorskip("ibis")
    con = ibis.postgres.connect(
        host=quiver_server.host,
        port=quiver_server.port,
        user="admin",
        password=quiver_server.passwords["admin"],
        database=quiver_server.dbname,
    )
    try:
        table = con.sql(REGIONS)
        assert list(table.schema().names) == ["customer_region", "orders"]
        result = table.order_by("customer_region").to_pyarrow().to_pylist()
    finally:
        con.disconnect()
    with connect(quiver_server) as conn:
        direct = conn.execute(REGIONS).fetchall()
    assert [(row["customer_region"], row["orders"]) for row in result] == direct

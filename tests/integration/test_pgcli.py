"""pgcli's backslash commands (its library, pgspecial) against Quiver and a real PostgreSQL.

pgspecial builds each command's catalog SQL (``\\dt`` sends ``c.relkind = ANY('{r,p,""}')``)
and runs it on a psycopg cursor. Every command must answer on Quiver without error, with
the headers and column types PostgreSQL gives; the relations listed are the caller's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.conftest import require
from tests.integration.conftest import QuiverServer
from tests.support.postgres import find_bin, running_postgres

pgspecial_main = pytest.importorskip("pgspecial.main")

pytestmark = pytest.mark.integration

Conn = psycopg.Connection[Any]

LISTINGS = ("\\dt", "\\dt+", "\\dv", "\\dv+", "\\di", "\\di+", "\\d", "\\dn", "\\df", "\\dT", "\\ds", "\\dm", "\\l")
# (command on Quiver, the same command on PostgreSQL over a relation of the same kind)
DESCRIBES = (
    ("\\d+ sales", "\\d+ v_sales"),  # a semantic relation is a view
    ("\\d sales", "\\d v_sales"),
    ("\\d customers", "\\d customers"),  # a table with a primary key
    ("\\d+ customers", "\\d+ customers"),
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Conn]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (customer_id bigint PRIMARY KEY, customer_name text)")
        conn.execute("CREATE TABLE sales_base (order_id bigint, channel text)")
        conn.execute("CREATE VIEW v_sales AS SELECT * FROM sales_base")
        yield conn


@pytest.fixture(scope="module")
def quiver(quiver_server: QuiverServer) -> Iterator[Conn]:
    with psycopg.connect(quiver_server.dsn(), autocommit=True) as conn:
        yield conn


def run(conn: Conn, command: str) -> list[tuple[list[str] | None, list[int], list[tuple[Any, ...]], str]]:
    """Each result pgspecial gives for ``command``: headers, column type OIDs, rows, status text."""
    special = pgspecial_main.PGSpecial()
    results = []
    with conn.cursor() as cursor:
        for _title, rows, headers, status in special.execute(cursor, command):
            types = [column.type_code for column in cursor.description or ()] if rows is not None else []
            results.append((headers, types, list(rows) if rows is not None else [], status or ""))
    return results


def shape(results: list[tuple[list[str] | None, list[int], list[tuple[Any, ...]], str]]) -> list[Any]:
    return [(headers, types) for headers, types, _rows, _status in results]


@pytest.mark.parametrize("command", LISTINGS)
def test_listing_has_postgres_shape(quiver: Conn, postgres: Conn, command: str) -> None:
    assert shape(run(quiver, command)) == shape(run(postgres, command))


@pytest.mark.parametrize(("ours", "theirs"), DESCRIBES)
def test_describe_has_postgres_shape(quiver: Conn, postgres: Conn, ours: str, theirs: str) -> None:
    mine = run(quiver, ours)
    assert mine and mine[0][2], f"{ours}: no columns"
    assert shape(mine) == shape(run(postgres, theirs))


def test_dt_lists_the_callers_tables(quiver: Conn) -> None:
    (headers, _types, rows, _status) = run(quiver, "\\dt")[0]
    listed = sorted(row[1] for row in rows)
    expected = quiver.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        " ORDER BY 1"
    ).fetchall()
    assert headers == ["Schema", "Name", "Type", "Owner"]
    assert listed == [row[0] for row in expected] and listed
    views = sorted(row[1] for row in run(quiver, "\\dv")[0][2])
    assert "sales" in views


def test_describe_lists_columns_of_a_semantic_relation(quiver: Conn) -> None:
    (_headers, _types, rows, status) = run(quiver, "\\d+ sales")[0]
    columns = [row[0] for row in rows]
    expected = quiver.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'sales' ORDER BY ordinal_position"
    ).fetchall()
    assert columns == [row[0] for row in expected]
    assert "View definition" in status

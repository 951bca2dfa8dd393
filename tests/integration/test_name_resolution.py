"""Name resolution as PostgreSQL does it, over the wire: Quiver against the raw tables and against PostgreSQL.

Semantic statements (three-part names, output aliases in nested GROUP BY and ORDER BY,
CTEs read from subqueries, scalar subqueries in grouped queries, constants among
GROUP BY positions) are compared with hand-written SQL over the raw demo tables in
DuckDB. Catalog statements of the same shapes run on Quiver and on a real PostgreSQL
whose database is also called ``quiver``, and must give the same rows and column
names, or the same SQLSTATE and message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import psycopg
import pytest

from tests.conftest import require
from tests.integration.conftest import QuiverServer
from tests.support.postgres import find_bin, running_postgres

pytestmark = pytest.mark.integration

# Net revenue by customer region over the raw tables: what `SELECT customer_region, net_revenue FROM sales` means.
RAW_REGION_REVENUE = (
    "SELECT c.region, SUM(o.gross_amount - o.refunded_amount) FROM raw.orders o "
    "LEFT JOIN raw.customers c ON o.customer_id = c.customer_id GROUP BY 1 ORDER BY 1"
)
RAW_REGION_ORDERS = (
    "SELECT c.region, COUNT(*) FROM raw.orders o LEFT JOIN raw.customers c ON o.customer_id = c.customer_id "
    "GROUP BY 1 ORDER BY 1"
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[psycopg.Connection[Any]]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres(database="quiver") as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def quiver(quiver_server: QuiverServer) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(quiver_server.dsn(), autocommit=True) as conn:
        yield conn


def rows(conn: psycopg.Connection[Any], sql: str) -> list[tuple[Any, ...]]:
    return conn.execute(sql).fetchall()


def answer(conn: psycopg.Connection[Any], sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor = conn.execute(sql)
    assert cursor.description is not None
    return [column.name for column in cursor.description], cursor.fetchall()


def failure(conn: psycopg.Connection[Any], sql: str) -> tuple[str | None, str]:
    with pytest.raises(psycopg.Error) as raised:
        conn.execute(sql).fetchall()
    return raised.value.sqlstate, raised.value.diag.message_primary or ""


# -- 1. names that carry the database and the schema -------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT customer_region, net_revenue FROM quiver.public.sales GROUP BY 1 ORDER BY 1",
        'SELECT customer_region, net_revenue FROM "quiver"."public"."sales" GROUP BY 1 ORDER BY 1',
        "SELECT customer_region, net_revenue FROM QUIVER.PUBLIC.SALES GROUP BY 1 ORDER BY 1",
        "SELECT customer_region, net_revenue FROM public.sales GROUP BY 1 ORDER BY 1",
        "SELECT public.sales.customer_region, net_revenue FROM public.sales GROUP BY 1 ORDER BY 1",
        "SELECT quiver.public.sales.customer_region, quiver.public.sales.net_revenue "
        "FROM quiver.public.sales GROUP BY 1 ORDER BY 1",
        "SELECT s.customer_region, s.net_revenue FROM quiver.public.sales AS s GROUP BY 1 ORDER BY 1",
        # the general path: a CTE and a subquery in WHERE, each naming the database
        "WITH r AS (SELECT customer_region, net_revenue FROM quiver.public.sales) SELECT * FROM r ORDER BY 1",
        "SELECT customer_region, net_revenue FROM quiver.public.sales WHERE customer_region IN "
        "(SELECT region FROM quiver.public.customers) GROUP BY 1 ORDER BY 1",
    ],
)
def test_three_part_names_read_the_relation(
    sql: str, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    assert rows(quiver, sql) == raw.execute(RAW_REGION_REVENUE).fetchall()


def test_three_part_names_in_a_join(quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        quiver,
        "SELECT DISTINCT o.status, c.segment FROM quiver.public.orders o JOIN quiver.public.customers c "
        "ON c.customer_id = o.customer_id WHERE c.region = 'EU' ORDER BY 1, 2",
    )
    want = raw.execute(
        "SELECT DISTINCT o.status, c.segment FROM raw.orders o JOIN raw.customers c "
        "ON c.customer_id = o.customer_id WHERE c.region = 'EU' ORDER BY 1, 2"
    ).fetchall()
    assert got == want


THOUGHTSPOT = (
    'SELECT "ta_1"."customer_region" "ca_1", sum("ta_1"."net_revenue") "ca_2" '
    'FROM "quiver"."public"."sales" "ta_1" GROUP BY "ca_1" ORDER BY "ca_1"',
    'WITH "qt_1" AS (SELECT "ta_1"."customer_region" "ca_1", sum("ta_1"."net_revenue") "ca_2" '
    'FROM "quiver"."public"."sales" "ta_1" GROUP BY "ca_1") '
    'SELECT "ta_2"."ca_1" "ca_3", "ta_2"."ca_2" "ca_4" FROM "qt_1" "ta_2" ORDER BY "ca_3"',
)


@pytest.mark.parametrize("sql", THOUGHTSPOT)
def test_thoughtspot_shapes(sql: str, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection) -> None:
    assert rows(quiver, sql) == raw.execute(RAW_REGION_REVENUE).fetchall()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT customer_region FROM other.public.sales",
            'cross-database references are not implemented: "other.public.sales"',
        ),
        (
            "SELECT other.public.sales.customer_region FROM sales",
            "cross-database references are not implemented: other.public.sales.customer_region",
        ),
        (
            "SELECT 1 FROM sales WHERE customer_region IN (SELECT region FROM other.public.customers)",
            'cross-database references are not implemented: "other.public.customers"',
        ),
    ],
)
def test_another_database_is_feature_not_supported(sql: str, message: str, quiver: psycopg.Connection[Any]) -> None:
    assert failure(quiver, sql) == ("0A000", message)


CATALOG_NAMES = (
    "SELECT nspname FROM quiver.pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') ORDER BY 1",
    'SELECT nspname FROM "quiver"."pg_catalog"."pg_namespace" WHERE nspname = \'public\'',
    "SELECT quiver.pg_catalog.pg_class.relname, pg_catalog.pg_class.relkind FROM quiver.pg_catalog.pg_class "
    "WHERE relname = 'pg_namespace'",
    "SELECT c.relname FROM quiver.pg_catalog.pg_class c JOIN quiver.pg_catalog.pg_namespace n "
    "ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relname = 'pg_class'",
    "SELECT catalog_name, schema_name FROM quiver.information_schema.schemata WHERE schema_name = 'public'",
    "SELECT table_catalog, table_schema, table_name FROM quiver.information_schema.tables "
    "WHERE table_schema = 'pg_catalog' AND table_name = 'pg_class'",
)


@pytest.mark.parametrize("sql", CATALOG_NAMES)
def test_catalog_three_part_names_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT relname FROM other.pg_catalog.pg_class",
        "SELECT other.pg_catalog.pg_class.relname FROM pg_catalog.pg_class",
        "SELECT table_name FROM other.information_schema.tables",
    ],
)
def test_catalog_cross_database_errors_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert failure(quiver, sql) == failure(postgres, sql)


# -- 2. output aliases in GROUP BY and ORDER BY of nested queries -------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "WITH t AS (SELECT customer_region AS r, net_revenue AS n FROM sales GROUP BY r) SELECT * FROM t ORDER BY 1",
        "SELECT * FROM (SELECT customer_region AS r, net_revenue AS n FROM sales GROUP BY r ORDER BY r) t ORDER BY 1",
        "WITH t AS (SELECT upper(customer_region) AS r, net_revenue AS n FROM sales GROUP BY r) "
        "SELECT lower(r) AS r, n FROM t ORDER BY 1",
        "WITH t AS (WITH u AS (SELECT customer_region AS r, net_revenue AS n FROM sales GROUP BY r) "
        "SELECT * FROM u) SELECT * FROM t ORDER BY r",
    ],
)
def test_group_by_an_output_alias_inside_a_nested_query(
    sql: str, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = [(str(region).upper(), revenue) for region, revenue in rows(quiver, sql)]
    assert got == [(str(region).upper(), revenue) for region, revenue in raw.execute(RAW_REGION_REVENUE).fetchall()]


def test_order_by_an_output_alias_inside_a_subquery(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = rows(
        quiver,
        "SELECT * FROM (SELECT customer_region AS r, net_revenue AS n FROM sales GROUP BY r ORDER BY n DESC LIMIT 2) t "
        "ORDER BY n DESC",
    )
    want = sorted(raw.execute(RAW_REGION_REVENUE).fetchall(), key=lambda row: row[1], reverse=True)[:2]
    assert got == want


def test_group_by_an_output_alias_inside_a_where_subquery(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = rows(
        quiver,
        "SELECT customer_region, order_count FROM sales WHERE customer_region IN "
        "(SELECT customer_region AS r FROM sales GROUP BY r ORDER BY net_revenue DESC LIMIT 2) GROUP BY 1 ORDER BY 1",
    )
    top = {row[0] for row in sorted(raw.execute(RAW_REGION_REVENUE).fetchall(), key=lambda r: r[1])[-2:]}
    assert got == [row for row in raw.execute(RAW_REGION_ORDERS).fetchall() if row[0] in top]


def test_group_by_prefers_the_input_column_as_postgres_does(quiver: psycopg.Connection[Any]) -> None:
    # The alias customer_region names an input column too: GROUP BY groups by the input column,
    # so customer_country is neither grouped nor aggregated (42803), as in PostgreSQL.
    sql = (
        "WITH t AS (SELECT customer_country AS customer_region, net_revenue FROM sales GROUP BY customer_region) "
        "SELECT count(*) FROM t"
    )
    assert failure(quiver, sql)[0] == "42803"


CATALOG_ALIASES = (
    "SELECT * FROM (SELECT nspname AS s, count(*) AS n FROM pg_catalog.pg_namespace "
    "WHERE nspname IN ('pg_catalog', 'public', 'information_schema') GROUP BY s ORDER BY s DESC) t",
    "WITH t AS (SELECT upper(nspname) AS s FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') "
    "GROUP BY s) SELECT * FROM t ORDER BY s",
    "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname IN (SELECT nspname AS s FROM pg_catalog.pg_namespace "
    "WHERE nspname IN ('pg_catalog', 'public') GROUP BY s ORDER BY s LIMIT 1)",
)


@pytest.mark.parametrize("sql", CATALOG_ALIASES)
def test_catalog_aliases_in_nested_queries_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


# -- 3. CTEs visible in subqueries ---------------------------------------------------------------

TOP_TWO = "WITH top AS (SELECT customer_region, net_revenue FROM sales ORDER BY 2 DESC LIMIT 2) "


@pytest.mark.parametrize(
    "sql",
    [
        TOP_TWO + "SELECT customer_region, order_count FROM sales "
        "WHERE customer_region IN (SELECT customer_region FROM top) GROUP BY 1 ORDER BY 1",
        # a plan with its own CTEs (two aggregation passes), and a user CTE named like one of them
        TOP_TWO.replace("top", "base") + "SELECT customer_region, order_count, units_sold FROM sales "
        "WHERE customer_region IN (SELECT customer_region FROM base) GROUP BY 1 ORDER BY 1",
        TOP_TWO + ", f AS (SELECT customer_region, order_count FROM sales "
        "WHERE customer_region IN (SELECT customer_region FROM top) GROUP BY 1) SELECT * FROM f ORDER BY 1",
        "WITH f AS (" + TOP_TWO + "SELECT customer_region, order_count FROM sales "
        "WHERE customer_region IN (SELECT customer_region FROM top) GROUP BY 1) SELECT * FROM f ORDER BY 1",
        TOP_TWO + "SELECT * FROM (SELECT customer_region, order_count FROM sales "
        "WHERE customer_region IN (SELECT customer_region FROM top) GROUP BY 1) t ORDER BY 1",
    ],
)
def test_a_cte_read_from_a_where_subquery(
    sql: str, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    top = {row[0] for row in sorted(raw.execute(RAW_REGION_REVENUE).fetchall(), key=lambda r: r[1])[-2:]}
    got = [row[:2] for row in rows(quiver, sql)]
    assert got == [row for row in raw.execute(RAW_REGION_ORDERS).fetchall() if row[0] in top]


def test_a_cte_read_from_a_scalar_subquery(quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        quiver,
        "WITH total AS (SELECT order_count AS n FROM sales) "
        "SELECT customer_region, order_count, (SELECT n FROM total) AS total FROM sales GROUP BY 1 ORDER BY 1",
    )
    (total,) = raw.execute("SELECT COUNT(*) FROM raw.orders").fetchone()
    assert got == [(region, count, total) for region, count in raw.execute(RAW_REGION_ORDERS).fetchall()]


def test_catalog_cte_read_from_subqueries_matches_postgres(
    quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    sql = (
        "WITH t AS (SELECT nspname AS s FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public')) "
        "SELECT nspname, (SELECT count(*) FROM t) AS n FROM pg_catalog.pg_namespace "
        "WHERE nspname IN (SELECT s FROM t) ORDER BY 1"
    )
    assert answer(quiver, sql) == answer(postgres, sql)


# -- 4. scalar subqueries in grouped queries -----------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT customer_region, (SELECT COUNT(*) FROM orders) AS total, order_count FROM sales GROUP BY 1 ORDER BY 1",
        "SELECT customer_region, (SELECT COUNT(*) FROM orders) AS total, order_count FROM sales GROUP BY 1, 2 "
        "ORDER BY 1",
        "SELECT (SELECT COUNT(*) FROM orders) AS total, customer_region, order_count FROM sales GROUP BY 1, 2 "
        "ORDER BY 2",
        # correlated with its own relation: the relation is read as rows, the measure exact per group
        "SELECT s.customer_region, (SELECT COUNT(*) FROM orders) AS total, s.order_count FROM sales s "
        "WHERE EXISTS (SELECT 1 WHERE s.customer_region IS NOT NULL) GROUP BY 1 ORDER BY 1",
    ],
)
def test_scalar_subquery_in_a_grouped_query(
    sql: str, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    (total,) = raw.execute("SELECT COUNT(*) FROM raw.orders").fetchone()
    want = [(region, total, count) for region, count in raw.execute(RAW_REGION_ORDERS).fetchall()]
    got = [(r[1], r[0], r[2]) if isinstance(r[0], int) else r for r in rows(quiver, sql)]
    assert got == want


def test_correlated_scalar_subquery_with_group_by_1(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = rows(
        quiver,
        "SELECT customer_region, (SELECT upper(customer_region)) AS u, net_revenue FROM sales GROUP BY 1 ORDER BY 1",
    )
    assert got == [(region, region.upper(), revenue) for region, revenue in raw.execute(RAW_REGION_REVENUE).fetchall()]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT s.customer_region, s.customer_segment, s.net_revenue FROM sales s "
            "JOIN customers c ON c.region = s.customer_region GROUP BY 1",
            'column "s.customer_segment" must appear in the GROUP BY clause or be used in an aggregate function',
        ),
        (
            "SELECT s.customer_region, (SELECT s.customer_segment) AS x FROM sales s "
            "JOIN customers c ON c.region = s.customer_region GROUP BY 1",
            'subquery uses ungrouped column "s.customer_segment" from outer query',
        ),
    ],
)
def test_ungrouped_columns_of_a_relation_read_as_rows_are_42803(
    sql: str, message: str, quiver: psycopg.Connection[Any]
) -> None:
    assert failure(quiver, sql) == ("42803", message)


def test_catalog_scalar_subquery_with_group_by_1_matches_postgres(
    quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    sql = (
        "SELECT nspname, (SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'public') AS k, count(*) "
        "FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') GROUP BY 1 ORDER BY 1"
    )
    assert answer(quiver, sql) == answer(postgres, sql)


# -- 5. constants among GROUP BY positions ----------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'x' AS k, customer_region, order_count FROM sales GROUP BY 1, 2 ORDER BY 2",
        "SELECT 'x'::text AS k, 1 + 1 AS two, customer_region, order_count FROM sales GROUP BY 1, 2, 3 ORDER BY 3",
        "SELECT CAST(NULL AS text) AS k, customer_region, order_count FROM sales GROUP BY 1, 2 ORDER BY 2",
        "WITH t AS (SELECT 'x' AS k, customer_region, order_count FROM sales GROUP BY 1, 2) SELECT * FROM t ORDER BY 2",
    ],
)
def test_constants_among_group_by_positions(
    sql: str, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = [(row[-2], row[-1]) for row in rows(quiver, sql)]
    assert got == raw.execute(RAW_REGION_ORDERS).fetchall()


def test_group_by_position_of_an_expression_over_dimensions(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = rows(quiver, "SELECT lower(customer_region) || '!' AS r, order_count FROM sales GROUP BY 1 ORDER BY 1")
    want = raw.execute(
        "SELECT lower(c.region) || '!', COUNT(*) FROM raw.orders o LEFT JOIN raw.customers c "
        "ON o.customer_id = c.customer_id GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert got == want


@pytest.mark.parametrize("item", ["1 + 1", "'a'::text", "upper('a')"])
def test_group_by_a_constant_expression_alone(
    item: str, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    assert (
        rows(quiver, f"SELECT order_count FROM sales GROUP BY {item}")
        == raw.execute("SELECT COUNT(*) FROM raw.orders").fetchall()
    )


CATALOG_CONSTANTS = (
    "SELECT 'x' AS k, nspname, count(*) FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') "
    "GROUP BY 1, 2 ORDER BY 2",
    "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') GROUP BY 1 + 1",
    "SELECT upper(nspname) AS u, count(*) FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') "
    "GROUP BY 1 ORDER BY 1",
)


@pytest.mark.parametrize("sql", CATALOG_CONSTANTS)
def test_catalog_constants_in_group_by_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM pg_catalog.pg_namespace GROUP BY 'a'",
        "SELECT count(*) FROM pg_catalog.pg_namespace GROUP BY nspname, NULL",
        "SELECT count(*) FROM pg_catalog.pg_namespace GROUP BY 1.5",
    ],
)
def test_a_non_integer_constant_in_group_by_is_42601_as_in_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert failure(quiver, sql) == failure(postgres, sql)
    assert failure(quiver, sql.replace("pg_catalog.pg_namespace", "sales").replace("nspname", "status"))[0] == "42601"

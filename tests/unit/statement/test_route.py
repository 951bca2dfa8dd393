"""route: the one decision of what answers a parsed statement (constant, catalog, temporary tables, semantic)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from server.sql.parser import parse_statement
from server.statement.route import Route, route

RELATIONS = frozenset({"orders", "sales"})
TEMP = {"t": pa.table({"x": [1]}), "orders": pa.table({"x": [1]})}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM pg_catalog.pg_class",
        "SELECT relname FROM pg_class",  # pg_catalog is searched first
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM pg_nosuch",  # still the catalog's to answer (with 42P01)
        "SELECT n.nspname FROM pg_namespace n JOIN (SELECT 1 AS x) t ON true",
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM pg_type)",
        "WITH t AS (SELECT oid FROM pg_class) SELECT * FROM t",
        "SELECT * FROM pg_get_keywords()",
        "SELECT * FROM information_schema._pg_expandarray(ARRAY[1])",
        'SELECT * FROM "pg_catalog"."pg_class"',
        "select pg_catalog.version()",  # session functions: the catalog answers them
        "WITH orders AS (SELECT 1 AS x) SELECT x FROM orders",  # a CTE shadows the relation
        "SELECT * FROM tables",  # names nothing of the model: the catalog answers (42P01)
        "SELECT * FROM elsewhere.orders",  # qualified with another schema: not the model's
    ],
)
def test_catalog_statements(sql: str) -> None:
    assert route(parse_statement(sql), RELATIONS) is Route.CATALOG


@pytest.mark.parametrize("sql", ["SELECT 1", "SELECT 1 AS x, 2 AS y", "SELECT 'a'"])
def test_constants(sql: str) -> None:
    assert route(parse_statement(sql), RELATIONS, TEMP) is Route.CONSTANT


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM orders",
        "SELECT * FROM public.sales",
        "SELECT relname FROM pg_class JOIN orders ON true",  # governed by the compiler, never the catalog
        "SELECT * FROM sales WHERE EXISTS (SELECT 1 FROM t)",
    ],
)
def test_semantic_statements(sql: str) -> None:
    assert route(parse_statement(sql), RELATIONS, {"t": TEMP["t"]}) is Route.SEMANTIC


@pytest.mark.parametrize(
    "sql", ["SELECT x FROM t", "SELECT * FROM orders", "WITH c AS (SELECT x FROM t) SELECT * FROM c"]
)
def test_temporary_tables(sql: str) -> None:
    """Reading only temporary tables runs on them; one named like a relation shadows it, as in PostgreSQL."""
    assert route(parse_statement(sql), RELATIONS, TEMP) is Route.TEMPORARY
    assert route(parse_statement("SELECT x FROM t"), RELATIONS) is Route.CATALOG  # no such table: 42P01 there

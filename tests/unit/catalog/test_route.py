"""names_catalog: which statements read pg_catalog or information_schema."""

from __future__ import annotations

import pytest

from server.catalog.route import names_catalog
from server.sql.parser import parse_statement


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
    ],
)
def test_catalog_statements(sql: str) -> None:
    assert names_catalog(parse_statement(sql))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "select pg_catalog.version()",
        "SELECT * FROM orders",
        "SELECT * FROM public.sales",
        "WITH pg_class AS (SELECT 1 AS relname) SELECT relname FROM pg_class",  # a CTE shadows the catalog
        "SELECT * FROM tables",  # information_schema is not in the search path
    ],
)
def test_other_statements(sql: str) -> None:
    assert not names_catalog(parse_statement(sql))

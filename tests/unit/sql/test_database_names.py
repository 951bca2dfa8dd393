"""Names that carry the database: checked against the session's database, then dropped (PostgreSQL's rule)."""

from __future__ import annotations

import pytest

from server.errors import FeatureNotSupported
from server.sql.database_names import current_database_names
from server.sql.parser import parse_statement


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT amount FROM quiver.public.sales", "SELECT amount FROM public.sales"),
        ('SELECT amount FROM "quiver"."public"."sales"', 'SELECT amount FROM "public"."sales"'),
        ("SELECT amount FROM QUIVER.public.sales", "SELECT amount FROM public.sales"),
        ("SELECT quiver.public.sales.amount FROM sales", "SELECT public.sales.amount FROM sales"),
        (
            "SELECT 1 FROM sales WHERE x IN (SELECT y FROM quiver.public.customers)",
            "SELECT 1 FROM sales WHERE x IN (SELECT y FROM public.customers)",
        ),
        ("SELECT relname FROM quiver.pg_catalog.pg_class", "SELECT relname FROM pg_catalog.pg_class"),
    ],
)
def test_the_current_database_part_is_dropped(sql: str, expected: str) -> None:
    assert current_database_names(parse_statement(sql), "quiver").sql("postgres") == expected


@pytest.mark.parametrize(
    ("sql", "written"),
    [
        ("SELECT amount FROM other.public.sales", '"other.public.sales"'),
        ('SELECT amount FROM "Quiver".public.sales', '"Quiver.public.sales"'),
        ("SELECT other.public.sales.amount FROM sales", "other.public.sales.amount"),  # unquoted, as PostgreSQL
        ("SELECT 1 FROM sales WHERE x IN (SELECT y FROM other.public.customers)", '"other.public.customers"'),
    ],
)
def test_another_database_is_a_cross_database_reference(sql: str, written: str) -> None:
    with pytest.raises(FeatureNotSupported) as raised:
        current_database_names(parse_statement(sql), "quiver")
    assert raised.value.sqlstate.value == "0A000"
    assert str(raised.value) == f"cross-database references are not implemented: {written}"


def test_a_tree_without_database_parts_is_returned_unchanged() -> None:
    tree = parse_statement("SELECT public.sales.amount FROM public.sales")
    assert current_database_names(tree, "quiver") is tree


def test_the_shared_tree_is_never_changed() -> None:
    tree = parse_statement("SELECT amount FROM quiver.public.sales")
    text = tree.sql()
    current_database_names(tree, "quiver")
    assert tree.sql() == text

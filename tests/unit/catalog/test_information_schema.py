"""information_schema agrees with pg_catalog about the same relations, in the SQL standard's terms."""

from __future__ import annotations

from tests.unit.catalog.conftest import Query, rows


def test_tables_lists_base_tables_and_views(query: Query) -> None:
    found = rows(
        query(
            "SELECT table_catalog, table_name, table_type, is_insertable_into FROM information_schema.tables"
            " WHERE table_schema = 'public' ORDER BY table_name"
        )
    )
    assert found == [
        ("quiver", "customer_360", "VIEW", "NO"),
        ("quiver", "customers", "BASE TABLE", "NO"),
        ("quiver", "order_items", "BASE TABLE", "NO"),
        ("quiver", "orders", "BASE TABLE", "NO"),
        ("quiver", "products", "BASE TABLE", "NO"),
        ("quiver", "sales", "VIEW", "NO"),
    ]


def test_columns_use_standard_type_names(query: Query) -> None:
    found = rows(
        query(
            "SELECT column_name, ordinal_position, is_nullable, data_type, udt_name, numeric_precision"
            " FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position"
        )
    )
    by_name = {row[0]: row[1:] for row in found}
    assert by_name["order_id"] == (1, "NO", "numeric", "numeric", None)
    assert by_name["order_ts"] == (3, "YES", "timestamp without time zone", "timestamp", None)
    assert by_name["order_count"] == (8, "YES", "bigint", "int8", 64)
    assert by_name["returned"] == (17, "YES", "boolean", "bool", None)
    assert [row[1] for row in found] == list(range(1, 19))


def test_primary_keys_through_constraints(query: Query) -> None:
    sql = (
        "SELECT kcu.table_name, kcu.column_name, tc.constraint_type FROM information_schema.table_constraints tc"
        " JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name"
        " ORDER BY 1"
    )
    assert rows(query(sql)) == [
        ("customers", "customer_id", "PRIMARY KEY"),
        ("order_items", "order_item_id", "PRIMARY KEY"),
        ("orders", "order_id", "PRIMARY KEY"),
        ("products", "product_id", "PRIMARY KEY"),
    ]
    assert rows(query("SELECT count(*) FROM information_schema.referential_constraints")) == [(0,)]


def test_schemata_and_views(query: Query) -> None:
    assert [r[0] for r in rows(query("SELECT schema_name FROM information_schema.schemata ORDER BY 1"))] == [
        "information_schema",
        "pg_catalog",
        "public",
    ]
    assert [r[0] for r in rows(query("SELECT table_name FROM information_schema.views ORDER BY 1"))] == [
        "customer_360",
        "sales",
    ]


def test_keywords_and_time_zones(query: Query) -> None:
    keywords = dict(rows(query("SELECT word, catcode FROM pg_get_keywords()")))
    assert keywords["select"] == "R" and keywords["abort"] == "U"
    zones = {row[0] for row in rows(query("SELECT name FROM pg_timezone_names"))}
    assert "UTC" in zones

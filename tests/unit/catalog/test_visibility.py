"""The catalog shows only the relations the caller may see: hidden ones appear nowhere, not even by OID or name."""

from __future__ import annotations

import pytest

from server.catalog.catalog import Catalog
from server.errors import UndefinedTable
from server.semantic.model import Manifest
from server.sql.oids import relation_oid
from tests.unit.catalog.conftest import Query, rows

VISIBLE = ("orders", "sales")
HIDDEN = ("customers", "order_items", "products", "customer_360")


@pytest.fixture(scope="module")
def narrow(manifest: Manifest) -> Catalog:
    return Catalog(manifest, {name: manifest.relations[name] for name in VISIBLE}, users=("alice",))


def names(query: Query, narrow: Catalog, sql: str) -> set[object]:
    return {row[0] for row in rows(query(sql, on=narrow))}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT relname FROM pg_catalog.pg_class",
        "SELECT table_name FROM information_schema.tables",
        "SELECT table_name FROM information_schema.columns",
        "SELECT table_name FROM information_schema.views",
        "SELECT tablename FROM pg_tables",
        "SELECT viewname FROM pg_views",
        "SELECT tablename FROM pg_indexes",
        "SELECT typname FROM pg_type",
        "SELECT relname FROM pg_stat_user_tables",
        "SELECT table_name FROM information_schema.key_column_usage",
        "SELECT table_name FROM information_schema.table_privileges",
    ],
)
def test_hidden_relations_are_not_listed(query: Query, narrow: Catalog, sql: str) -> None:
    found = names(query, narrow, sql)
    for name in HIDDEN:
        assert name not in found
    assert any(name in found for name in VISIBLE) or "key_column_usage" in sql or "pg_views" in sql


def test_hidden_relations_have_no_attributes_descriptions_or_keys(query: Query, narrow: Catalog) -> None:
    hidden_oids = [relation_oid(name) for name in HIDDEN]
    oids = ", ".join(str(oid) for oid in hidden_oids)
    for sql in (
        f"SELECT attrelid FROM pg_attribute WHERE attrelid IN ({oids})",
        f"SELECT objoid FROM pg_description WHERE objoid IN ({oids})",
        f"SELECT indrelid FROM pg_index WHERE indrelid IN ({oids})",
        f"SELECT conrelid FROM pg_constraint WHERE conrelid IN ({oids})",
        f"SELECT typrelid FROM pg_type WHERE typrelid IN ({oids})",
    ):
        assert rows(query(sql, on=narrow)) == []
    described = {row[0] for row in rows(query("SELECT objoid FROM pg_description", on=narrow))}
    assert described == {relation_oid(name) for name in VISIBLE}


def test_visible_relations_are_complete(query: Query, narrow: Catalog) -> None:
    listed = rows(query("SELECT relname, relkind FROM pg_class WHERE relnamespace = 2200 ORDER BY 1", on=narrow))
    assert listed == [("orders", "r"), ("orders_pkey", "i"), ("sales", "v")]


def test_a_hidden_relation_cannot_be_named(query: Query, narrow: Catalog) -> None:
    with pytest.raises(UndefinedTable) as raised:
        query("SELECT 'customers'::regclass", on=narrow)
    assert raised.value.sqlstate == "42P01"
    assert rows(query("SELECT to_regclass('customers'), to_regclass('orders')::oid", on=narrow)) == [
        (None, relation_oid("orders"))
    ]
    assert rows(query(f"SELECT obj_description({relation_oid('customers')}, 'pg_class')", on=narrow)) == [(None,)]
    assert rows(query(f"SELECT pg_get_viewdef({relation_oid('customer_360')})", on=narrow)) == [(None,)]

"""Every provider: its rows fit its columns, it is listed in pg_class/pg_attribute, and OIDs are stable."""

from __future__ import annotations

import pyarrow as pa
import pytest

from server.catalog.catalog import Catalog
from server.catalog.content import build_content
from server.catalog.providers import PROVIDERS, Provider
from server.semantic.model import Manifest
from server.sql.oids import relation_oid
from tests.unit.catalog.conftest import Query, rows


@pytest.mark.parametrize("provider", PROVIDERS, ids=[f"{p.schema}.{p.name}" for p in PROVIDERS])
def test_provider_answers_select_star_with_its_columns(query: Query, provider: Provider) -> None:
    result = query(f"SELECT * FROM {provider.schema}.{provider.name}")
    assert result.column_names == list(provider.column_names)


def test_provider_oids_and_names_are_unique() -> None:
    assert len({p.oid for p in PROVIDERS}) == len(PROVIDERS)
    assert len({(p.schema, p.name) for p in PROVIDERS}) == len(PROVIDERS)


def test_catalog_tables_describe_themselves(query: Query) -> None:
    assert rows(query("SELECT oid, relkind FROM pg_class WHERE relname = 'pg_class'")) == [(1259, "r")]
    attributes = rows(query("SELECT attname, attnum, atttypid FROM pg_attribute WHERE attrelid = 1259 ORDER BY 2"))
    assert attributes[:3] == [("oid", 1, 26), ("relname", 2, 19), ("relnamespace", 3, 26)]
    assert rows(query("SELECT relkind FROM pg_class WHERE oid = 'information_schema.columns'::regclass")) == [("v",)]


def test_oid_and_int2_columns_have_postgres_widths(query: Query) -> None:
    result = query("SELECT oid, relnamespace, relnatts, relname, relkind FROM pg_class WHERE relname = 'orders'")
    assert [f.type for f in result.schema] == [pa.uint32(), pa.uint32(), pa.int16(), pa.string(), pa.string()]
    assert result.schema.field("relname").metadata == {b"pg_type": b"name"}
    assert result.schema.field("relkind").metadata == {b"pg_type": b"char"}
    assert result.column("oid").to_pylist() == [relation_oid("orders")]


def test_relation_oids_are_stable_across_catalogs(manifest: Manifest) -> None:
    one = build_content(manifest, manifest.relations, column_types=None, database="quiver", users=())
    two = build_content(manifest, manifest.relations, column_types=None, database="other", users=("x",))
    assert [(r.name, r.oid, r.index_oid, r.type_oid) for r in one.relations] == [
        (r.name, r.oid, r.index_oid, r.type_oid) for r in two.relations
    ]
    assert one.relation("orders").oid == relation_oid("orders")  # type: ignore[union-attr]


def test_engine_column_types_are_used_when_given(manifest: Manifest, query: Query) -> None:
    names = [m.name for m in manifest.relations["orders"].public_members()]
    given = {"orders": [(name, "float8" if name == "gross_amount" else "int4") for name in names]}
    typed = Catalog(manifest, {"orders": manifest.relations["orders"]}, column_types=given)
    sql = "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'orders'::regclass"
    found = dict(rows(query(sql + " AND attnum > 0", on=typed)))
    assert found["gross_amount"] == "double precision"
    assert found["order_id"] == "integer"

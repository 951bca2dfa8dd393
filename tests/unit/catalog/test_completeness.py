"""Catalog completeness: reg* spellings and result types, temporary views in the session's catalog,
information_schema's true-type helpers and SQL information tables, name and aclitem[] result types."""

from __future__ import annotations

import pytest

from server.catalog.translate.casts import type_key
from server.sql.pg_types import TYPE_METADATA
from server.sql.session_info import SessionInfo, TempRelationInfo
from tests.unit.catalog.conftest import Query, rows


def described(table: object, index: int) -> str | None:
    metadata = table.schema.field(index).metadata or {}  # type: ignore[attr-defined]
    found = metadata.get(TYPE_METADATA)
    return found.decode() if found else None


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("varchar(10)", "varchar"),
        ("pg_catalog.int4[]", "int4[]"),
        ("float", "float8"),
        ("float(24)", "float4"),
        ("float(25)", "float8"),
        ("Double  Precision", "double precision"),
        ("timestamp(3) with time zone", "timestamp with time zone"),
        ("character varying(3)[]", "character varying[]"),
    ],
)
def test_type_spellings(written: str, key: str) -> None:
    assert type_key(written) == key


def test_reg_values_print_as_names_and_are_typed(query: Query) -> None:
    table = query("SELECT 'varchar(10)'::regtype, '{int4,text}'::regtype[], to_regtype('int4'), to_regclass('nope')")
    assert rows(table) == [("character varying", ["integer", "text"], "integer", None)]
    assert [described(table, i) for i in range(4)] == ["regtype", "_regtype", "regtype", "regclass"]


def test_any_over_a_regtype_array(query: Query) -> None:
    sql = (
        "SELECT attname FROM pg_attribute WHERE attrelid = 'pg_namespace'::regclass"
        " AND atttypid = ANY('{oid,name}'::regtype[]) AND attnum > 0 ORDER BY 1"
    )
    assert rows(query(sql)) == [("nspname",), ("nspowner",), ("oid",)]


def test_name_and_aclitem_columns_are_typed(query: Query) -> None:
    table = query("SELECT relname, relacl, pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'pg_class'")
    assert [described(table, i) for i in range(3)] == ["name", "_aclitem", "name"]
    table = query("SELECT table_name, table_type FROM information_schema.tables LIMIT 1")
    assert [described(table, i) for i in range(2)] == ["name", "varchar"]


def test_temporary_views_in_the_sessions_catalog(query: Query) -> None:
    view = TempRelationInfo("_ibis_tmp", 4_100_000_000, "v", (("channel", 25, -1), ("amount", 1700, 655366)))
    session = SessionInfo(user="alice", temp_relations=(view,))
    sql = (
        "SELECT n.nspname, c.relkind, c.relpersistence, a.attname, format_type(a.atttypid, a.atttypmod)"
        " FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid JOIN pg_namespace n ON c.relnamespace = n.oid"
        " WHERE c.relname = '_ibis_tmp' AND n.oid = pg_my_temp_schema() ORDER BY a.attnum"
    )
    assert rows(query(sql, as_session=session)) == [
        ("pg_temp_3", "v", "t", "channel", "text"),
        ("pg_temp_3", "v", "t", "amount", "numeric(10,2)"),
    ]
    assert rows(query(sql)) == []  # another session has no such view
    assert rows(query("SELECT pg_my_temp_schema()")) == [(0,)]


def test_true_type_helpers(query: Query) -> None:
    sql = (
        "SELECT information_schema._pg_truetypid(a.*, t.*) = a.atttypid,"
        " information_schema._pg_truetypmod(a, t) = a.atttypmod"
        " FROM pg_attribute a JOIN pg_type t ON a.atttypid = t.oid WHERE a.attrelid = 'pg_class'::regclass LIMIT 3"
    )
    assert rows(query(sql)) == [(True, True)] * 3


def test_sql_information_tables(query: Query) -> None:
    assert rows(query("SELECT count(*) FROM information_schema.sql_features")) == [(714,)]
    sizing = query(
        "SELECT supported_value FROM information_schema.sql_sizing WHERE sizing_name = 'MAXIMUM COLUMNS IN SELECT'"
    )
    assert rows(sizing) == [(1664,)]
    version = (
        "SELECT character_value FROM information_schema.sql_implementation_info WHERE implementation_info_id = '18'"
    )
    assert rows(query(version)) == [("16.04.0000)",)]

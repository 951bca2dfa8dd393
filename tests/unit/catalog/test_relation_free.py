"""SELECTs that name no relation (drivers' probes, session functions, literals) run on the catalog's engine."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa

from server.sql.session_info import SessionInfo
from tests.unit.catalog.conftest import Query, rows


def test_select_1(query: Query) -> None:
    result = query("SELECT 1")
    assert result.column_names == ["?column?"]
    assert result.schema.field(0).type == pa.int32()
    assert rows(result) == [(1,)]


def test_version_is_postgres_16_for_sqlalchemy(query: Query) -> None:
    ((version,),) = rows(query("select pg_catalog.version()"))
    assert version.startswith("PostgreSQL 16.")
    assert query("select version()").column_names == ["version"]


def test_now_is_a_timestamp_with_time_zone(query: Query) -> None:
    result = query("SELECT now()")
    assert result.column_names == ["now"]
    assert pa.types.is_timestamp(result.schema.field(0).type) and result.schema.field(0).type.tz is not None
    ((value,),) = rows(result)
    assert abs(value - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_session_functions(query: Query) -> None:
    result = query("SELECT current_user, current_database(), current_schema(), pg_backend_pid()")
    assert result.column_names == ["current_user", "current_database", "current_schema", "pg_backend_pid"]
    assert rows(result) == [("alice", "quiver", "public", 4242)]
    assert rows(query("SELECT current_schemas(true)")) == [(["pg_catalog", "public"],)]


def test_settings_and_set_config(query: Query) -> None:
    assert rows(query("SELECT current_setting('server_version_num'), current_setting('search_path')")) == [
        ("160004", "public")
    ]
    assert rows(query("SELECT current_setting('jit') AS cur, set_config('jit', 'off', false) AS new")) == [
        ("off", "off")
    ]
    custom = SessionInfo(user="alice", settings={"datestyle": "ISO, DMY"})
    assert rows(query("SELECT current_setting(name) FROM pg_settings WHERE name = 'DateStyle'", as_session=custom)) == [
        ("ISO, DMY",)
    ]


def test_literals_keep_postgres_types(query: Query) -> None:
    result = query("SELECT 1.5::numeric AS n, 'x'::text, true AS b, NULL AS nothing, 2::int2 AS s")
    assert rows(result) == [(Decimal("1.5"), "x", True, None, 2)]
    assert result.column_names == ["n", "text", "b", "nothing", "s"]
    assert result.schema.field("nothing").type == pa.string()
    assert result.schema.field("s").type == pa.int16()


def test_set_returning_functions(query: Query) -> None:
    result = query("SELECT generate_series(1, 3)")
    assert rows(result) == [(1,), (2,), (3,)]
    assert result.schema.field(0).type == pa.int32()  # int4, as in PostgreSQL
    assert rows(query("SELECT s.i FROM generate_series(2, 4) AS s(i)")) == [(2,), (3,), (4,)]
    assert rows(query("SELECT x FROM unnest(ARRAY['a', 'b']) x")) == [("a",), ("b",)]


def test_string_functions_clients_use(query: Query) -> None:
    assert rows(query("SELECT quote_ident('Orders'), quote_ident('orders'), quote_ident('select')")) == [
        ('"Orders"', "orders", '"select"')
    ]
    assert rows(query("SELECT format('%I.%I has %s', 'public', 'My Table', 3)")) == [('public."My Table" has 3',)]
    assert rows(query("SELECT pg_size_pretty(0::bigint), pg_size_pretty(20480::bigint)")) == [("0 bytes", "20 kB")]
    assert rows(query("SELECT E'a\\nb'")) == [("a\nb",)]


def test_values_and_row_constructors(query: Query) -> None:
    result = query("VALUES (1, 'a')")
    assert result.column_names == ["column1", "column2"]
    assert rows(result) == [(1, "a")]
    assert rows(query("SELECT row(1, 'a b', NULL, true)")) == [('(1,"a b",,t)',)]

"""The PostgreSQL-to-DuckDB rewrites that catalog queries depend on, one behaviour each."""

from __future__ import annotations

from server.sql.oids import relation_oid
from tests.unit.catalog.conftest import Query, rows


def test_result_columns_are_named_as_postgres_names_them(query: Query) -> None:
    result = query(
        "SELECT c.relname, pg_catalog.format_type(23, NULL), c.oid::regclass, 'x'::text, 1 + 1,"
        " CASE WHEN true THEN c.relkind ELSE 'x' END, CASE WHEN true THEN 1 END, count(*), Mixed"
        " FROM pg_class c, (SELECT 1 AS mixed) t WHERE c.relname = 'orders' GROUP BY 1, 3, 4, 5, 6, 7, 9"
    )
    assert result.column_names == [
        "relname", "format_type", "oid", "text", "?column?", "case", "case", "count", "mixed",
    ]  # fmt: skip


def test_regclass_compares_as_an_oid_and_prints_as_a_name(query: Query) -> None:
    sql = "SELECT c.oid::regclass, 'orders'::regclass::oid FROM pg_class c WHERE c.oid = 'public.orders'::regclass"
    assert rows(query(sql)) == [("orders", relation_oid("orders"))]
    assert rows(query("SELECT 'pg_catalog.pg_class'::regclass::oid, 'information_schema.tables'::regclass")) == [
        (1259, "information_schema.tables")
    ]
    assert rows(query("SELECT 'int4'::regtype::oid, 23::regtype, 'integer'::regtype::text, 0::regclass")) == [
        (23, "integer", "integer", "-")
    ]


def test_regproc_columns_print_as_function_names(query: Query) -> None:
    assert rows(query("SELECT typinput, typreceive FROM pg_type WHERE typname = '_int4'")) == [
        ("array_in", "array_recv")
    ]
    joined = "SELECT p.proname FROM pg_type t JOIN pg_proc p ON p.oid = t.typreceive WHERE t.typname = 'int4'"
    assert rows(query(joined)) == [("int4recv",)]
    star = query("SELECT * FROM pg_type WHERE typname = 'bool'")
    assert star.column("typoutput").to_pylist() == ["boolout"]


def test_regex_operators_and_operator_syntax(query: Query) -> None:
    sql = (
        "SELECT relname FROM pg_class WHERE relname OPERATOR(pg_catalog.~) '^(sales|orders)$' "
        "COLLATE pg_catalog.default AND relname !~ '^o' AND relname ~* '^S'"
    )
    assert rows(query(sql)) == [("sales",)]


def test_any_and_all_over_arrays(query: Query) -> None:
    sql = (
        "SELECT relname FROM pg_class WHERE relkind = ANY (ARRAY['v']) AND relname <> ALL (ARRAY['sales'])"
        " AND relnamespace = 2200"
    )
    assert rows(query(sql)) == [("customer_360",)]


def test_int2vector_is_indexed_from_zero_and_prints_with_spaces(query: Query) -> None:
    sql = (
        "SELECT indkey[0], indkey::text, array_lower(indkey, 1), array_upper(indkey, 1),"
        " (SELECT array_agg(s) FROM generate_subscripts(indkey, 1) s) FROM pg_index"
        f" WHERE indrelid = {relation_oid('orders')}"
    )
    assert rows(query(sql)) == [(1, "1", 0, 0, [0])]
    aliased = f"SELECT k.v[0] FROM (SELECT indkey AS v FROM pg_index WHERE indrelid = {relation_oid('orders')}) k"
    assert rows(query(aliased)) == [(1,)]


def test_expandarray_and_record_fields(query: Query) -> None:
    sql = (
        "SELECT (information_schema._pg_expandarray(ARRAY[5, 7])).n AS n,"
        " (information_schema._pg_expandarray(ARRAY[5, 7])).x AS x"
    )
    assert rows(query(sql)) == [(1, 5), (2, 7)]


def test_array_literals_compare_with_array_columns(query: Query) -> None:
    assert rows(query("SELECT count(*) FROM pg_policy pol WHERE pol.polroles = '{0}'")) == [(0,)]
    assert rows(query("SELECT 23 = ANY('{20,23}'::pg_catalog.oid[]), 21 = ANY('{20,23}'::int4[])")) == [(True, False)]


def test_system_columns_of_catalog_tables(query: Query) -> None:
    assert rows(query("SELECT tableoid, xmin FROM pg_namespace WHERE nspname = 'public'")) == [(2615, 2)]


def test_functions_in_from_are_one_row_relations(query: Query) -> None:
    sql = "SELECT can_order FROM pg_am a CROSS JOIN pg_indexam_has_property(a.oid, 'can_order') can_order"
    assert rows(query(sql + " WHERE a.amname = 'btree'")) == [(True,)]


def test_visibility_follows_the_search_path(query: Query) -> None:
    from server.sql.session_info import SessionInfo

    elsewhere = SessionInfo(user="alice", search_path=("analytics",))
    sql = "SELECT pg_table_is_visible('public.orders'::regclass), pg_table_is_visible('pg_class'::regclass)"
    assert rows(query(sql)) == [(True, True)]
    assert rows(query(sql, as_session=elsewhere)) == [(False, True)]


def test_qualified_star_over_pg_type_prints_function_names(query: Query) -> None:
    result = query("SELECT t.oid, t.* FROM pg_catalog.pg_type t WHERE t.typname = 'int4'")
    assert result.column_names[:3] == ["oid", "oid", "typname"]
    assert result.column("typinput").to_pylist() == ["int4in"]

"""SQLAlchemy, pandas, pgJDBC, psqlODBC, asyncpg and Npgsql introspection, replayed and checked value by value."""

from __future__ import annotations

from server.semantic.model import Manifest
from server.sql.oids import relation_oid
from tests.unit.catalog.conftest import Query, client_sql, rows

TABLES = ["customers", "order_items", "orders", "products"]
VIEWS = ["customer_360", "sales"]


def run(query: Query, corpus: str, name: str) -> list[tuple[object, ...]]:
    return rows(query(client_sql(corpus, name)))


# -- SQLAlchemy 2 (psycopg2) and pandas ---------------------------------------------------------------


def test_sqlalchemy_lists_schemas_tables_and_views(query: Query) -> None:
    assert run(query, "sqlalchemy2", "sqlalchemy get_schema_names") == [("information_schema",), ("public",)]
    assert sorted(run(query, "sqlalchemy2", "sqlalchemy get_table_names")) == [(t,) for t in TABLES]
    assert sorted(run(query, "sqlalchemy2", "sqlalchemy get_view_names")) == [(v,) for v in VIEWS]
    assert run(query, "sqlalchemy2", "sqlalchemy get_materialized_view_names") == []
    assert run(query, "sqlalchemy2", "sqlalchemy has_table") == [("orders",)]


def test_sqlalchemy_get_columns_gives_names_types_nullability_and_comments(query: Query, manifest: Manifest) -> None:
    columns = run(query, "sqlalchemy2", "sqlalchemy get_columns")
    assert [c[0] for c in columns] == [m.name for m in manifest.relations["orders"].public_members()]
    by_name = {c[0]: c for c in columns}
    # name, format_type, default, not_null, table_name, comment, generated, identity_options, collation
    assert by_name["order_id"][1:6] == ("numeric", None, True, "orders", "Unique identifier of the order.")
    assert by_name["status"][1:4] == ("text", None, False)
    assert by_name["net_revenue"][5].endswith("[measure: sum]")
    assert by_name["online"][1] == "boolean"
    assert {c[7] for c in columns} == {None}  # no identity columns


def test_sqlalchemy_get_pk_constraint_finds_orders_order_id(query: Query) -> None:
    assert run(query, "sqlalchemy2", "sqlalchemy get_pk_constraint") == [(relation_oid("orders"), "orders")]
    ((conrelid, cols, name, description, keys, nulls_not_distinct),) = run(
        query, "sqlalchemy2", "sqlalchemy get_pk_constraint #2"
    )
    assert (conrelid, cols, name, description, keys, nulls_not_distinct) == (
        relation_oid("orders"),
        ["order_id"],
        "orders_pkey",
        None,
        1,
        False,
    )


def test_sqlalchemy_foreign_keys_indexes_and_constraints_are_empty(query: Query) -> None:
    assert run(query, "sqlalchemy2", "sqlalchemy get_foreign_keys") == [("orders", None, None, None, None)]
    assert run(query, "sqlalchemy2", "sqlalchemy get_indexes #3") == []  # the primary key is not an extra index
    assert run(query, "sqlalchemy2", "sqlalchemy get_unique_constraints") == []


def test_sqlalchemy_table_comment_and_view_definition(query: Query) -> None:
    assert run(query, "sqlalchemy2", "sqlalchemy get_table_comment") == [
        ("orders", "One row per order placed by a customer, with its amounts before and after refunds.")
    ]
    ((definition,),) = run(query, "sqlalchemy2", "sqlalchemy get_view_definition")
    assert definition.startswith(" SELECT order_id,")


def test_sqlalchemy_multi_reflection_sees_only_the_product(query: Query) -> None:
    tables = [row[1] for row in run(query, "sqlalchemy2", "sqlalchemy metadata_reflect #9")]
    assert sorted(tables) == sorted(TABLES + VIEWS)


def test_pandas_relname_check_of_a_query_text_finds_nothing(query: Query) -> None:
    assert run(query, "sqlalchemy2", "sqlalchemy pandas_read_sql_query") == []


def test_sqlalchemy_hstore_lookup_finds_nothing(query: Query) -> None:
    assert run(query, "sqlalchemy2", "sqlalchemy connect") == []


def test_sqlalchemy_14_primary_key_and_index_queries(query: Query) -> None:
    assert run(query, "sqlalchemy14", "sqlalchemy get_pk_constraint columns") == [("order_id",)]
    assert run(query, "sqlalchemy14", "sqlalchemy get_pk_constraint name") == [("orders_pkey",)]
    # a.attnum = ANY(ix.indkey) and ix.indkey::varchar ("1", PostgreSQL's int2vector text)
    assert run(query, "sqlalchemy14", "sqlalchemy get_indexes primary") == [("orders_pkey", True, "order_id", 1, "1")]
    assert sorted(run(query, "sqlalchemy14", "sqlalchemy get_table_names")) == [(t,) for t in TABLES]
    assert run(query, "sqlalchemy14", "sqlalchemy get_table_oid") == [(relation_oid("orders"),)]


# -- pgJDBC ---------------------------------------------------------------------------------------------


def test_jdbc_get_schemas_and_catalogs(query: Query) -> None:
    assert run(query, "jdbc", "jdbc getSchemas") == [
        ("information_schema", "quiver"),
        ("pg_catalog", "quiver"),
        ("public", "quiver"),
    ]
    assert run(query, "jdbc", "jdbc getCatalogs") == [("quiver",)]


def test_jdbc_get_tables_lists_tables_then_views_with_remarks(query: Query) -> None:
    tables = run(query, "jdbc", "jdbc getTables")
    assert [(t[2], t[3]) for t in tables] == [(t, "TABLE") for t in TABLES] + [(v, "VIEW") for v in VIEWS]
    assert {t[0] for t in tables} == {"quiver"}
    remarks = {t[2]: t[4] for t in tables}
    assert remarks["sales"].startswith("Orders with the customer who placed them")


def test_jdbc_get_columns_gives_types_nullability_and_positions(query: Query) -> None:
    columns = run(query, "jdbc", "jdbc getColumns #2")
    by_name = {c[3]: c for c in columns}
    assert len(columns) == 18
    assert by_name["order_id"][4:6] == (1700, True)  # atttypid numeric, NOT NULL
    assert by_name["order_count"][4] == 20  # int8
    assert by_name["order_ts"][4] == 1114  # timestamp
    assert [c[9] for c in columns] == list(range(1, 19))  # attnum by row_number()
    assert by_name["returned"][13] == "Orders that were returned. [segment]"


def test_jdbc_get_primary_keys_and_index_info(query: Query) -> None:
    assert run(query, "jdbc", "jdbc getPrimaryKeys") == [("quiver", "public", "orders", "order_id", 1, "orders_pkey")]
    ((index,),) = [run(query, "jdbc", "jdbc getIndexInfo")]
    assert (index[2], index[3], index[5], index[7], index[8], index[9]) == (
        "orders",
        False,
        "orders_pkey",
        1,
        "order_id",
        "A",
    )
    assert run(query, "jdbc", "jdbc getImportedKeys #2") == []


def test_jdbc_get_type_info_lists_types_and_is_array(query: Query) -> None:
    types = dict(run(query, "jdbc", "jdbc getTypeInfo"))
    assert types["int4"] == 23 and types["_text"] == 1009 and types["numeric"] == 1700
    arrays = {row[2]: row[0] for row in run(query, "jdbc", "jdbc getTypeInfo #2")}
    assert arrays["_int4"] is True and arrays["int4"] is False  # typinput = 'array_in'::regproc


def test_jdbc_result_set_metadata_lookup(query: Query) -> None:
    # getColumnTypeName/isNullable follow a RowDescription's table OID and attnums.
    found = run(query, "jdbc", "jdbc resultset")
    assert sorted((r[0], r[1], r[2], r[3], r[5]) for r in found) == [
        (relation_oid("orders"), 1, "order_id", "orders", True),
        (relation_oid("orders"), 4, "status", "orders", False),
    ]


# -- psqlODBC -------------------------------------------------------------------------------------------


def test_odbc_tables_and_columns(query: Query) -> None:
    tables = run(query, "odbc", "odbc tables")
    assert [(t[0], t[2]) for t in tables] == sorted([(t, "r") for t in TABLES] + [(v, "v") for v in VIEWS])
    columns = run(query, "odbc", "odbc columns")
    assert [c[2] for c in columns][:3] == ["order_id", "customer_id", "order_ts"]
    assert [c[4] for c in columns][:4] == ["numeric", "numeric", "timestamp", "text"]


def test_odbc_primary_keys_read_indkey_from_zero(query: Query) -> None:
    # ta.attnum = i.indkey[ia.attnum-1]: int2vector subscripts start at 0.
    assert run(query, "odbc", "odbc primaryKeys") == [("order_id", 1, "orders_pkey", "public", "orders")]


def test_odbc_statistics_lists_the_primary_key_index(query: Query) -> None:
    ((index,),) = [run(query, "odbc", "odbc statistics #2")]
    assert index[:5] == ("orders_pkey", [1], True, False, "btree")


# -- asyncpg --------------------------------------------------------------------------------------------


def test_asyncpg_type_introspection_returns_the_types_asked_and_their_elements(query: Query) -> None:
    found = run(query, "asyncpg", "asyncpg enum #2")  # asked for numeric (1700) and int2vector (22)
    by_oid = {row[0]: row for row in found}
    assert set(by_oid) == {1700, 22, 21}  # int2 comes in as int2vector's element
    assert by_oid[22][1:4] == ("pg_catalog", "int2vector", "b")
    assert by_oid[22][5] == 21 and by_oid[22][12] == "smallint"  # elemtype, elemtype_name
    assert by_oid[21][10] == 1 and by_oid[1700][10] == 0  # depth
    assert by_oid[1700][12] == "-"  # 0::regtype::text


def test_asyncpg_jit_toggle(query: Query) -> None:
    assert run(query, "asyncpg", "asyncpg enum") == [("off", "off")]
    assert run(query, "asyncpg", "asyncpg enum #3") == [("on",)]


# -- Npgsql (Power BI) ----------------------------------------------------------------------------------


def test_npgsql_type_loading_marks_arrays_by_their_receive_function(query: Query) -> None:
    types = {row[2]: row for row in run(query, "npgsql", "npgsql load types")}
    assert types["int4"][3] == "b"
    assert types["_int4"][3] == "a" and types["_int4"][5] == 23  # array of int4, found through pg_proc
    assert "orders" not in types  # table row types are not loaded by default

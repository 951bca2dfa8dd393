"""psql's backslash commands, replayed from the SQL psql 15 sent to a real server, answered with Quiver's product."""

from __future__ import annotations

from server.sql.oids import relation_oid
from tests.unit.catalog.conftest import Query, client_sql, rows

TABLES = ["customers", "order_items", "orders", "products"]
VIEWS = ["customer_360", "sales"]


def psql(query: Query, command: str) -> list[tuple[object, ...]]:
    return rows(query(client_sql("psql", f"psql {command}")))


def test_l_lists_the_one_database(query: Query) -> None:
    assert psql(query, "\\l") == [("quiver", "quiver", "UTF8", "C", "C", None, "libc", None)]


def test_dn_lists_public_owned_by_the_database_owner(query: Query) -> None:
    assert psql(query, "\\dn") == [("public", "pg_database_owner")]


def test_dt_lists_the_tables_with_kind_and_owner(query: Query) -> None:
    assert psql(query, "\\dt") == [("public", name, "table", "quiver") for name in TABLES]


def test_dv_lists_the_views(query: Query) -> None:
    assert psql(query, "\\dv") == [("public", name, "view", "quiver") for name in VIEWS]


def test_d_lists_tables_and_views_in_name_order(query: Query) -> None:
    listed = [(row[1], row[2]) for row in psql(query, "\\d")]
    assert listed == sorted([(t, "table") for t in TABLES] + [(v, "view") for v in VIEWS])


def test_dt_plus_shows_table_descriptions(query: Query) -> None:
    described = {row[1]: row[-1] for row in psql(query, "\\dt+")}
    assert described["orders"] == "One row per order placed by a customer, with its amounts before and after refunds."
    assert set(described) == set(TABLES)


def test_d_name_resolves_the_pattern_with_operator_regex(query: Query) -> None:
    # c.relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default
    assert psql(query, "\\d orders") == [(relation_oid("orders"), "public", "orders")]
    assert psql(query, "\\d nosuch") == []


def test_d_orders_reports_a_table_with_an_index(query: Query) -> None:
    (details,) = psql(query, "\\d orders #2")
    assert details[:3] == (0, "r", True)  # relchecks, relkind, relhasindex
    assert details[-1] == "heap"


def test_d_orders_lists_columns_with_types_in_order(query: Query, manifest) -> None:  # type: ignore[no-untyped-def]
    columns = psql(query, "\\d orders #3")
    names = [m.name for m in manifest.relations["orders"].public_members()]
    assert [c[0] for c in columns] == names
    types = dict((c[0], c[1]) for c in columns)
    assert types["order_id"] == "numeric"
    assert types["order_ts"] == "timestamp without time zone"
    assert types["status"] == "text"
    assert types["order_count"] == "bigint"
    assert types["returned"] == "boolean"
    assert [c[0] for c in columns if c[3]] == ["order_id"]  # only the primary key is NOT NULL


def test_d_orders_shows_the_primary_key_index(query: Query) -> None:
    (index,) = psql(query, "\\d orders #4")
    assert index[0] == "orders_pkey"
    assert index[1] is True  # indisprimary
    assert index[5] == "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (order_id)"
    assert index[6] == "PRIMARY KEY (order_id)"
    assert index[7] == "p"


def test_d_orders_footers_are_empty(query: Query) -> None:
    for part in range(5, 10):  # policies, statistics, publications, inherits, partitions
        assert psql(query, f"\\d orders #{part}") == []


def test_d_plus_orders_shows_member_descriptions_and_markers(query: Query) -> None:
    comments = {row[0]: row[-1] for row in psql(query, "\\d+ orders #2")}
    assert comments["order_id"] == "Unique identifier of the order."
    assert comments["net_revenue"] == (
        "Revenue net of refunds, in EUR. The authoritative definition of revenue. [measure: sum]"
    )
    assert comments["order_count"] == "Number of orders. [measure: count]"
    assert comments["returned"] == "Orders that were returned. [segment]"


def test_d_sales_lists_the_view_columns_with_types_in_order(query: Query, manifest) -> None:  # type: ignore[no-untyped-def]
    (details,) = psql(query, "\\d sales #2")
    assert details[1] == "v"
    columns = psql(query, "\\d sales #3")
    assert [c[0] for c in columns] == [m.name for m in manifest.relations["sales"].public_members()]
    types = dict((c[0], c[1]) for c in columns)
    assert types["customer_name"] == "text"
    assert types["customer_count"] == "bigint"
    assert types["customer_signup_date"] == "timestamp without time zone"
    assert not any(c[3] for c in columns)  # views have no NOT NULL columns


def test_d_plus_sales_shows_a_definition_naming_only_its_columns(query: Query) -> None:
    ((definition,),) = psql(query, "\\d+ sales #3")
    assert "product_category" in definition and "net_revenue" in definition
    for table in ("customers", "order_items", "products"):  # the tables behind the view are not revealed
        assert f" {table}" not in definition and f"{table}." not in definition
    assert psql(query, "\\d+ sales #4") == []  # no rules other than _RETURN


def test_du_lists_roles_without_system_roles(query: Query) -> None:
    roles = {row[0]: row[1] for row in psql(query, "\\du")}
    assert roles == {"quiver": True, "alice": False, "bob": False}


def test_dx_lists_plpgsql(query: Query) -> None:
    assert [row[0] for row in psql(query, "\\dx")] == ["plpgsql"]


def test_dconfig_lists_settings(query: Query) -> None:
    assert len(psql(query, "\\dconfig")) > 0

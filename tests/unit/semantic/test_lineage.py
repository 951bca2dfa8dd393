"""Member lineage: the source columns every member reads, for the demo and every fixture model.

The expectations are written out by hand from the YAML, member by member, so a
change in what the lineage finds (a column lost through a ``{member}`` reference,
a filter ignored) shows here before it shows as a policy that hides too little.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import DEMO_MODELS
from server.semantic.build import build_manifest
from server.semantic.lineage import Source, build_lineage
from server.semantic.model import Manifest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"

# member -> (source columns as "table.column", members it is built on as "table.member")
Expected = dict[str, tuple[set[str], set[str]]]

DEMO: Expected = {
    "customers.customer_id": ({"customers.customer_id"}, set()),
    "customers.name": ({"customers.name"}, set()),
    "customers.email": ({"customers.email"}, set()),
    "customers.phone": ({"customers.phone"}, set()),
    "customers.country": ({"customers.country"}, set()),
    "customers.region": ({"customers.region"}, set()),
    "customers.segment": ({"customers.segment"}, set()),
    "customers.signup_date": ({"customers.signup_date"}, set()),
    "customers.customer_count": ({"customers.customer_id"}, set()),
    "customers.enterprise_customers": ({"customers.customer_id", "customers.segment"}, {"customers.segment"}),
    "customers.enterprise": ({"customers.segment"}, set()),
    "order_items.order_item_id": ({"order_items.order_item_id"}, set()),
    "order_items.order_id": ({"order_items.order_id"}, set()),
    "order_items.product_id": ({"order_items.product_id"}, set()),
    "order_items.quantity": ({"order_items.quantity"}, set()),
    "order_items.unit_price": ({"order_items.unit_price"}, set()),
    "order_items.discount": ({"order_items.discount"}, set()),
    "order_items.line_count": (set(), set()),
    "order_items.units_sold": ({"order_items.quantity"}, set()),
    "order_items.item_revenue": ({"order_items.quantity", "order_items.unit_price", "order_items.discount"}, set()),
    "orders.order_id": ({"orders.order_id"}, set()),
    "orders.customer_id": ({"orders.customer_id"}, set()),
    "orders.order_ts": ({"orders.order_ts"}, set()),
    "orders.status": ({"orders.status"}, set()),
    "orders.channel": ({"orders.channel"}, set()),
    "orders.gross_amount": ({"orders.gross_amount"}, set()),
    "orders.refunded_amount": ({"orders.refunded_amount"}, set()),
    "orders.order_count": (set(), set()),
    "orders.gross_revenue": ({"orders.gross_amount"}, set()),
    "orders.net_revenue": ({"orders.gross_amount", "orders.refunded_amount"}, set()),
    "orders.refunded_revenue": ({"orders.refunded_amount"}, set()),
    "orders.average_order_value": (
        {"orders.gross_amount", "orders.refunded_amount"},
        {"orders.net_revenue", "orders.order_count"},
    ),
    "orders.returned_orders": ({"orders.status"}, {"orders.status"}),
    "orders.return_rate": ({"orders.status"}, {"orders.returned_orders", "orders.order_count", "orders.status"}),
    "orders.first_order_ts": ({"orders.order_ts"}, set()),
    "orders.last_order_ts": ({"orders.order_ts"}, set()),
    "orders.returned": ({"orders.status"}, {"orders.status"}),
    "orders.online": ({"orders.channel"}, set()),
    "products.product_id": ({"products.product_id"}, set()),
    "products.name": ({"products.name"}, set()),
    "products.category": ({"products.category"}, set()),
    "products.unit_price": ({"products.unit_price"}, set()),
    "products.product_count": (set(), set()),
    "products.average_list_price": ({"products.unit_price"}, set()),
}

GOVERNED: Expected = {
    **{f"accounts.{c}": ({f"accounts.{c}"}, set()) for c in ("id", "name", "email", "region", "tenant", "salary")},
    **{f"accounts.{c}": ({f"accounts.{c}"}, set()) for c in ("score", "birthday", "phone")},
    "accounts.full_label": ({"accounts.name", "accounts.email"}, set()),
    "accounts.account_count": (set(), set()),
    "accounts.total_salary": ({"accounts.salary"}, set()),
    "accounts.total_score": ({"accounts.score"}, set()),
    "accounts.distinct_emails": ({"accounts.email"}, set()),
    "accounts.well_paid": ({"accounts.salary"}, set()),
    **{f"invoices.{c}": ({f"invoices.{c}"}, set()) for c in ("id", "account_id", "amount")},
    "invoices.invoice_count": (set(), set()),
    "invoices.revenue": ({"invoices.amount"}, set()),
    **{f"lines.{c}": ({f"lines.{c}"}, set()) for c in ("id", "invoice_id", "qty")},
    "lines.units": ({"lines.qty"}, set()),
    **{f"notes.{c}": ({f"notes.{c}"}, set()) for c in ("id", "invoice_id", "body")},
}

CUBE_STYLE: Expected = {
    "orders.id": ({"orders.order_id"}, set()),
    "orders.status": ({"orders.status"}, set()),
    "orders.count": (set(), set()),
    "orders.revenue": ({"orders.gross_amount", "orders.refunded_amount"}, set()),
    "customers.id": ({"customers.customer_id"}, set()),
    "customers.region": ({"customers.region"}, set()),
}

DERIVED: Expected = {
    **{f"sales_orders.{c}": ({f"sales_orders.{c}"}, set()) for c in ("id", "customer_id", "status", "gross")},
    "sales_orders.refund": ({"sales_orders.refund"}, set()),
    "sales_orders.label": ({"sales_orders.status", "sales_orders.gross"}, {"sales_orders.status"}),
    # The subquery's column is read as if it were the table's own: the member is undecided (below) anyway.
    "sales_orders.top_gross": ({"sales_orders.gross"}, set()),
    "sales_orders.customer_name": ({"customers.name"}, {"customers.name"}),
    "sales_orders.order_count": (set(), set()),
    "sales_orders.gross_total": ({"sales_orders.gross"}, {"sales_orders.gross"}),
    "sales_orders.net_total": ({"sales_orders.gross", "sales_orders.refund"}, set()),
    "sales_orders.refund_total": ({"sales_orders.refund"}, set()),
    "sales_orders.net_per_order": (
        {"sales_orders.gross", "sales_orders.refund"},
        {"sales_orders.net_total", "sales_orders.order_count"},
    ),
    "sales_orders.net_per_order_x2": (
        {"sales_orders.gross", "sales_orders.refund"},
        {"sales_orders.net_per_order", "sales_orders.net_total", "sales_orders.order_count"},
    ),
    "sales_orders.big_orders": ({"sales_orders.gross"}, set()),
    "sales_orders.statuses": ({"sales_orders.status"}, {"sales_orders.status"}),
    "sales_orders.big": ({"sales_orders.gross"}, {"sales_orders.gross"}),
    "sales_orders.open": ({"sales_orders.status"}, {"sales_orders.status"}),
    "orders_again.id": ({"orders_again.id"}, set()),
    "orders_again.amount": ({"orders_again.amount"}, set()),
    "orders_again.amount_total": ({"orders_again.amount"}, {"orders_again.amount"}),
    **{f"customers.{c}": ({f"customers.{c}"}, set()) for c in ("id", "name", "first", "last")},
    "customers.full_name": ({"customers.first", "customers.last"}, set()),
    "customers.initials": ({"customers.first", "customers.last"}, {"customers.first", "customers.last"}),
    "customers.display": ({"customers.first", "customers.last"}, set()),
    "customers.customer_count": (set(), set()),
}

MODELS = {
    "demo": (DEMO_MODELS, DEMO),
    "governed": (FIXTURES / "governed", GOVERNED),
    "cube_style": (FIXTURES / "cube_style", CUBE_STYLE),
    "derived": (FIXTURES / "derived", DERIVED),
}


def manifest_of(directory: Path) -> Manifest:
    result = build_manifest(directory)
    assert result.ok, [str(i) for i in result.errors]
    assert result.manifest is not None and result.manifest.lineage is not None
    return result.manifest


def _named(sources: frozenset[Source]) -> set[str]:
    return {str(s) for s in sources}


@pytest.mark.parametrize("model", MODELS)
def test_every_member_reads_what_its_sql_says(model: str) -> None:
    directory, expected = MODELS[model]
    manifest = manifest_of(directory)
    lineage = manifest.lineage
    assert lineage is not None
    members = {f"{t.name}.{m.name}" for t in manifest.tables.values() for m in t.members}
    assert members == set(expected), "every member of the model has an expectation"
    for name, (sources, built_on) in expected.items():
        found = lineage.of(*name.split("."))
        assert _named(found.sources) == sources, name
        assert {f"{t}.{m}" for t, m in found.members} == built_on, name
        if name != "sales_orders.top_gross":
            assert found.decided, (name, found.undecided)


def test_view_members_have_their_tables_lineage() -> None:
    manifest = manifest_of(DEMO_MODELS)
    lineage = manifest.lineage
    assert lineage is not None
    for view in ("sales", "customer_360"):
        for exposed, member in manifest.relations[view].members.items():
            assert lineage.of_relation_member(member) == lineage.of(member.table, member.member.name), exposed
    sales = manifest.relations["sales"].members
    assert _named(lineage.of_relation_member(sales["item_revenue"]).sources) == DEMO["order_items.item_revenue"][0]
    assert _named(lineage.of_relation_member(sales["customer_email"]).sources) == {"customers.email"}


def test_columns_are_known_by_the_engine_column_behind_them() -> None:
    lineage = manifest_of(FIXTURES / "derived").lineage
    assert lineage is not None
    # ``SELECT * FROM src.orders`` and ``SELECT id, gross AS amount FROM src.orders``: one engine column.
    assert lineage.identity(Source("sales_orders", "gross")) == {"model:sales_orders.gross", "source:src.orders.gross"}
    assert lineage.identity(Source("orders_again", "amount")) == {
        "model:orders_again.amount",
        "source:src.orders.gross",
    }
    demo = manifest_of(DEMO_MODELS).lineage  # load_sql('orders') is SELECT * FROM raw.orders
    assert demo is not None
    assert "source:raw.orders.gross_amount" in demo.identity(Source("orders", "gross_amount"))
    cube = manifest_of(FIXTURES / "cube_style").lineage  # sql_table: raw.orders
    assert cube is not None
    assert "source:raw.orders.order_id" in cube.identity(Source("orders", "order_id"))


TABLE_SQL = [
    ("SELECT * FROM raw.t", "x", {"source:raw.t.x"}),
    ("SELECT a AS x FROM raw.t", "x", {"source:raw.t.a"}),
    ("SELECT a + b AS x, c FROM raw.t WHERE c > 0", "x", {"source:raw.t.a", "source:raw.t.b"}),
    ("SELECT a + b AS x, c FROM raw.t", "c", {"source:raw.t.c"}),
    ("SELECT t.a AS x FROM raw.t AS t JOIN raw.u AS u ON t.id = u.id", "x", {"source:raw.t.a"}),
    ("SELECT u.* FROM raw.t AS t JOIN raw.u AS u ON t.id = u.id", "x", {"source:raw.u.x"}),
    ("SELECT * FROM raw.t AS t JOIN raw.u AS u ON t.id = u.id", "x", {"source:raw.t.x", "source:raw.u.x"}),
    # Not decidable without a schema: only the model column's own identity.
    ("SELECT a AS x FROM raw.t JOIN raw.u ON t.id = u.id", "x", set()),
    ("SELECT * FROM (SELECT a AS x FROM raw.t) AS s", "x", set()),
    ("WITH s AS (SELECT a AS x FROM raw.t) SELECT * FROM s", "x", set()),
    ("SELECT a AS y FROM raw.t", "x", set()),
    ("SELECT (SELECT max(a) FROM raw.u) AS x FROM raw.t", "x", set()),
    ("SELECT * FROM raw.t UNION ALL SELECT * FROM raw.u", "x", set()),
]


def _model(directory: Path, table_sql: str, dimensions: str, measures: str = "") -> Manifest:
    (directory / "tables").mkdir(parents=True, exist_ok=True)
    text = (
        "tables:\n  - name: t\n"
        f"    sql: {table_sql!r}\n"
        "    dimensions:\n      - name: id\n        type: number\n        primary_key: true\n"
        f"{dimensions}"
        f"{measures}"
    )
    (directory / "tables" / "t.yml").write_text(text)
    result = build_manifest(directory)
    assert result.manifest is not None and result.manifest.lineage is not None
    assert not result.errors, [str(i) for i in result.errors]
    return result.manifest


@pytest.mark.parametrize(("table_sql", "column", "engine"), TABLE_SQL)
def test_engine_columns_behind_a_table_sql(tmp_path: Path, table_sql: str, column: str, engine: set[str]) -> None:
    manifest = _model(tmp_path, table_sql, f"      - name: v\n        type: number\n        column: {column}\n")
    lineage = manifest.lineage
    assert lineage is not None
    assert lineage.identity(Source("t", column)) == {f"model:t.{column}", *engine}


UNDECIDED = [
    ("(SELECT x FROM raw.other LIMIT 1) || ''", "it reads a subquery"),
    ("{TABLE}.x IN (SELECT x FROM raw.other)", "it reads a subquery"),
    ("EXISTS (SELECT 1 FROM raw.other)", "it reads a subquery"),
    ("list_max([COLUMNS('.*')])", "it reads columns chosen by COLUMNS(...)"),
    ("struct_pack(*)", "it reads every column (*)"),
]


@pytest.mark.parametrize(("sql", "reason"), UNDECIDED)
def test_lineage_that_cannot_be_decided_says_why(tmp_path: Path, sql: str, reason: str) -> None:
    manifest = _model(
        tmp_path,
        "SELECT * FROM raw.t",
        f"      - name: v\n        type: string\n        sql: {sql!r}\n"
        "      - name: w\n        type: string\n        sql: \"{v} || 'x'\"\n",
    )
    lineage = manifest.lineage
    assert lineage is not None
    assert lineage.of("t", "v").undecided == reason
    # Whatever is built on it is undecided too, for the same reason.
    assert lineage.of("t", "w").undecided == reason
    assert lineage.of("t", "id").decided


def test_count_star_reads_no_column(tmp_path: Path) -> None:
    manifest = _model(
        tmp_path,
        "SELECT * FROM raw.t",
        "",
        "    measures:\n      - name: n\n        type: number\n        sql: 'count(*) * 2'\n",
    )
    lineage = manifest.lineage
    assert lineage is not None
    assert lineage.of("t", "n").decided and not lineage.of("t", "n").sources


def test_invalid_models_still_get_a_lineage_that_never_loops() -> None:
    """Even a model with errors (cycles, unknown references) gets a lineage, without recursing forever."""
    for directory in sorted((FIXTURES / "invalid").iterdir()):
        result = build_manifest(directory)
        if result.manifest is None or result.manifest.lineage is None:
            continue
        lineage = build_lineage(result.manifest.tables)
        for table in result.manifest.tables.values():
            for member in table.members:
                found = lineage.of(table.name, member.name)
                assert {s.table for s in found.sources} <= set(result.manifest.tables), (directory.name, member.name)
    cycle = build_manifest(FIXTURES / "invalid" / "measure_cycle").manifest
    assert cycle is not None and cycle.lineage is not None
    assert "defined in terms of itself" in (cycle.lineage.of("orders", "a").undecided or "")
    assert lineage.of("nowhere", "x").undecided == "it is not a member of the model"

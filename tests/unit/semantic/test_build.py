"""Loading models: the demo, Lens and Cube spellings, positions, views."""

from __future__ import annotations

from pathlib import Path

import duckdb

from connectors.duckdb import DuckDBConnector
from server.config import DEMO_MODELS
from server.engine import Engine
from server.execution.executor import Executor
from server.policy.identity import Caller
from server.semantic.build import build_manifest
from server.semantic.model import MemberKind, RelationKind
from server.semantic.spec import MeasureType, Relationship
from server.semantic.store import ModelStore
from server.sql.session_info import SessionInfo
from server.statement import StatementService

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"


def test_demo_model_has_no_problems_at_all() -> None:
    result = build_manifest(DEMO_MODELS)
    assert result.ok
    assert [str(i) for i in result.issues] == []


def test_demo_model_shape() -> None:
    manifest = build_manifest(DEMO_MODELS).manifest
    assert manifest is not None
    assert sorted(manifest.tables) == ["customers", "order_items", "orders", "products"]
    assert sorted(manifest.views) == ["customer_360", "sales"]
    assert [g.name for g in manifest.user_groups] == ["admin", "eu_analyst", "analyst", "default"]
    orders = manifest.tables["orders"]
    assert orders.joins["customers"].relationship is Relationship.MANY_TO_ONE
    assert orders.joins["order_items"].relationship is Relationship.ONE_TO_MANY
    assert orders.measures["average_order_value"].is_derived
    assert orders.measures["net_revenue"].type is MeasureType.SUM
    assert [d.name for d in orders.primary_key] == ["order_id"]
    sales = manifest.relations["sales"]
    assert sales.kind is RelationKind.VIEW and sales.root == "orders"
    assert sales.members["customer_region"].path == ("orders", "customers")
    assert sales.members["product_category"].path == ("orders", "order_items", "products")
    assert sales.members["customer_count"].kind is MemberKind.MEASURE
    # Every member of the demo says what it means.
    assert all(m.description for t in manifest.tables.values() for m in t.members)


def test_positions_point_at_the_member_name() -> None:
    manifest = build_manifest(DEMO_MODELS).manifest
    assert manifest is not None
    origin = manifest.tables["orders"].measures["net_revenue"].origin
    text = Path(origin.path).read_text().splitlines()
    assert text[origin.line - 1][origin.column - 1 :].startswith("net_revenue")


def test_load_sql_inlines_the_sql_file() -> None:
    manifest = build_manifest(DEMO_MODELS).manifest
    assert manifest is not None
    assert manifest.tables["customers"].sql.sql() == "SELECT * FROM raw.customers"


def test_version_changes_with_content(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(DEMO_MODELS, copy)
    first = build_manifest(copy).manifest
    (copy / "tables" / "products.yml").write_text((copy / "tables" / "products.yml").read_text() + "\n# edit\n")
    second = build_manifest(copy).manifest
    assert first is not None and second is not None and first.version != second.version


def test_cube_spelling_loads_and_answers_like_the_raw_tables(
    connector: DuckDBConnector, raw: duckdb.DuckDBPyConnection
) -> None:
    result = build_manifest(FIXTURES / "cube_style")
    assert result.ok, [str(i) for i in result.issues]
    manifest = result.manifest
    assert manifest is not None
    assert manifest.tables["orders"].joins["customers"].relationship is Relationship.MANY_TO_ONE
    assert list(manifest.relations["revenue"].members) == ["status", "count", "revenue", "customers_region"]
    engine = Engine(ModelStore(FIXTURES / "cube_style"), Executor(connector))
    sql = "SELECT customers_region, revenue, count FROM revenue ORDER BY 1"
    stream = StatementService(engine).query(sql, Caller("admin"), SessionInfo(user="admin"))
    got = [tuple(r.values()) for r in stream.read_all().to_pylist()]
    expected = raw.execute(
        "SELECT c.region, SUM(o.gross_amount - o.refunded_amount), COUNT(*) FROM raw.orders o "
        "LEFT JOIN raw.customers c ON o.customer_id = c.customer_id GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert got == expected

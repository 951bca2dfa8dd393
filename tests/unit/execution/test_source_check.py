"""A renamed column in the source fails model loading loudly (SM502), at the member that reads it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from connectors.duckdb import DuckDBConnector
from server.config import DEMO_MODELS
from server.execution.executor import Executor
from server.execution.source_check import check_sources
from server.semantic.build import build_manifest


def test_demo_model_matches_its_source(connector: DuckDBConnector) -> None:
    manifest = build_manifest(DEMO_MODELS).manifest
    assert manifest is not None
    assert check_sources(manifest, Executor(connector)) == []


def test_renamed_column_is_reported_at_each_member_reading_it(demo_db: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.duckdb"
    shutil.copyfile(demo_db, renamed)
    con = duckdb.connect(str(renamed))
    con.execute("ALTER TABLE raw.orders RENAME COLUMN gross_amount TO gross_amount_eur")
    con.close()
    manifest = build_manifest(DEMO_MODELS).manifest
    assert manifest is not None
    connector = DuckDBConnector(renamed)
    try:
        issues = check_sources(manifest, Executor(connector))
    finally:
        connector.close()
    assert {i.code for i in issues} == {"SM502"}
    assert all('column "gross_amount" of table "orders" does not exist in its source' in i.message for i in issues)
    assert issues[0].hint == 'Perhaps you meant the column "gross_amount_eur".'
    # The dimension, gross_revenue and net_revenue all read it: each is reported where it is defined.
    assert len(issues) == 3
    assert all(i.origin.path.endswith("tables/orders.yml") for i in issues)

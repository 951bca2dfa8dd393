"""Assembling a server: the source registry is built at start and handed to the engine."""

from __future__ import annotations

import shutil
from pathlib import Path

from server.app import build_app, build_sources
from server.config import Settings
from server.execution.sources import DEFAULT_SOURCE
from server.policy.identity import Caller
from server.render.targets import target


def test_build_app_serves_from_the_default_source(demo_db: Path, tmp_path: Path) -> None:
    database = tmp_path / "orders.duckdb"
    shutil.copyfile(demo_db, database)
    app = build_app(Settings.from_env(database=database, audit_log="off"), quiet=True)
    try:
        assert app.engine.sources is app.sources
        assert [source.name for source in app.sources] == [DEFAULT_SOURCE]
        assert app.sources.default.target is target("duckdb")
        assert app.engine.executor is not None
        assert app.engine.executor.connector is app.sources.default.connector
        compiled, stream = app.engine.execute("SELECT count(*) AS n FROM orders", Caller("admin"))
        assert compiled.target == "duckdb"
        assert stream.read_all().column("n")[0].as_py() > 0
    finally:
        app.close()


def test_the_checking_source_is_built_the_same_way(demo_db: Path, tmp_path: Path) -> None:
    database = tmp_path / "orders.duckdb"
    shutil.copyfile(demo_db, database)
    sources = build_sources(Settings.from_env(database=database, audit_log="off"), checking=True)
    try:
        assert sources.default.target is target("duckdb")
    finally:
        sources.close()

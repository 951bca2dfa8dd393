"""Assembling a server: the source registry is built at start and handed to the engine."""

from __future__ import annotations

import shutil
from pathlib import Path

from server.app import build_app, build_sources
from server.config import Settings
from server.execution.sources import DEFAULT_SOURCE
from server.policy.identity import Caller
from server.render.targets import target
from server.sql.session_info import SessionInfo
from server.statement import StatementService


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
        caller = Caller("admin")
        assert app.engine.compile("SELECT count(*) AS n FROM orders", caller).target == "duckdb"
        session = SessionInfo(user="admin", database=app.engine.database_name)
        result = StatementService(app.engine).query("SELECT count(*) AS n FROM orders", caller, session)
        assert result.read_all().column("n")[0].as_py() == 20000
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

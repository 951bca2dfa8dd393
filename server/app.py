"""Assemble a running Quiver from settings: models, connector, engine.

The one place that decides which connector serves which model, and that builds
the demo data on first use so the quick start needs no separate step.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.duckdb import DuckDBConnector
from server.config import Settings
from server.demo.generate import build_demo, text_progress
from server.engine import Engine
from server.errors import ModelInvalid
from server.execution.executor import Executor
from server.execution.source_check import check_sources
from server.semantic.store import ModelStore


@dataclass
class App:
    settings: Settings
    engine: Engine
    connector: DuckDBConnector

    def close(self) -> None:
        self.connector.close()


def ensure_demo_data(settings: Settings, quiet: bool = False) -> None:
    """Build the demo database if the demo model is served and its file is missing."""
    if settings.is_demo and not settings.database.exists():
        build_demo(settings.database, settings.demo_scale, None if quiet else text_progress())


def build_app(settings: Settings, quiet: bool = False) -> App:
    ensure_demo_data(settings, quiet)
    connector = DuckDBConnector(
        settings.database, threads=settings.threads or None, workers=settings.query_workers
    )
    try:
        store = ModelStore(settings.models, settings.model_dialect)
        executor = Executor(connector)
        problems = [issue for issue in check_sources(store.manifest, executor) if issue.is_error]
        if problems:
            raise ModelInvalid(problems)
        engine = Engine(
            store,
            executor,
            plan_cache_size=settings.plan_cache_size,
            statement_timeout=settings.statement_timeout,
        )
    except Exception:
        connector.close()
        raise
    return App(settings, engine, connector)

"""The engine's caches are bounded: a worker serving many callers and model versions keeps a fixed number."""

from __future__ import annotations

from connectors.duckdb import DuckDBConnector
from server.engine import RELATION_CACHE_SIZE, Engine
from server.execution.executor import Executor
from server.policy.identity import Caller
from server.semantic.store import ModelStore

ADMIN = Caller("admin")
EU_ANALYST = Caller("eu_analyst", attributes={"region": "EU"})


def test_catalogs_beyond_the_setting_are_rebuilt_not_kept(models: ModelStore, connector: DuckDBConnector) -> None:
    engine = Engine(models, Executor(connector), catalog_cache_size=1)
    admin_catalog = engine.catalog_for(ADMIN)
    assert engine.catalog_for(ADMIN) is admin_catalog  # a hit while it is the most recent
    eu_catalog = engine.catalog_for(EU_ANALYST)  # sees other members: a second catalog evicts the first
    assert eu_catalog is not admin_catalog
    assert len(engine._catalogs) == 1
    rebuilt = engine.catalog_for(ADMIN)
    assert rebuilt is not admin_catalog
    assert [r.name for r in rebuilt.content.relations] == [r.name for r in admin_catalog.content.relations]


def test_plan_and_relation_caches_have_their_sizes(models: ModelStore, connector: DuckDBConnector) -> None:
    engine = Engine(models, Executor(connector), plan_cache_size=2)
    for n in range(5):
        engine.compile(f"SELECT status FROM orders LIMIT {n + 1}", ADMIN)
    assert len(engine.cache) == 2
    assert engine._column_types.capacity == engine._relation_schemas.capacity == RELATION_CACHE_SIZE

"""Shared fixtures: the demo data product built once per session, and an engine over it.

``QUIVER_STRICT=1`` (set by CI) turns every "dependency missing" skip into a
failure, so a green CI run means every test ran.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from connectors.duckdb import DuckDBConnector
from server.config import DEMO_MODELS
from server.demo.generate import build_demo
from server.engine import Engine
from server.execution.executor import Executor
from server.semantic.store import ModelStore

STRICT = os.environ.get("QUIVER_STRICT") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip when a dependency is missing, except under QUIVER_STRICT=1, where that is a failure."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"QUIVER_STRICT=1 and a test dependency is missing: {reason}")
    pytest.skip(reason)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots", action="store_true", help="rewrite compiler SQL snapshots instead of comparing"
    )


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "orders.duckdb"
    build_demo(path, scale=1.0)
    return path


@pytest.fixture(scope="session")
def models() -> ModelStore:
    return ModelStore(DEMO_MODELS)


@pytest.fixture(scope="session")
def connector(demo_db: Path) -> Iterator[DuckDBConnector]:
    connector = DuckDBConnector(demo_db)
    yield connector
    connector.close()


@pytest.fixture(scope="session")
def engine(models: ModelStore, connector: DuckDBConnector) -> Engine:
    return Engine(models, Executor(connector))


@pytest.fixture(scope="session")
def raw(demo_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Direct DuckDB over a copy of the same data: the ground truth answers are computed here.

    A copy, because one process cannot open the same DuckDB file with two configurations.
    """
    copy = demo_db.with_name("ground_truth.duckdb")
    shutil.copyfile(demo_db, copy)
    con = duckdb.connect(str(copy), read_only=True)
    yield con
    con.close()

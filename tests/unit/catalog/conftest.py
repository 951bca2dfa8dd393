"""Fixtures: the demo data product's catalog, seen by a caller who may see everything, and a helper to query it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from server.catalog.catalog import Catalog
from server.config import DEMO_MODELS
from server.semantic.build import build_manifest
from server.semantic.model import Manifest
from server.sql.oids import relation_oid
from server.sql.parser import parse_statement
from server.sql.session_info import SessionInfo

Query = Callable[..., pa.Table]


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    return build_manifest(DEMO_MODELS).manifest


@pytest.fixture(scope="session")
def catalog(manifest: Manifest) -> Catalog:
    return Catalog(manifest, manifest.relations, database="quiver", users=("alice", "bob"))


@pytest.fixture(scope="session")
def session() -> SessionInfo:
    return SessionInfo(user="alice", database="quiver", application_name="pytest", backend_pid=4242)


@pytest.fixture(scope="session")
def query(catalog: Catalog, session: SessionInfo) -> Query:
    """Run SQL text on the full catalog as alice; ``as_user`` / ``on`` change who asks and which catalog."""

    def run(sql: str, *, on: Catalog | None = None, as_session: SessionInfo | None = None) -> pa.Table:
        return (on or catalog).execute(parse_statement(sql), as_session or session)

    return run


def rows(table: pa.Table) -> list[tuple[object, ...]]:
    """A result as a list of tuples (column names can repeat, so not dictionaries)."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return list(zip(*columns, strict=True))


CORPUS_DIR = Path(__file__).parent / "corpus"
_PLACEHOLDER = re.compile(r"\{oid:(\w+)\}")


def client_sql(corpus: str, name: str) -> str:
    """A recorded client query (``corpus/<corpus>.yaml``, entry ``name``) with relation OIDs inlined."""
    for entry in yaml.safe_load((CORPUS_DIR / f"{corpus}.yaml").read_text()):
        if entry["name"] == name:
            return _PLACEHOLDER.sub(lambda m: str(relation_oid(m.group(1))), entry["sql"])
    raise KeyError(f"{corpus}.yaml has no entry {name!r}")

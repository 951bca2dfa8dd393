"""What BI tools and drivers send, replayed: catalog statements as PostgreSQL answers them, semantic ones exactly.

The corpus is ``tests/fixtures/bi_replay/corpus.py`` (each statement with its tool and
where its text comes from). Catalog and scalar statements run on Quiver and on the test
PostgreSQL and must have the same result shape (column names, the common type OIDs, and
the row count or the rows where those are deterministic). Semantic statements over the
demo data product must return the rows of their reference SQL over the raw tables.

A statement in ``corpus.KNOWN_DIFFERENCES`` must show exactly its documented difference
(no xfail: a new difference fails). ``benchmarks/bi_replay.py`` counts the same outcomes
per family.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import psycopg
import pytest

from tests.conftest import require
from tests.fixtures.bi_replay.corpus import CATALOG, KNOWN_DIFFERENCES, SEMANTIC, Statement
from tests.fixtures.bi_replay.replay import compare_catalog, compare_semantic, run
from tests.integration.conftest import QuiverServer
from tests.support.postgres import find_bin, running_postgres

pytestmark = pytest.mark.integration
MIN_TOOLS = 12


def param(statement: Statement) -> Any:
    return pytest.param(statement, id=statement.id)


@pytest.fixture(scope="module")
def postgres() -> Iterator[psycopg.Connection[Any]]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def quiver(quiver_server: QuiverServer) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(quiver_server.dsn("admin"), autocommit=True) as conn:
        yield conn


def test_corpus_covers_the_tools_and_names_its_sources() -> None:
    statements = CATALOG + SEMANTIC
    assert len({s.tool for s in statements}) >= MIN_TOOLS
    assert len({s.id for s in statements}) == len(statements)
    assert all(s.source and s.family for s in statements)
    assert all(s.reference or s.command for s in SEMANTIC)


@pytest.mark.parametrize("statement", [param(s) for s in CATALOG])
def test_catalog_statement_has_postgres_shape(
    statement: Statement, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    outcome = compare_catalog(statement, run(quiver, statement.sql), run(postgres, statement.sql))
    assert not outcome.leak, f"{statement.id}: the engine's text reached the client ({outcome.leak}): {outcome.why}"
    known = KNOWN_DIFFERENCES.get(statement.id)
    if known is not None:  # a documented difference: exactly it, nothing else
        assert outcome.kind == "differs" and known in outcome.why, f"{statement.id}: {outcome.kind}: {outcome.why}"
        return
    assert outcome.good, f"{statement.id} ({statement.tool}): {outcome.kind}: {outcome.why}"


@pytest.mark.parametrize("statement", [param(s) for s in SEMANTIC])
def test_semantic_statement_matches_the_raw_tables(
    statement: Statement, quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    outcome = compare_semantic(statement, run(quiver, statement.sql), raw)
    assert not outcome.leak, f"{statement.id}: the engine's text reached the client ({outcome.leak}): {outcome.why}"
    assert outcome.kind == "same", f"{statement.id} ({statement.tool}): {outcome.kind}: {outcome.why}"

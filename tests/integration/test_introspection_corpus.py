"""The catalog queries BI tools send on connecting, browsing and previewing run on Quiver as on PostgreSQL.

The corpus is ``tests/fixtures/introspection/<tool>/NN_name.sql`` (Tableau, Metabase,
DBeaver, DataGrip, Power BI, Superset), each query as the tool sends it, with the
result shape real PostgreSQL 15 gives recorded next to it by
``python -m tests.fixtures.introspection.record_expected``. Every query must run
without error on ``quiver serve``, return the same column names (and, for catalog
queries, the same type OIDs among the common scalar types) and at least
``min_rows`` rows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import psycopg
import pytest

from tests.fixtures.introspection.corpus import (
    RELATION_COLUMNS_SQL,
    RELATION_OID_SQL,
    TOOLS,
    CorpusQuery,
    load_corpus,
)
from tests.integration.conftest import QuiverServer

CORPUS = load_corpus()
MIN_QUERIES_PER_TOOL = 8

# Type OIDs compared between PostgreSQL and Quiver: bool, int2, int4, int8, text, oid, name, "char",
# float8, numeric. name and varchar count as text (clients read all three as strings).
BOOL, INT2, INT4, INT8, TEXT, OID, NAME, CHAR, FLOAT8, NUMERIC, VARCHAR = (
    16, 21, 23, 20, 25, 26, 19, 18, 701, 1700, 1043,
)  # fmt: skip
COMPARED_TYPES = frozenset({BOOL, INT2, INT4, INT8, TEXT, OID, CHAR, FLOAT8, NUMERIC})
TYPE_NAMES = {BOOL: "bool", INT2: "int2", INT4: "int4", INT8: "int8", TEXT: "text", OID: "oid", NAME: "name",
              CHAR: "char", FLOAT8: "float8", NUMERIC: "numeric", VARCHAR: "varchar"}  # fmt: skip


def comparable(type_oid: int) -> int:
    return TEXT if type_oid in (NAME, TEXT, VARCHAR) else type_oid


def relation_oid(conn: psycopg.Connection[Any], schema: str, relation: str) -> int:
    row = conn.execute(RELATION_OID_SQL, (schema, relation)).fetchone()
    if row is None:
        pytest.fail(f"pg_class has no relation {schema}.{relation} (needed for an OID placeholder)")
    return int(row[0])


def relation_columns(conn: psycopg.Connection[Any], schema: str, relation: str) -> list[str]:
    return [str(row[0]) for row in conn.execute(RELATION_COLUMNS_SQL, (schema, relation)).fetchall()]


def type_name(type_oid: int) -> str:
    return TYPE_NAMES.get(type_oid, str(type_oid))


@pytest.mark.integration
@pytest.mark.parametrize("query", CORPUS, ids=[q.id for q in CORPUS])
def test_query_has_postgres_result_shape(quiver_server: QuiverServer, query: CorpusQuery) -> None:
    expected = query.expected()
    with psycopg.connect(quiver_server.dsn("admin"), autocommit=True) as conn:
        text = query.resolve(lambda schema, relation: relation_oid(conn, schema, relation))
        cursor = conn.execute(text)
        assert cursor.description is not None, f"{query.id}: no result set"
        rows = cursor.fetchall()
        columns = [(column.name, column.type_code) for column in cursor.description]
        star = query.star
        if star is None:
            expected_names = [name for name, _ in expected["columns"]]
        else:  # SELECT *: the relation's own columns in catalog order, then the extras
            expected_names = [*relation_columns(conn, star.schema, star.relation), *star.extra]

    assert [name for name, _ in columns] == expected_names, f"{query.id}: result column names differ"
    if query.kind == "catalog":
        mismatched = [
            f"{name}: {type_name(actual)} (PostgreSQL: {type_name(wanted)})"
            for (name, actual), (_, wanted) in zip(columns, expected["columns"], strict=True)
            if comparable(wanted) in COMPARED_TYPES and comparable(actual) != comparable(wanted)
        ]
        assert not mismatched, f"{query.id}: column types differ: {', '.join(mismatched)}"
    assert len(rows) >= expected["min_rows"], f"{query.id}: {len(rows)} rows, expected at least {expected['min_rows']}"


def test_corpus_covers_every_tool() -> None:
    counts = Counter(query.tool for query in CORPUS)
    short = {tool: counts[tool] for tool in TOOLS if counts[tool] < MIN_QUERIES_PER_TOOL}
    assert not short, f"fewer than {MIN_QUERIES_PER_TOOL} queries for {short}"


@pytest.mark.parametrize("query", CORPUS, ids=[q.id for q in CORPUS])
def test_expected_shape_is_recorded(query: CorpusQuery) -> None:
    """Every query has a recorded shape that agrees with its header (re-run record_expected.py after edits)."""
    assert query.expected_path.exists(), f"{query.id}: run python -m tests.fixtures.introspection.record_expected"
    expected = query.expected()
    assert expected["query"] == query.id
    assert expected["kind"] == query.kind
    assert expected["min_rows"] == query.min_rows
    assert expected["star"] == (None if query.star is None else query.star.to_json())
    assert expected["columns"], f"{query.id}: no columns recorded"

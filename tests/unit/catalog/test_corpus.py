"""Every recorded client query runs on the catalog and returns PostgreSQL's result columns.

The corpus (``corpus/*.yaml``) holds the catalog queries real clients sent to a real
PostgreSQL 15 (psql, SQLAlchemy 2 with psycopg2 and pandas, pgJDBC, psqlODBC,
asyncpg), captured with ``log_statement=all``, plus queries reconstructed from the
source of clients not installed here (SQLAlchemy 1.4 as Superset uses it, Npgsql
as Power BI uses it, DBeaver, Metabase). Each entry records the column names
PostgreSQL returned; the tests in the client modules check the values.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from server.catalog.catalog import Catalog
from server.sql.oids import relation_oid
from server.sql.parser import parse_statement
from server.sql.session_info import SessionInfo

CORPUS_DIR = Path(__file__).parent / "corpus"
PLACEHOLDER = re.compile(r"\{oid:(\w+)\}")


def load() -> list[tuple[str, str, list[str]]]:
    entries = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text()):
            entries.append((f"{path.stem}: {entry['name']}", entry["sql"], entry["columns"]))
    return entries


CORPUS = load()


def resolve(sql: str) -> str:
    """Inline relation OIDs as clients do after looking them up (hidden relations resolve to nothing)."""
    return PLACEHOLDER.sub(lambda m: str(relation_oid(m.group(1))), sql)


def test_corpus_covers_the_clients() -> None:
    files = {path.stem for path in CORPUS_DIR.glob("*.yaml")}
    assert {"psql", "sqlalchemy2", "jdbc", "odbc", "asyncpg", "sqlalchemy14", "npgsql", "dbeaver", "metabase"} <= files
    assert len(CORPUS) >= 150


@pytest.mark.parametrize(("sql", "columns"), [(sql, columns) for _, sql, columns in CORPUS], ids=[c[0] for c in CORPUS])
def test_client_query_returns_postgres_columns(
    catalog: Catalog, session: SessionInfo, sql: str, columns: list[str]
) -> None:
    result = catalog.execute(parse_statement(resolve(sql)), session)
    assert result.column_names == columns

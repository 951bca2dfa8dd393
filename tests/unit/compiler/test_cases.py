"""validate_all-style compiler tests: generated SQL per dialect, and answers equal to ground truth.

Run ``pytest tests/unit/compiler --update-snapshots`` to rewrite the SQL
snapshots after an intended change in generated SQL; review the diff.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from server.engine import Engine
from server.errors import FeatureNotSupported
from server.policy.identity import Caller
from server.sql.session_info import SessionInfo
from server.statement import StatementService
from tests.conftest import STRICT
from tests.unit.compiler.cases import CASES, Case

SNAPSHOTS = Path(__file__).parent / "snapshots"
DIALECTS = ("duckdb", "postgres", "trino")
ADMIN = Caller("admin")


def normalise(value: Any) -> Any:
    """Compare numbers by value (Decimal, int and float alike) and times by their ISO text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return value


def rows_of(result: list[tuple[Any, ...]], ordered: bool) -> list[tuple[Any, ...]]:
    rows = [tuple(normalise(v) for v in row) for row in result]
    return rows if ordered else sorted(rows, key=lambda r: tuple((v is None, str(type(v)), v) for v in r))


def snapshot_text(case: Case, compiled: dict[str, str]) -> str:
    parts = [f"-- {case.name}", f"-- semantic: {case.sql}"]
    for dialect in DIALECTS:
        parts.append(f"\n-- dialect: {dialect}\n{compiled[dialect]}")
    return "\n".join(parts) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, engine: Engine, raw: duckdb.DuckDBPyConnection, update_snapshots: bool) -> None:
    compiled = {dialect: engine.compile(case.sql, ADMIN, target=dialect).sql for dialect in DIALECTS}
    path = SNAPSHOTS / f"{case.name}.sql"
    text = snapshot_text(case, compiled)
    if update_snapshots or (not path.exists() and not STRICT):
        path.write_text(text)
    assert path.exists(), f"missing SQL snapshot {path}; run pytest --update-snapshots and review it"
    assert text == path.read_text(), f"generated SQL changed; rerun with --update-snapshots if intended: {path}"

    # The answer comes through the statement lifecycle every channel uses (prepare, bind, run).
    table = StatementService(engine).query(case.sql, ADMIN, SessionInfo(user=ADMIN.user)).read_all()
    got = rows_of([tuple(row.values()) for row in table.to_pylist()], case.ordered)
    expected = rows_of(raw.execute(case.reference).fetchall(), case.ordered)
    assert got == expected
    assert got, "a case whose answer is empty proves little; choose a query with rows"
    if case.names is not None:
        assert tuple(table.column_names) == case.names


# Cases a target cannot run, refused at compile time (0A000 naming the construct) rather than written
# wrong: BigQuery sorts NULLs first and sqlglot cannot write NULLS LAST inside a window's ORDER BY, so
# the running total would silently change order for a NULL month.
REFUSED = {("bigquery", "window_running_total"): "NULLS LAST"}


@pytest.mark.parametrize("dialect", ["spark", "snowflake", "bigquery"])
def test_every_case_compiles_for_other_targets(engine: Engine, dialect: str) -> None:
    """The other targets have no engine here; their SQL must at least be complete and parse in that dialect."""
    import sqlglot

    for case in CASES:
        construct = REFUSED.get((dialect, case.name))
        if construct is not None:
            with pytest.raises(FeatureNotSupported, match=f"{construct}.*target {dialect}"):
                engine.compile(case.sql, ADMIN, target=dialect)
            continue
        sql = engine.compile(case.sql, ADMIN, target=dialect).sql
        assert "MEASURE(" not in sql.upper(), case.name
        reparsed = sqlglot.parse_one(sql, read=dialect)
        assert reparsed.find(sqlglot.exp.Select) is not None, case.name

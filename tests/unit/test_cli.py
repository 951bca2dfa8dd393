"""The quiver command: validate, compile and query, with their exit codes and output."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from server.config import DEMO_MODELS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"


def test_validate_demo_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DEMO_MODELS)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().err


def test_validate_lists_every_problem_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(FIXTURES / "invalid" / "many_problems")]) == 1
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if ": error SM" in line]
    assert len(lines) == 4
    assert any(line.endswith('error SM202: table "orders" joins unknown table "nowhere"') for line in lines)
    assert "4 error(s)" in out.err


def test_validate_against_the_source(capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, copy)
    assert main(["validate", str(DEMO_MODELS), "--source", str(copy)]) == 0


def test_compile_prints_sql_for_a_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", "--dialect", "trino", "SELECT customer_region, net_revenue FROM sales"]) == 0
    out = capsys.readouterr().out
    assert "LEFT JOIN raw.customers AS customers" in out
    assert "SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue" in out


def test_query_prints_a_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo_db: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "q.duckdb"
    shutil.copyfile(demo_db, copy)
    monkeypatch.setenv("QUIVER_DATABASE", str(copy))
    assert main(["query", "SELECT status, order_count FROM orders ORDER BY status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("|")[0].strip() == "status"
    assert out[2].split("|")[0].strip() == "cancelled"
    assert int(out[2].split("|")[1]) == 1421
    assert out[-1] == "(4 rows)"


def test_query_error_prints_like_psql(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo_db: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "e.duckdb"
    shutil.copyfile(demo_db, copy)
    monkeypatch.setenv("QUIVER_DATABASE", str(copy))
    assert main(["query", "SELECT net_revenu FROM orders"]) == 1
    err = capsys.readouterr().err
    assert 'ERROR:  column "net_revenu" does not exist' in err
    assert 'HINT:  Perhaps you meant "net_revenue".' in err

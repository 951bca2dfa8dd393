"""Template tokenizing and recovery (server.sql.templates), checked on values with an in-process DuckDB."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from server.errors import FeatureNotSupported
from server.sql.templates import Token, pg_template_functions, recover_template, strptime_format, tokenize


def _run(sql: str) -> object:
    tree = pg_template_functions(sqlglot.parse_one(sql, read="postgres"))
    return duckdb.sql(tree.sql("duckdb")).fetchone()[0]  # type: ignore[index]


def test_tokenize_prefixes_suffixes_quotes_and_escapes() -> None:
    assert tokenize('FMDDth "of" Mon\\"') == [
        Token("DD", True, True, "th"),
        Token(" ", False),
        Token("of", False),
        Token(" ", False),
        Token("Mon", True),
        Token('"', False),
    ]
    assert [t.text for t in tokenize("yyyy-mm")] == ["YYYY", "-", "MM"]  # lowercase numeric = uppercase
    assert [t.text for t in tokenize("Day DAY day")] == ["Day", " ", "DAY", " ", "day"]  # names keep case


def test_recovered_template_round_trips_and_ambiguous_split_is_refused() -> None:
    fmt = sqlglot.parse_one("SELECT to_char(x, 'FMDay YYYY-Mon MS')", read="postgres").selects[0].args["format"]
    assert recover_template(fmt.name) == "FMDay YYYY-Mon MS"
    with pytest.raises(FeatureNotSupported):
        recover_template("%u%u")  # 'Dd': sqlglot split it differently from PostgreSQL


def test_values() -> None:
    assert _run("SELECT to_char(TIMESTAMP '2023-01-01 00:00:00', 'YYYY-Mon FMDay MS')") == "2023-Jan Sunday 000"
    assert _run("SELECT to_char(TIMESTAMP '2023-07-04 15:00:00', 'Month|HH12 PM|DDth')") == "July     |03 PM|04th"
    assert _run("SELECT to_char(1234.5, 'FM9,999.00')") == "1,234.50"
    assert _run("SELECT to_date('20240105', 'YYYYMMDD')").isoformat() == "2024-01-05"


def test_output_name_is_postgres_own() -> None:
    tree = pg_template_functions(sqlglot.parse_one("SELECT to_char(x, 'YYYY') FROM t", read="postgres"))
    assert tree.selects[0].alias == "to_char"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT to_char(x, y)",
        "SELECT to_char(x, 'RM')",
        "SELECT to_char(x, 'TZ')",
        "SELECT to_char(DATE '2024-01-01', 'OF')",
        "SELECT to_char(1.5, 'S9.9')",
        "SELECT to_timestamp(x, 'IYYY-IW')",
    ],
)
def test_refused_with_0a000(sql: str) -> None:
    with pytest.raises(FeatureNotSupported):
        pg_template_functions(sqlglot.parse_one(sql, read="postgres"))


def test_strptime_format() -> None:
    assert strptime_format("YYYY-MM-DD HH24:MI:SS.MS") == "%Y-%m-%d %H:%M:%S.%g"
    assert strptime_format('DD "of" Mon YYYY') == "%d of %b %Y"

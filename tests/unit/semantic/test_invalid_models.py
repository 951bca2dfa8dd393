"""Each broken model reports the right problem, at the line a person must edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.semantic.build import build_manifest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models" / "invalid"

# fixture, code, file (relative to the fixture), line
EXPECTED = [
    ("unknown_member", "SM201", "tables/orders.yml", 14),
    ("unknown_join_table", "SM202", "tables/orders.yml", 5),
    ("unknown_view_include", "SM203", "views/v.yml", 7),
    ("bad_join_path", "SM204", "views/v.yml", 6),
    ("duplicate_member", "SM102", "tables/orders.yml", 10),
    ("duplicate_table", "SM101", "tables/b.yml", 4),
    ("measure_cycle", "SM301", "tables/orders.yml", 5),
    ("ambiguous_join_path", "SM206", "tables/t.yml", 17),
    ("cyclic_view_path", "SM207", "views/v.yml", 6),
    ("aggregate_of_measure", "SM401", "tables/orders.yml", 10),
    ("dimension_uses_measure", "SM401", "tables/orders.yml", 7),
    ("measure_needs_sql", "SM402", "tables/orders.yml", 5),
    ("foreign_measure_input", "SM403", "tables/t.yml", 11),
    ("bad_yaml", "SM003", "tables/orders.yml", 7),
    ("bad_relationship", "SM001", "tables/orders.yml", 6),
    ("bad_measure_type", "SM001", "tables/orders.yml", 6),
    ("missing_sql_file", "SM004", "tables/orders.yml", 3),
    ("bad_expression", "SM501", "tables/orders.yml", 7),
    ("view_name_collision", "SM205", "views/v.yml", 7),
    ("bad_user_group", "SM601", "user_groups.yml", 2),
    ("unknown_key", "SM002", "tables/orders.yml", 4),
    ("policy_unknown_group", "SM701", "tables/orders.yml", 9),
    ("policy_unknown_member", "SM702", "tables/orders.yml", 9),
    ("mask_wrong_type", "SM703", "tables/orders.yml", 10),
    ("row_filter_bad_operator", "SM704", "tables/orders.yml", 12),
    ("propagation_cycle", "SM705", "tables/people.yml", 2),
]


def _located(fixture: str) -> list[tuple[str, str, int]]:
    directory = FIXTURES / fixture
    result = build_manifest(directory)
    return [
        (i.code, str(Path(i.origin.path).resolve().relative_to(directory.resolve())), i.origin.line)
        for i in result.issues
    ]


@pytest.mark.parametrize(("fixture", "code", "file", "line"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_diagnostic_at_expected_line(fixture: str, code: str, file: str, line: int) -> None:
    assert (code, file, line) in _located(fixture)


def test_every_fixture_is_covered() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted({e[0] for e in EXPECTED} | {"many_problems"})


def test_all_problems_are_listed_not_the_first() -> None:
    codes = sorted(code for code, _, _ in _located("many_problems") if code != "SM105")
    assert codes == ["SM201", "SM202", "SM203", "SM402"]


def test_unknown_member_hint_names_the_closest_member() -> None:
    result = build_manifest(FIXTURES / "unknown_member")
    issue = next(i for i in result.issues if i.code == "SM201")
    assert issue.hint == 'Perhaps you meant the member "gross_revenue".'
    assert str(issue).startswith(f"{issue.origin.path}:14:14: error SM201: unknown member")


def test_warnings_alone_do_not_fail_the_build() -> None:
    result = build_manifest(FIXTURES / "unknown_key")
    assert result.ok
    assert [i.code for i in result.issues if i.code == "SM002"] == ["SM002"]


def test_errors_fail_the_build() -> None:
    assert not build_manifest(FIXTURES / "measure_cycle").ok

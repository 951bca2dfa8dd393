"""Interval literals sqlglot would truncate are written as casts of the whole string before parsing."""

from __future__ import annotations

import pytest

from server.sql.interval_literals import whole_interval_strings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT interval '3 days 04:05:06' AS x", "SELECT CAST('3 days 04:05:06' AS INTERVAL) AS x"),
        ("SELECT INTERVAL '1 mon ago'", "SELECT CAST('1 mon ago' AS INTERVAL)"),
        ("SELECT interval '@ 1 mon' + x", "SELECT CAST('@ 1 mon' AS INTERVAL) + x"),
    ],
)
def test_strings_sqlglot_would_cut_are_cast_whole(text: str, expected: str) -> None:
    assert whole_interval_strings(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "SELECT interval '1 day'",  # one pair exactly: sqlglot reads it right
        "SELECT interval '1 year 2 mons'",  # several pairs: kept as one string by sqlglot
        "SELECT interval '1' day",
        "SELECT interval '1 day 2:00' hour to minute",  # a field qualifier follows
        "SELECT 'interval ''3 days 1:00'''",  # inside a string
        "SELECT 1 -- interval '3 days 1:00'",  # inside a comment
    ],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert whole_interval_strings(text) == text

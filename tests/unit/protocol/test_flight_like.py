"""LIKE patterns from Flight clients: capped, and matched in linear time with LIKE's exact meaning."""

from __future__ import annotations

import random
import re
import time

import pytest

from server.errors import ProgramLimitExceeded
from server.protocol.flight import metadata


def regex_like(pattern: str, value: str) -> bool:
    """LIKE by translation to a regular expression: right, but exponential on some patterns."""
    parts, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if pattern[i] == "%" else "." if pattern[i] == "_" else re.escape(pattern[i]))
        i += 1
    return re.fullmatch("".join(parts), value, re.DOTALL) is not None


def test_the_matcher_agrees_with_like_on_random_patterns() -> None:
    rng = random.Random(9)
    alphabet = "ab_%\\"
    for _ in range(20_000):
        pattern = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
        value = "".join(rng.choice("ab_%\\") for _ in range(rng.randint(0, 7)))
        assert metadata.like(pattern)(value) is regex_like(pattern, value), (pattern, value)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("%", "", True),
        ("", "", True),
        ("", "a", False),
        ("%%", "orders", True),
        ("o%s", "orders", True),
        ("o%s", "os", True),
        ("o%s", "o", False),
        ("%rde%", "orders", True),
        ("%der%der%", "orders", False),
        ("order\\%", "order%", True),
        ("order\\%", "orders", False),
        ("a\\", "a\\", True),  # a trailing backslash is itself
    ],
)
def test_like_edges(pattern: str, value: str, matches: bool) -> None:
    assert metadata.like(pattern)(value) is matches


def test_patterns_over_1024_bytes_are_refused_with_54000() -> None:
    metadata.like("%" * 1024)  # at the limit: accepted
    with pytest.raises(ProgramLimitExceeded, match="at most 1,024") as caught:
        metadata.like("%" * 1025)
    assert caught.value.sqlstate.value == "54000"
    with pytest.raises(ProgramLimitExceeded):
        metadata.like("é" * 513)  # bytes, not characters


def test_the_worst_patterns_take_milliseconds() -> None:
    names = ["a" * 60, "order_items", "customer_360"]
    for pattern in ("%a" * 511 + "b", "%_" * 511 + "x", "a%" * 300 + "%b"):
        started = time.perf_counter()
        matches = metadata.like(pattern)
        assert [matches(name) for name in names] == [False, False, False]
        assert time.perf_counter() - started < 0.5  # a regex needs 20 s for '%a' * 10 + 'b' on 40 a's


def test_metadata_commands_share_the_cap() -> None:
    with pytest.raises(ProgramLimitExceeded):
        metadata.db_schemas("quiver", None, "p" * 2000)

"""Interval literals sqlglot would cut short, kept whole: ``interval '3 days 04:05:06'`` is not 3 days.

sqlglot canonicalises ``INTERVAL '<n> <unit>'`` to ``INTERVAL '<n>' <unit>`` by finding the
first ``<n> <unit>`` pair in the string; when the string holds exactly one such pair and
something more (a time ``04:05:06``, ``ago``, a leading ``@``), the rest is dropped:
``interval '1 mon ago'`` would be a month *forward*. PostgreSQL's typed literal means
the same as a cast of the string, so such a literal is written as one before parsing
(``CAST('3 days 04:05:06' AS INTERVAL)``), and the engine reads the whole string.
"""

from __future__ import annotations

import re

from server.sql.lexer import tokens

_MAY_NEED = re.compile(r"\binterval\s*'", re.IGNORECASE)
_FIELDS = frozenset({"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"})  # PostgreSQL's interval qualifiers
_PAIR = re.compile(r"\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)\s*")  # sqlglot's INTERVAL_STRING_RE


def whole_interval_strings(text: str) -> str:
    """``text`` with each ``INTERVAL '...'`` that sqlglot would truncate written as a cast of the string."""
    # A plain substring test first: the case-insensitive regex alone scans a 60 KB IN list in ~3 ms.
    if "interval" not in text.lower() or _MAY_NEED.search(text) is None:
        return text
    toks = tokens(text)
    edits: list[tuple[int, int, str]] = []
    for i, token in enumerate(toks[:-1]):
        literal = toks[i + 1]
        if token.value != "INTERVAL" or not literal.value.startswith("'"):
            continue
        following = toks[i + 2].value if i + 2 < len(toks) else ""
        if following in _FIELDS:
            continue  # a field qualifier follows (interval '1' day): sqlglot reads those as written
        content = literal.value[1:-1].replace("''", "'")
        if len(_PAIR.findall(content)) == 1 and _PAIR.fullmatch(content) is None:
            edits.append((token.start, literal.end, f"CAST({literal.value} AS INTERVAL)"))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text

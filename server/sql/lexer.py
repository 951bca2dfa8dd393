"""PostgreSQL's lexical rules, just enough to split and route statements.

A simple-query message may hold several statements; session commands (SET,
SHOW, BEGIN, DISCARD ALL, DECLARE CURSOR...) must be recognised before any SQL
parser sees them, and sqlglot parses several of them wrongly (``SAVEPOINT s1``
reads as a column with an alias). So statements are split here, on
semicolons outside quotes, dollar quotes and comments, and their leading words
are read as tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Piece:
    """One statement of a multi-statement string, with its offset for error positions."""

    text: str
    offset: int


_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_TOKEN = re.compile(
    r"""[eE]'(?:[^'\\]|''|\\.)*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*|\d+(?:\.\d+)?|\S"""
)


def _skip_quoted(text: str, i: int, quote: str, backslash: bool) -> int:
    """Index just past the closing quote of a literal starting at ``i`` (the opening quote)."""
    n = len(text)
    i += 1
    while i < n:
        c = text[i]
        if backslash and c == "\\":
            i += 2
            continue
        if c == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _skip_block_comment(text: str, i: int) -> int:
    depth, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            depth += 1
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def split_statements(text: str) -> list[Piece]:
    """Statements of ``text`` split on top-level semicolons; blank statements are dropped."""
    pieces: list[Piece] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "'":
            escaped = i > 0 and text[i - 1] in "eE" and (i == 1 or not (text[i - 2].isalnum() or text[i - 2] == "_"))
            i = _skip_quoted(text, i, "'", escaped)
        elif c == '"':
            i = _skip_quoted(text, i, '"', False)
        elif c == "-" and text.startswith("--", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif c == "/" and text.startswith("/*", i):
            i = _skip_block_comment(text, i)
        elif c == "$":
            match = _DOLLAR_TAG.match(text, i)
            if match and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
                end = text.find(match.group(0), match.end())
                i = n if end < 0 else end + len(match.group(0))
            else:
                i += 1
        elif c == ";":
            _append(pieces, text, start, i)
            start = i + 1
            i += 1
        else:
            i += 1
    _append(pieces, text, start, n)
    return pieces


def _append(pieces: list[Piece], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    if strip_comments(chunk).strip():
        pieces.append(Piece(chunk, start))


def strip_comments(text: str) -> str:
    """``text`` with comments blanked out (same length, so offsets still point into ``text``)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            end = _skip_quoted(text, i, c, False)
            out.append(text[i:end])
            i = end
            continue
        if text.startswith("--", i):
            newline = text.find("\n", i)
            end = n if newline < 0 else newline
        elif text.startswith("/*", i):
            end = _skip_block_comment(text, i)
        else:
            out.append(c)
            i += 1
            continue
        out.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
        i = end
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a statement: ``value`` upper-cased unless quoted; ``start`` is its offset."""

    value: str
    start: int
    end: int


def tokens(text: str, limit: int = 0) -> list[Token]:
    """The tokens of ``text`` outside comments (all of them, or the first ``limit``)."""
    result: list[Token] = []
    for match in _TOKEN.finditer(strip_comments(text)):
        raw = match.group(0)
        value = raw if raw[0] in "\"'" or raw[:2] in ("E'", "e'") else raw.upper()
        result.append(Token(value, match.start(), match.end()))
        if limit and len(result) >= limit:
            break
    return result


def words(text: str, limit: int = 12) -> list[str]:
    """The first tokens of a statement: identifiers upper-cased, quoted identifiers and symbols as written."""
    return [t.value for t in tokens(text, limit)]


def unquote_string(token: str) -> str:
    """The value of a string literal token ('it''s' -> it's; E'a\\tb' -> a<tab>b)."""
    if token[:2] in ("E'", "e'"):
        body = token[2:-1].replace("''", "'")
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    if len(token) >= 2 and token[0] == token[-1] == "'":
        return token[1:-1].replace("''", "'")
    return token


def unquote_identifier(token: str) -> str:
    """A name as PostgreSQL folds it: quoted kept exactly, unquoted lower-cased."""
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1].replace('""', '"')
    return token.lower()


def qmark_to_dollar(text: str) -> str:
    """``?`` parameters (ADBC's and DB-API's qmark style) as ``$1``, ``$2``... in the order written.

    Question marks inside strings, quoted identifiers and comments are left alone.
    """
    marks = [t for t in tokens(text) if t.value == "?"]
    if not marks:
        return text
    parts, last = [], 0
    for number, mark in enumerate(marks, start=1):
        parts.append(text[last : mark.start])
        parts.append(f"${number}")
        last = mark.end
    parts.append(text[last:])
    return "".join(parts)

"""PostgreSQL's lexical rules, just enough to split, route and safely rewrite statements.

A simple-query message may hold several statements; session commands (SET,
SHOW, BEGIN, DISCARD ALL, DECLARE CURSOR...) must be recognised before any SQL
parser sees them, and sqlglot parses several of them wrongly (``SAVEPOINT s1``
reads as a column with an alias). So statements are split here, on
semicolons outside quotes, dollar quotes and comments, and their leading words
are read as tokens.

Every text rewrite done before parsing (the long IN-list cut, label quoting, ``?``
parameters) goes through :func:`code_matches`, so it can only ever touch code:
never the inside of a string, a quoted identifier, a dollar-quoted string or a
comment. The rules are PostgreSQL's with ``standard_conforming_strings = on``
(the only value Quiver accepts): a backslash is an escape only in ``E'...'``
strings; ``''`` is a quote inside any string; block comments nest; a dollar quote
``$tag$`` cannot start inside an identifier (``a$b$`` is one name).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Piece:
    """One statement of a multi-statement string, with its offset for error positions."""

    text: str
    offset: int


# PostgreSQL's identifier characters: ASCII letters, digits, _, $ (not first) and any non-ASCII character.
IDENT_START = "A-Za-z_\u0080-\U0010ffff"
IDENT_CONT = "A-Za-z0-9_$\u0080-\U0010ffff"
_TAG_START = IDENT_START
_TAG_CONT = "A-Za-z0-9_\u0080-\U0010ffff"
_WHITESPACE = " \t\n\r\f\v"

# Where a quoted or commented construct begins: one character of _SPECIAL_FIRST, then _SPECIAL_REST
# (written so, every pattern here starts with a character class and the regex engine skips ordinary
# text at C speed). E'...' and $tag$ only begin a token: after an identifier character they are
# part of the identifier (PostgreSQL's lexer reads ``a$b$`` as one name).
_SPECIAL_FIRST = "\\-/eE'\"$"
_SPECIAL_REST = (
    r"(?<=-)-|(?<=/)\*"
    rf"|(?<=[eE])(?<![{IDENT_CONT}].)'|(?<=['\"])"
    rf"|(?<=\$)(?<![{IDENT_CONT}].)(?:[{_TAG_START}][{_TAG_CONT}]*)?\$"
)
_SPECIAL = re.compile(rf"[{_SPECIAL_FIRST}](?:{_SPECIAL_REST})")
_SPECIAL_OR_SEMICOLON = re.compile(rf"[;{_SPECIAL_FIRST}](?:(?<=;)|{_SPECIAL_REST})")
_BLOCK_EDGE = re.compile(r"/\*|\*/")
_ESCAPE_OR_QUOTE = re.compile(r"[\\']")


def _string_end(text: str, i: int, quote: str) -> int:
    """Index just past a ``quote``-delimited literal whose body starts at ``i`` (doubled quotes escape)."""
    n = len(text)
    while True:
        j = text.find(quote, i)
        if j < 0:
            return n  # unterminated: the rest of the text is the literal
        if j + 1 < n and text[j + 1] == quote:
            i = j + 2
            continue
        return j + 1


def _escape_string_end(text: str, i: int) -> int:
    """Index just past an ``E'...'`` literal whose body starts at ``i`` (backslash escapes anything)."""
    n = len(text)
    while True:
        found = _ESCAPE_OR_QUOTE.search(text, i)
        if found is None:
            return n
        j = found.start()
        if text[j] == "\\":
            i = j + 2
            continue
        if j + 1 < n and text[j + 1] == "'":
            i = j + 2
            continue
        return j + 1


def _block_comment_end(text: str, i: int) -> int:
    """Index just past a block comment whose ``/*`` starts at ``i``; comments nest, as in PostgreSQL."""
    depth = 0
    for edge in _BLOCK_EDGE.finditer(text, i):
        depth += 1 if edge.group(0) == "/*" else -1
        if depth == 0:
            return edge.end()
    return len(text)


def _construct_end(text: str, start: int, opener: str) -> int:
    """Where the string, quoted identifier, dollar quote or comment opened by ``opener`` at ``start`` ends."""
    first = opener[0]
    if first == "-":
        newline = text.find("\n", start)
        return len(text) if newline < 0 else newline
    if first == "/":
        return _block_comment_end(text, start)
    if first in "eE":
        return _escape_string_end(text, start + 2)
    if first in "'\"":
        return _string_end(text, start + 1, first)
    end = text.find(opener, start + len(opener))  # dollar quote: up to the same tag
    return len(text) if end < 0 else end + len(opener)


def _is_comment(opener: str) -> bool:
    return opener[0] in "-/"


def split_statements(text: str) -> list[Piece]:
    """Statements of ``text`` split on top-level semicolons; blank statements are dropped."""
    pieces: list[Piece] = []
    start = pos = 0
    while True:
        found = _SPECIAL_OR_SEMICOLON.search(text, pos)
        if found is None:
            break
        opener = found.group(0)
        if opener == ";":
            _append(pieces, text, start, found.start())
            start = pos = found.end()
        else:
            pos = _construct_end(text, found.start(), opener)
    _append(pieces, text, start, len(text))
    return pieces


def _append(pieces: list[Piece], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    if strip_comments(chunk).strip():
        pieces.append(Piece(chunk, start))


def strip_comments(text: str) -> str:
    """``text`` with comments blanked out (same length, so offsets still point into ``text``)."""
    if "--" not in text and "/*" not in text:
        return text
    out: list[str] = []
    last = pos = 0
    while True:
        found = _SPECIAL.search(text, pos)
        if found is None:
            break
        end = _construct_end(text, found.start(), found.group(0))
        if _is_comment(found.group(0)):
            out.append(text[last : found.start()])
            out.append("".join(ch if ch == "\n" else " " for ch in text[found.start() : end]))
            last = end
        pos = end
    out.append(text[last:])
    return "".join(out)


@functools.lru_cache(maxsize=32)
def _code_pattern(first: str, rest: str, flags: int) -> re.Pattern[str]:
    return re.compile(rf"[{first}{_SPECIAL_FIRST}](?:(?<=[{first}])(?P<quiver_hit>{rest})|{_SPECIAL_REST})", flags)


def code_matches(text: str, first: str, rest: str = "", flags: int = 0) -> Iterator[re.Match[str]]:
    """Matches, beginning in code, of one character of the class ``first`` followed by ``rest``.

    Code is everything outside strings, quoted identifiers, dollar quotes and comments:
    each such construct is skipped whole, so a match can never start inside one (it
    may span literals, a list of string values, when ``rest`` itself reads them).
    A match spans ``match.start()`` (the ``first`` character) to ``match.end()``;
    ``rest`` may name groups, but not ``quiver_hit``. Splitting the pattern so lets
    the regex engine skip ordinary text at C speed.
    """
    combined = _code_pattern(first, rest, flags)
    pos, n = 0, len(text)
    while pos < n:
        found = combined.search(text, pos)
        if found is None:
            return
        if found.group("quiver_hit") is not None:
            yield found
            pos = found.end()
        else:
            pos = _construct_end(text, found.start(), found.group(0))


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a statement: ``value`` upper-cased unless quoted; ``start`` is its offset."""

    value: str
    start: int
    end: int


_LEXEME = re.compile(
    rf"(?P<space>[{_WHITESPACE}]+)"
    rf"|(?P<quoted>[{_SPECIAL_FIRST}](?:{_SPECIAL_REST}))"
    r"|(?P<param>\$\d+)"
    rf"|(?P<word>[{IDENT_START}][{IDENT_CONT}]*)"
    r"|(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<other>.)",
    re.DOTALL,
)


def tokens(text: str, limit: int = 0) -> list[Token]:
    """The tokens of ``text`` outside comments (all of them, or the first ``limit``).

    Words are upper-cased; strings, quoted identifiers and dollar-quoted strings keep
    their text as written (quotes included); ``$1`` is one token.
    """
    result: list[Token] = []
    pos, n = 0, len(text)
    while pos < n:
        found = _LEXEME.match(text, pos)
        assert found is not None  # "other" matches any character
        kind = found.lastgroup
        if kind == "space":
            pos = found.end()
            continue
        if kind == "quoted":
            opener = found.group(0)
            end = _construct_end(text, pos, opener)
            if not _is_comment(opener):
                result.append(Token(text[pos:end], pos, end))
        else:
            end = found.end()
            raw = found.group(0)
            result.append(Token(raw.upper() if kind == "word" else raw, pos, end))
        pos = end
        if limit and len(result) >= limit:
            break
    return result


def words(text: str, limit: int = 12) -> list[str]:
    """The first tokens of a statement: identifiers upper-cased, quoted identifiers and symbols as written."""
    return [t.value for t in tokens(text, limit)]


_DOLLAR_STRING = re.compile(rf"\$((?:[{_TAG_START}][{_TAG_CONT}]*)?)\$(.*)\$\1\$", re.DOTALL)


def unquote_string(token: str) -> str:
    """The value of a string literal token ('it''s' -> it's; E'a\\tb' -> a<tab>b; $$x$$ -> x)."""
    if token[:2] in ("E'", "e'"):
        body = token[2:-1].replace("''", "'")
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    if len(token) >= 2 and token[0] == token[-1] == "'":
        return token[1:-1].replace("''", "'")
    dollar = _DOLLAR_STRING.fullmatch(token)
    if dollar is not None:
        return dollar.group(2)
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
    if "?" not in text:
        return text
    parts, last = [], 0
    for number, mark in enumerate(code_matches(text, "?"), start=1):
        parts.append(text[last : mark.start()])
        parts.append(f"${number}")
        last = mark.end()
    parts.append(text[last:])
    return "".join(parts)

"""Statement text to sqlglot trees, in PostgreSQL's dialect, with PostgreSQL-shaped errors.

Every channel speaks PostgreSQL SQL (as Cube's and Lens's SQL APIs do), so this is
the one place text becomes a tree. A syntax error becomes a 42601 whose message
and 1-based character position match what PostgreSQL would report
(``syntax error at or near "WHERE"``), so psql can draw its caret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from server.cache import LRUCache
from server.errors import SqlSyntaxError, StatementTooComplex
from server.sql.alias_lists import check_alias_lists
from server.sql.database_names import mark_database_names
from server.sql.group_constants import check_group_constants
from server.sql.interval_literals import whole_interval_strings
from server.sql.lexer import IDENT_CONT, code_matches, tokens
from server.sql.limits import (
    check_size,
    check_structure,
    check_subquery_nesting,
    set_max_query_bytes,
    too_deep_for_parser,
)
from server.sql.params import any_array_to_in

__all__ = ["parse_statement", "parse_statement_cached", "parse_statements", "set_max_query_bytes", "syntax_error"]

DIALECT = "postgres"

# A long IN list of plain literals (numbers, or single-quoted strings without backslashes) is
# the one shape where parsing dominates compile time: 10,000 values are 20,000 tokens. Such a
# list is cut out before parsing and put back as one verbatim node; its text is only digits,
# signs, dots, commas and quoted strings, so it means the same in every dialect we render.
# The cut is made on code only (lexer.code_matches): an IN list written inside a string,
# quoted identifier or comment is text, and is left exactly as written.
_LITERAL = r"(?:[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|'[^'\\]*(?:''[^'\\]*)*')"
_LONG_IN_LIST_FIRST = "iI"  # lexer.code_matches: the first character, then the rest of the pattern
_LONG_IN_LIST_REST = rf"(?<![{IDENT_CONT}].)[nN]\s*\(\s*(?P<values>{_LITERAL}(?:\s*,\s*{_LITERAL}){{63,}})\s*\)"
_LIST_MARKER = "__quiver_literal_list_"
_MIN_LIST_TEXT = 512  # 64 values need at least this much text


def _position(text: str, line: int, column: int, highlight: str) -> int:
    """1-based character offset of a token from sqlglot's 1-based line and end column."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    offset = sum(len(previous) + 1 for previous in lines[: line - 1])
    start = column - len(highlight) + 1 if highlight else column
    return max(1, offset + start)


def syntax_error(text: str, exc: ParseError | TokenError) -> SqlSyntaxError:
    """Translate a sqlglot failure into PostgreSQL's 42601 message and position."""
    if isinstance(exc, TokenError):
        message = str(exc)
        if "quote" in message.lower() or "string" in message.lower():
            return SqlSyntaxError("unterminated quoted string", position=len(text))
        return SqlSyntaxError(f"syntax error: {message.splitlines()[0] if message else 'bad token'}")
    errors = getattr(exc, "errors", None) or []
    if not errors:
        return SqlSyntaxError("syntax error", detail=str(exc).splitlines()[0] if str(exc) else None)
    first = errors[0]
    highlight = first.get("highlight") or ""
    position = _position(text, first.get("line") or 1, first.get("col") or 1, highlight)
    if highlight:
        message = f'syntax error at or near "{highlight}"'
    else:
        message = "syntax error at end of input"
        position = len(text.rstrip()) or 1
    detail = first.get("description")
    return SqlSyntaxError(message, position=position, detail=detail)


# sqlglot reads ``x::oid`` as an object identifier and cannot take ``[]`` after it; an array of OIDs
# compares like an array of bigints; an array of reg* values is spelt as its array type (``_regtype``),
# which the catalog reads as OIDs printed as names.
_IDENTIFIER_ARRAYS = {
    "OID": "BIGINT",
    "REGTYPE": "TEXT",
    "REGCLASS": "TEXT",
    "REGPROC": "TEXT",
    "REGPROCEDURE": "TEXT",
    "REGNAMESPACE": "TEXT",
    "REGROLE": "TEXT",
    "NAME": "TEXT",
}
# Words PostgreSQL accepts as a column label after AS but sqlglot does not; they are quoted.
_LABEL_KEYWORDS = frozenset(
    {
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "FROM",
        "WHERE",
        "GROUP",
        "ORDER",
        "LIMIT",
        "TABLE",
        "USER",
        "ALL",
        "ANY",
        "CAST",
        "CHECK",
        "COLUMN",
        "DEFAULT",
        "GRANT",
    }
)


# Only statements containing one of the two spellings are tokenized (a long statement costs milliseconds).
_NEEDS_TOKEN_REWRITE = re.compile(
    rf"::\s*(?:{'|'.join(_IDENTIFIER_ARRAYS)})\s*\[|\bAS\s+(?:{'|'.join(sorted(_LABEL_KEYWORDS))})\b", re.IGNORECASE
)


def _rewrite_tokens(text: str) -> str:
    """Adjust the two spellings sqlglot misreads, on tokens outside quotes and comments."""
    if _NEEDS_TOKEN_REWRITE.search(text) is None:
        return text
    toks = tokens(text)
    edits: list[tuple[int, int, str]] = []
    for i, token in enumerate(toks):
        if (
            token.value in _IDENTIFIER_ARRAYS
            and i >= 2
            and toks[i - 1].value == ":"
            and toks[i - 2].value == ":"
            and i + 2 < len(toks)
            and toks[i + 1].value == "["
            and toks[i + 2].value == "]"
        ):
            if token.value.startswith("REG"):  # ``::regtype[]`` as PostgreSQL's own name, ``_regtype``
                edits.append((token.start, toks[i + 2].end, "_" + token.value.lower()))
            else:
                edits.append((token.start, token.end, _IDENTIFIER_ARRAYS[token.value]))
        elif token.value == "AS" and i + 1 < len(toks) and toks[i + 1].value in _LABEL_KEYWORDS:
            label = toks[i + 1]
            following = toks[i + 2].value if i + 2 < len(toks) else ""
            if following in ("", ",", ")", "FROM", ";"):
                edits.append((label.start, label.end, f'"{text[label.start : label.end].lower()}"'))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


@dataclass(frozen=True)
class _Compacted:
    """``text`` with long literal lists cut out; ``cuts`` are (start, end) in the original text."""

    text: str
    lists: tuple[str, ...] = ()
    cuts: tuple[tuple[int, int, int], ...] = ()  # (original start, original end, length written instead)

    def original_position(self, position: int) -> int:
        """A 0-based offset in the compacted text as an offset in the original."""
        shift = 0
        for start, end, written in self.cuts:
            if start + shift >= position:
                break
            shift += (end - start) - written
        return position + shift


def _compact_literal_lists(text: str) -> _Compacted:
    if len(text) < _MIN_LIST_TEXT or text.count(",") < 63 or _LIST_MARKER in text.lower():
        return _Compacted(text)  # too short for a long list; a text naming the marker is never compacted
    lists: list[str] = []
    cuts: list[tuple[int, int, int]] = []
    parts: list[str] = []
    last = 0
    for found in code_matches(text, _LONG_IN_LIST_FIRST, _LONG_IN_LIST_REST):
        replacement = f"IN ({_LIST_MARKER}{len(lists)})"
        lists.append(found.group("values"))
        parts.append(text[last : found.start()])
        parts.append(replacement)
        cuts.append((found.start(), found.end(), len(replacement)))
        last = found.end()
    if not lists:
        return _Compacted(text)
    parts.append(text[last:])
    return _Compacted("".join(parts), tuple(lists), tuple(cuts))


def _restore_literal_lists(tree: exp.Expr, lists: tuple[str, ...]) -> None:
    for column in list(tree.find_all(exp.Column)):
        name = column.name
        if column.table or not name.startswith(_LIST_MARKER) or not isinstance(column.parent, exp.In):
            continue
        index = name[len(_LIST_MARKER) :]
        if index.isdigit() and int(index) < len(lists):
            column.replace(exp.Var(this=lists[int(index)]))


def _parse(text: str) -> list[exp.Expr | None]:
    """sqlglot's parse; a parser that runs out of recursion is a statement too complex (54001)."""
    try:
        return sqlglot.parse(text, read=DIALECT)
    except RecursionError:
        raise too_deep_for_parser() from None


def parse_statements(text: str) -> list[exp.Expr]:
    """Every statement in ``text`` (empty statements dropped); 42601 on bad syntax, 54001 when too complex."""
    check_size(text)
    compacted = _compact_literal_lists(_rewrite_tokens(whole_interval_strings(text)))
    compact = compacted.text
    try:
        check_structure(compact)
    except StatementTooComplex as error:
        if error.position is not None and compacted.cuts:
            error.position = compacted.original_position(error.position - 1) + 1
        raise
    try:
        trees = _parse(compact)
    except (ParseError, TokenError) as exc:
        if compact != text:  # report the error against the text the user sent
            try:
                _parse(text)
            except (ParseError, TokenError) as original:
                raise syntax_error(text, original) from None
        raise syntax_error(text, exc) from None
    try:
        # PostgreSQL folds unquoted identifiers to lower case: STATUS and status are one column.
        statements = [
            any_array_to_in(normalize_identifiers(tree, dialect=DIALECT)) for tree in trees if tree is not None
        ]
    except RecursionError:
        raise too_deep_for_parser() from None
    for tree in statements:
        _check_unicode_strings(tree)
        check_subquery_nesting(tree, compact)
        check_alias_lists(tree)  # 42P10 for AS c(a, b, c) over two columns, on every channel
        check_group_constants(tree)  # 42601 for GROUP BY 'a', as in PostgreSQL
        mark_database_names(tree)
        if compacted.lists:
            _restore_literal_lists(tree, compacted.lists)
    return statements


def _check_unicode_strings(tree: exp.Expr) -> None:
    """42601 for a ``U&'...'`` string whose escapes name no character (a lone surrogate such as ``\\D800``).

    The parser keeps the escapes as written; decoding them happens only when SQL is
    generated, where a bad one raised a bare UnicodeDecodeError (an internal error).
    """
    for node in tree.find_all(exp.UnicodeString):
        try:
            node.sql(dialect="duckdb").encode("utf-8")
        except (UnicodeError, ValueError):
            raise SqlSyntaxError(
                "invalid Unicode escape value", hint="Unicode escapes must name a valid code point."
            ) from None


# Statement texts a worker remembers: drivers repeat a small set of statements (catalog probes,
# a dashboard's queries), and an entry is one parse tree.
PARSE_CACHE_SIZE = 2048
_cache = LRUCache[str, exp.Expr](PARSE_CACHE_SIZE)


def parse_statement_cached(text: str) -> exp.Expr:
    """Like :func:`parse_statement`, remembering recent texts (drivers repeat the same statements).

    The returned tree is shared: callers must not change it (the engine copies before rewriting).
    """
    found = _cache.get(text)
    if found is None:
        found = parse_statement(text)
        _cache.put(text, found)
    return found


def parse_statement(text: str) -> exp.Expr:
    """Exactly one statement; more than one is 42601, as PostgreSQL's extended protocol says."""
    statements = parse_statements(text)
    if not statements:
        raise SqlSyntaxError("empty query", hint="Send a SELECT statement.")
    if len(statements) > 1:
        raise SqlSyntaxError("cannot insert multiple commands into a prepared statement")
    return statements[0]

"""How long and how deeply nested a statement may be: 54001 before the parser or the engine suffers.

Three costs grow faster than the text, so each is bounded here, before or right
after parsing, and answered with 54001 (PostgreSQL's "statement too complex"
class) instead of an internal error:

* **Nesting.** sqlglot's parser recurses per level of parentheses, brackets and
  CASE; about 490 levels exhaust Python's recursion limit (a RecursionError, and a
  huge traceback, used to come back as XX000). A token scan counts the levels and
  stops at :data:`MAX_NESTING`, with the position of the first level too many.
  Anything the scan does not count (a run of ``NOT NOT NOT ...``) still meets a
  RecursionError inside the parser, which :mod:`server.sql.parser` turns into 54001.
* **Backtracking.** A call named after a type (``text(...)``, ``numeric(...)``,
  ``ARRAY[...]``, ``double precision(...)``) is first tried as a type, then parsed
  again as a call, so each nested level doubles or triples the work: 22 nested
  ``ARRAY[`` took a minute. Such calls may nest :data:`MAX_TYPE_CALL_NESTING` deep,
  and the scan charges each character ``3 ** depth`` parses, refusing a statement
  whose extra work exceeds an allowance proportional to its length.
* **Subqueries in expressions.** DuckDB plans nested scalar and EXISTS subqueries
  in exponential time (25 nested scalar subqueries: 17 s, before any row is read),
  so they may nest at most :data:`MAX_SUBQUERY_NESTING` deep. Derived tables in FROM
  are not limited: they plan in linear time.

The text limit (``QUIVER_MAX_QUERY_BYTES``) is process-wide: the server calls
:func:`set_max_query_bytes` once at start-up, before it accepts statements.
"""

from __future__ import annotations

import re

import sqlglot.expressions as exp
from sqlglot.dialects.postgres import Postgres

from server.config import Settings
from server.errors import StatementTooComplex
from server.sql.lexer import IDENT_CONT, code_matches, strip_comments

MAX_NESTING = 200
MAX_SUBQUERY_NESTING = 12
MAX_TYPE_CALL_NESTING = 8
# Extra parse work allowed for type-named calls, in characters parsed again: a fixed allowance plus
# eight times the text, so two levels everywhere (ARRAY[ARRAY[1, 2], ...] of any length) always pass.
EXTRA_PARSE_ALLOWANCE = 200_000
_EXTRA_PER_CHARACTER = 8
_BACKTRACK_BASE = 3

_configured = {"max_query_bytes": Settings.max_query_bytes}


def set_max_query_bytes(limit: int) -> None:
    """Longest statement text (UTF-8 bytes) this process accepts; longer ones get 54001."""
    if limit <= 0:
        raise ValueError("the statement size limit must be positive")
    _configured["max_query_bytes"] = limit


def max_query_bytes() -> int:
    return _configured["max_query_bytes"]


def check_size(text: str) -> None:
    """54001 when ``text`` is longer than the configured limit, measured in UTF-8 bytes."""
    limit = _configured["max_query_bytes"]
    length = len(text)
    if length * 4 <= limit:  # no UTF-8 character is longer than 4 bytes
        return
    size = length if length > limit else len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise StatementTooComplex(
            "statement is too long",
            detail=f"The statement is {size:,} bytes; this server accepts at most {limit:,}.",
            hint="Send long value lists as a parameter (an array), or split the statement.",
        )


def _type_words() -> frozenset[str]:
    """Words sqlglot first tries to read as a type when a parenthesis or bracket follows.

    Taken from sqlglot itself, so an upgrade that adds a type keeps the guard complete.
    For a multi-word type (``DOUBLE PRECISION``) the last word is the one before ``(``.
    """
    type_tokens = Postgres.parser_class.TYPE_TOKENS
    words = set()
    for keyword, token_type in Postgres.tokenizer_class.KEYWORDS.items():
        if token_type in type_tokens:
            words.add(keyword.split()[-1].upper())
    return frozenset(w for w in words if re.fullmatch(r"[A-Z_][A-Z0-9_]*", w))


TYPE_WORDS = _type_words()

# Parentheses, brackets, CASE and END, in code (lexer.code_matches: first character, then the rest).
_STRUCTURE_FIRST = r"()\[\]cCeE"
_STRUCTURE_REST = (
    rf"(?<=[(\[)\]])|(?<=[cC])(?<![{IDENT_CONT}].)(?i:ase)(?![{IDENT_CONT}])"
    rf"|(?<=[eE])(?<![{IDENT_CONT}].)(?i:nd)(?![{IDENT_CONT}])"
)
_LONGEST_TYPE_WORD = max(map(len, TYPE_WORDS))


def _is_name_character(char: str) -> bool:
    return char.isalnum() or char in "_$" or char >= "\x80"


def _type_named(text: str, position: int) -> bool:
    """Whether the name right before ``position`` (an opening parenthesis or bracket) is a type word."""
    start = max(0, position - _LONGEST_TYPE_WORD - 8)
    head = text[start:position].rstrip()
    i = len(head)
    while i and _is_name_character(head[i - 1]):
        i -= 1
    if i == 0 and start > 0 and _is_name_character(text[start - 1]):
        return False  # the tail of a longer name
    return head[i:].upper() in TYPE_WORDS


_BACKTRACKING = (
    "Calls named after types (text(...), numeric(...), ARRAY[...]) are nested too deeply to parse in reasonable time."
)


def check_structure(text: str) -> None:
    """54001 (with a position) for nesting deeper than :data:`MAX_NESTING` or runaway backtracking."""
    scanned = strip_comments(text)  # sqlglot ignores comments: text/**/(...) backtracks like text(...)
    levels: list[tuple[str, bool]] = []  # open levels: "(" or "case", and whether a type-named call
    type_depth = 0
    extra = 0
    last = 0
    allowance = _EXTRA_PER_CHARACTER * len(text) + EXTRA_PARSE_ALLOWANCE
    for found in code_matches(scanned, _STRUCTURE_FIRST, _STRUCTURE_REST):
        position = found.start()
        if type_depth:
            extra += (position - last) * (_BACKTRACK_BASE**type_depth - 1)
            if extra > allowance:
                raise _too_complex(_BACKTRACKING, position)
        last = position
        char = scanned[position]
        if char in "([":
            typed = _type_named(scanned, position)
            _push(levels, "(", typed, position)
            type_depth += typed
            if type_depth > MAX_TYPE_CALL_NESTING:
                raise _too_complex(_BACKTRACKING, position)
        elif char in ")]":
            if levels and levels[-1][0] == "(":
                type_depth -= levels.pop()[1]
        elif char in "cC":
            _push(levels, "case", False, position)
        elif levels and levels[-1][0] == "case":  # END
            levels.pop()


def _push(levels: list[tuple[str, bool]], kind: str, typed: bool, position: int) -> None:
    if len(levels) >= MAX_NESTING:
        raise _too_complex(
            f"Parentheses, brackets and CASE expressions are nested more than {MAX_NESTING} levels deep.", position
        )
    levels.append((kind, typed))


def _too_complex(detail: str, position: int | None) -> StatementTooComplex:
    return StatementTooComplex(
        "statement is too complex",
        detail=detail,
        hint="Simplify the statement: nest fewer expressions, or move parts of it into a CTE.",
        position=None if position is None else position + 1,
    )


def too_deep_for_parser() -> StatementTooComplex:
    """The parser's own recursion ran out: nesting the token scan does not count (NOT NOT NOT ...)."""
    return _too_complex("The statement nests expressions too deeply to parse.", None)


# A query inside one of these is in table position (a derived table, a CTE): it does not count.
_TABLE_POSITIONS = (exp.From, exp.Join, exp.CTE, exp.With, exp.Lateral)
_SELECT_WORD = re.compile(r"select", re.IGNORECASE)


def check_subquery_nesting(tree: exp.Expr, text: str) -> None:
    """54001 when subqueries in expressions (scalar, EXISTS, IN, ANY) nest deeper than the limit."""
    if len(_SELECT_WORD.findall(text)) <= MAX_SUBQUERY_NESTING:
        return  # cannot nest deeper than the SELECTs written
    for query in tree.find_all(exp.Select):
        depth = 0
        in_table = False
        node: exp.Expr | None = query.parent
        while node is not None:
            if isinstance(node, _TABLE_POSITIONS):
                in_table = True
            elif isinstance(node, exp.Select):
                if not in_table:
                    depth += 1
                in_table = False
            node = node.parent
        if depth > MAX_SUBQUERY_NESTING:
            raise _too_complex(
                f"Subqueries are nested more than {MAX_SUBQUERY_NESTING} levels deep inside expressions.",
                _start(query),
            )


def _start(node: exp.Expr) -> int | None:
    for candidate in node.walk():
        start = candidate.meta.get("start") if isinstance(candidate, exp.Expression) else None
        if start is not None:
            return int(start)
    return None

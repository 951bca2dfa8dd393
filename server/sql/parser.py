"""Statement text to sqlglot trees, in PostgreSQL's dialect, with PostgreSQL-shaped errors.

Every channel speaks PostgreSQL SQL (as Cube's and Lens's SQL APIs do), so this is
the one place text becomes a tree. A syntax error becomes a 42601 whose message
and 1-based character position match what PostgreSQL would report
(``syntax error at or near "WHERE"``), so psql can draw its caret.
"""

from __future__ import annotations

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError

from server.errors import SqlSyntaxError

DIALECT = "postgres"


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


def parse_statements(text: str) -> list[exp.Expression]:
    """Every statement in ``text`` (empty statements dropped); raise 42601 on bad syntax."""
    try:
        trees = sqlglot.parse(text, read=DIALECT)
    except (ParseError, TokenError) as exc:
        raise syntax_error(text, exc) from None
    return [tree for tree in trees if tree is not None]


def parse_statement(text: str) -> exp.Expression:
    """Exactly one statement; more than one is 42601, as PostgreSQL's extended protocol says."""
    statements = parse_statements(text)
    if not statements:
        raise SqlSyntaxError("empty query", hint="Send a SELECT statement.")
    if len(statements) > 1:
        raise SqlSyntaxError("cannot insert multiple commands into a prepared statement")
    return statements[0]

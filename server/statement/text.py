"""From a client's text to statements: splitting, session-command routing, parameter styles.

A channel hands over text as the client sent it; what that text means lexically
(where one statement ends, whether it is a session command or a query, how ``?``
parameters are numbered) is decided here, on PostgreSQL's lexical rules, so the
protocol packages never read SQL themselves. The work is done by ``server.sql``
(its lexer and command router); this module is the one door the channels use,
which the import contract in ``pyproject.toml`` enforces.
"""

from __future__ import annotations

from server.sql.commands import Command
from server.sql.lexer import Piece, qmark_to_dollar, split_statements
from server.sql.router import route_all, route_one

__all__ = ["Piece", "numbered_parameters", "route_piece", "split", "split_and_route"]


def split_and_route(text: str) -> list[tuple[Piece, Command]]:
    """Every statement of ``text`` with what it is (remembered by text); a refused statement raises."""
    return route_all(text)


def split(text: str) -> list[Piece]:
    """The statements of ``text`` without routing them (to route one by one after a refusal)."""
    return list(split_statements(text))


def route_piece(piece: Piece) -> Command:
    """What one statement is: a session command, or a query for the service to prepare."""
    return route_one(piece)


def numbered_parameters(text: str) -> str:
    """``?`` parameters (ADBC's and DB-API's style) as ``$1``, ``$2``... in the order written."""
    return qmark_to_dollar(text)

"""Statements routed before planning: one frozen dataclass per kind of session command.

The router turns each statement of a message into one of these; only
:class:`Query` (and the queries inside DECLARE, COPY and CREATE TEMP TABLE)
ever reach the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Query:
    """A query for the engine: SELECT, WITH, VALUES, TABLE."""

    text: str
    offset: int = 0


@dataclass(frozen=True)
class SetVariable:
    name: str
    value: str | None  # None: SET ... TO DEFAULT
    local: bool = False


@dataclass(frozen=True)
class ResetVariable:
    name: str | None  # None: RESET ALL


@dataclass(frozen=True)
class ShowVariable:
    name: str | None  # None: SHOW ALL


class TransactionAction(StrEnum):
    BEGIN = "BEGIN"
    COMMIT = "COMMIT"
    ROLLBACK = "ROLLBACK"
    SAVEPOINT = "SAVEPOINT"
    RELEASE = "RELEASE"
    ROLLBACK_TO = "ROLLBACK TO"


@dataclass(frozen=True)
class Transaction:
    action: TransactionAction
    savepoint: str | None = None
    tag: str = ""  # the CommandComplete tag PostgreSQL sends (START TRANSACTION vs BEGIN)


@dataclass(frozen=True)
class SessionCharacteristics:
    """SET SESSION CHARACTERISTICS AS TRANSACTION ... / SET TRANSACTION ...: accepted; Quiver is read-only."""

    text: str


@dataclass(frozen=True)
class Discard:
    what: str  # ALL, PLANS, SEQUENCES, TEMP


@dataclass(frozen=True)
class Deallocate:
    name: str | None  # None: DEALLOCATE ALL


@dataclass(frozen=True)
class DeclareCursor:
    name: str
    query: Query
    hold: bool = False
    binary: bool = False


@dataclass(frozen=True)
class Fetch:
    name: str
    count: int | None  # None: ALL
    move: bool = False


@dataclass(frozen=True)
class CloseCursor:
    name: str | None  # None: CLOSE ALL


class CopyFormat(StrEnum):
    TEXT = "text"
    CSV = "csv"
    BINARY = "binary"


@dataclass(frozen=True)
class CopyOut:
    """COPY (query) TO STDOUT: the query's result streamed as CopyData."""

    query: Query
    format: CopyFormat = CopyFormat.TEXT
    header: bool = False
    delimiter: str | None = None  # default: tab for text, comma for csv
    null: str | None = None  # default: \N for text, empty for csv
    quote: str = '"'


@dataclass(frozen=True)
class CreateTempTable:
    """CREATE TEMP TABLE name [(columns)] [AS query]: a session-scoped table (Tableau's extract pattern)."""

    name: str
    query: Query | None
    columns: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CreateTempView:
    """CREATE [OR REPLACE] TEMP VIEW name [(columns)] AS query: a session-scoped name for a query.

    The view keeps SQL, not rows (Ibis creates one to learn an ad-hoc query's columns), so
    reading it runs the query as the reader, under the reader's policies.
    """

    name: str
    query: Query
    columns: tuple[str, ...] = ()
    replace: bool = False


@dataclass(frozen=True)
class DropView:
    names: tuple[str, ...]
    if_exists: bool = False


@dataclass(frozen=True)
class DropTable:
    names: tuple[str, ...]
    if_exists: bool = False


@dataclass(frozen=True)
class Explain:
    query: Query


@dataclass(frozen=True)
class NoOp:
    """Accepted and answered with a tag, with no effect (LISTEN, UNLISTEN, ANALYZE of nothing...)."""

    tag: str


Command = (
    Query
    | CreateTempView
    | DropView
    | SetVariable
    | ResetVariable
    | ShowVariable
    | Transaction
    | SessionCharacteristics
    | Discard
    | Deallocate
    | DeclareCursor
    | Fetch
    | CloseCursor
    | CopyOut
    | CreateTempTable
    | DropTable
    | Explain
    | NoOp
)

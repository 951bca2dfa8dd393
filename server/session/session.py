"""One client session's state: identity, settings, transaction status, statements, portals.

Pure state, no I/O: the protocol layer feeds it commands and reads what to send
back, so its rules (PostgreSQL's transaction states, SET LOCAL reverting at
transaction end, portals dying with their transaction) are unit-tested
without sockets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pyarrow as pa

from server.errors import (
    ActiveTransaction,
    ActiveTransactionNotice,
    DuplicateObject,
    InFailedTransaction,
    InvalidCursorName,
    InvalidSavepoint,
    InvalidStatementName,
    NoActiveTransaction,
    NoActiveTransactionNotice,
    Notice,
    SqlState,
)
from server.policy.identity import Caller
from server.session import settings as guc
from server.session.temp_views import TempView, relation_info
from server.sql.commands import (
    Command,
    Deallocate,
    Discard,
    ResetVariable,
    SessionCharacteristics,
    SetVariable,
    ShowVariable,
    Transaction,
    TransactionAction,
)
from server.sql.session_info import SessionInfo

DISPLAY_NAMES = {"datestyle": "DateStyle", "intervalstyle": "IntervalStyle", "timezone": "TimeZone"}


class TransactionStatus(StrEnum):
    """The status byte of ReadyForQuery."""

    IDLE = "I"
    IN_TRANSACTION = "T"
    FAILED = "E"


@dataclass
class CommandResult:
    """What a session command produced: a tag, maybe rows, notices, and settings to report."""

    tag: str
    rows: pa.Table | None = None
    notices: list[Notice] = field(default_factory=list)
    reported: dict[str, str] = field(default_factory=dict)


@dataclass
class PreparedStatement:
    """A parsed (Parse message) statement; ``param_types`` are OIDs, 0 until inferred."""

    name: str
    text: str
    command: Command | None  # None: the empty statement
    param_types: list[int]
    lifecycle: Any = None  # the statement service's prepared statement (a query's tree, route, types)


@dataclass
class Portal:
    """A bound statement ready to execute (or a cursor from DECLARE), with its running result."""

    name: str
    statement: PreparedStatement
    params: list[Any]
    result_formats: list[int]
    cursor: bool = False
    hold: bool = False
    bound: Any = None  # the statement service's portal (a query with its values bound)
    state: Any = None  # the running result, owned by the protocol layer
    rows_sent: int = 0
    done: bool = False

    def close(self) -> None:
        closer = getattr(self.state, "close", None)
        if closer is not None:
            closer()
        self.state = None


class Session:
    def __init__(self, caller: Caller, startup: Mapping[str, str], backend_pid: int, database: str) -> None:
        self.caller = caller
        self.backend_pid = backend_pid
        self.database = database
        self.status = TransactionStatus.IDLE
        self.defaults: dict[str, str] = {name: s.default for name, s in guc.SETTINGS.items()}
        self.defaults["session_authorization"] = caller.user
        self.defaults["is_superuser"] = "off"
        for key, value in startup.items():
            name = guc.canonical_name(key)
            if name in guc.SETTINGS and not guc.SETTINGS[name].read_only:
                self.defaults[name] = guc.validate(name, value)
        self.values: dict[str, str] = dict(self.defaults)
        self.local_saved: dict[str, str] = {}  # SET LOCAL: values to restore at transaction end
        self.savepoints: list[str] = []
        self.prepared: dict[str, PreparedStatement] = {}
        self.portals: dict[str, Portal] = {}
        self.temp_tables: dict[str, pa.Table] = {}
        self.temp_views: dict[str, TempView] = {}  # SQL, not rows: read under the reader's policies

    # -- temporary tables ---------------------------------------------------------------------------

    # -- what the rest of the server reads ------------------------------------------------------

    def setting(self, name: str) -> str:
        return self.values.get(guc.canonical_name(name), "")

    def reported_settings(self) -> dict[str, str]:
        """ParameterStatus values sent after authentication."""
        return {
            DISPLAY_NAMES.get(name, name): self.values[name] for name, setting in guc.SETTINGS.items() if setting.report
        }

    def info(self) -> SessionInfo:
        search_path = tuple(
            p.strip().strip('"') for p in self.setting("search_path").split(",") if p.strip() and "$user" not in p
        )
        return SessionInfo(
            user=self.caller.user,
            database=self.database,
            search_path=search_path or ("public",),
            application_name=self.setting("application_name"),
            backend_pid=self.backend_pid,
            settings=dict(self.values),
            temp_relations=tuple(relation_info(view) for view in self.temp_views.values()),
        )

    @property
    def statement_timeout(self) -> float | None:
        milliseconds = int(self.setting("statement_timeout") or 0)
        return milliseconds / 1000 if milliseconds > 0 else None

    @property
    def in_block(self) -> bool:
        return self.status is not TransactionStatus.IDLE

    # -- transaction rules ----------------------------------------------------------------------

    def check_not_failed(self, command: Command | None) -> None:
        """In a failed transaction only ROLLBACK (or COMMIT, which rolls back) is accepted."""
        if self.status is not TransactionStatus.FAILED:
            return
        if isinstance(command, Transaction) and command.action in (
            TransactionAction.ROLLBACK,
            TransactionAction.COMMIT,
            TransactionAction.ROLLBACK_TO,
        ):
            return
        raise InFailedTransaction("current transaction is aborted, commands ignored until end of transaction block")

    def fail(self) -> None:
        """An error happened: inside a transaction block the block is now failed."""
        if self.status is TransactionStatus.IN_TRANSACTION:
            self.status = TransactionStatus.FAILED

    def end_implicit_transaction(self) -> None:
        """Sync outside a transaction block: portals of the implicit transaction are gone."""
        if self.status is TransactionStatus.IDLE:
            self._close_portals(keep_holdable=True)

    def _end_transaction(self) -> None:
        self.status = TransactionStatus.IDLE
        self.savepoints.clear()
        for name, value in self.local_saved.items():
            self.values[name] = value
        self.local_saved.clear()
        self._close_portals(keep_holdable=True)

    def _close_portals(self, keep_holdable: bool) -> None:
        for name in list(self.portals):
            portal = self.portals[name]
            if keep_holdable and portal.cursor and portal.hold:
                continue
            portal.close()
            del self.portals[name]

    # -- session commands -----------------------------------------------------------------------

    def apply(self, command: Command) -> CommandResult:
        """Run a session command (SET, SHOW, BEGIN, DISCARD...)."""
        if isinstance(command, SetVariable):
            return self._set(command)
        if isinstance(command, ResetVariable):
            return self._reset(command)
        if isinstance(command, ShowVariable):
            return self._show(command)
        if isinstance(command, Transaction):
            return self._transaction(command)
        if isinstance(command, SessionCharacteristics):
            return CommandResult("SET")
        if isinstance(command, Discard):
            return self._discard(command)
        if isinstance(command, Deallocate):
            return self._deallocate(command)
        raise TypeError(f"not a session command: {command!r}")

    def _set(self, command: SetVariable) -> CommandResult:
        name = guc.canonical_name(command.name)
        value = self.defaults.get(name, "") if command.value is None else guc.validate(name, command.value)
        if command.local:
            if self.status is TransactionStatus.IDLE:
                return CommandResult(
                    "SET", notices=[NoActiveTransactionNotice("SET LOCAL can only be used in transaction blocks")]
                )
            self.local_saved.setdefault(name, self.values.get(name, ""))
        self.values[name] = value
        return CommandResult("SET", reported=self._report(name))

    def _reset(self, command: ResetVariable) -> CommandResult:
        names = list(self.values) if command.name is None else [guc.canonical_name(command.name)]
        reported: dict[str, str] = {}
        for name in names:
            setting = guc.SETTINGS.get(name)
            if setting is None and "." not in name:
                guc.validate(name, "")  # raises 42704
            if setting is not None and setting.read_only:
                continue
            if name in self.defaults:
                self.values[name] = self.defaults[name]
            else:
                self.values.pop(name, None)
            reported.update(self._report(name))
        return CommandResult("RESET", reported=reported)

    def _report(self, name: str) -> dict[str, str]:
        setting = guc.SETTINGS.get(name)
        if setting is not None and setting.report:
            return {DISPLAY_NAMES.get(name, name): self.values.get(name, "")}
        return {}

    def _show(self, command: ShowVariable) -> CommandResult:
        if command.name is None:
            names = sorted(self.values)
            table = pa.table(
                {
                    "name": pa.array(names),
                    "setting": pa.array([self.values[n] for n in names]),
                    "description": pa.array([guc.SETTINGS[n].description if n in guc.SETTINGS else "" for n in names]),
                }
            )
            return CommandResult("SHOW", rows=table)
        name = guc.canonical_name(command.name)
        if name not in self.values:
            if name in guc.SETTINGS or "." in name:
                value = self.values.get(name, "")
            else:
                guc.validate(name, "")
                value = ""
        else:
            value = self.values[name]
        if name == "transaction_read_only":
            value = "on"
        column = DISPLAY_NAMES.get(name, name)
        return CommandResult("SHOW", rows=pa.table({column: pa.array([value], pa.string())}))

    def _transaction(self, command: Transaction) -> CommandResult:
        action = command.action
        if action is TransactionAction.BEGIN:
            if self.status is not TransactionStatus.IDLE:
                return CommandResult(
                    command.tag, notices=[ActiveTransactionNotice("there is already a transaction in progress")]
                )
            self.status = TransactionStatus.IN_TRANSACTION
            return CommandResult(command.tag)
        if action is TransactionAction.COMMIT:
            if self.status is TransactionStatus.IDLE:
                return CommandResult(
                    "COMMIT", notices=[NoActiveTransactionNotice("there is no transaction in progress")]
                )
            tag = "ROLLBACK" if self.status is TransactionStatus.FAILED else "COMMIT"
            self._end_transaction()
            return CommandResult(tag)
        if action is TransactionAction.ROLLBACK:
            if self.status is TransactionStatus.IDLE:
                return CommandResult(
                    "ROLLBACK", notices=[NoActiveTransactionNotice("there is no transaction in progress")]
                )
            self._end_transaction()
            return CommandResult("ROLLBACK")
        if self.status is TransactionStatus.IDLE:
            word = "SAVEPOINT" if action is TransactionAction.SAVEPOINT else action.value
            raise NoActiveTransaction(f"{word} can only be used in transaction blocks")
        name = command.savepoint or ""
        if action is TransactionAction.SAVEPOINT:
            self.savepoints.append(name)
            return CommandResult("SAVEPOINT")
        if name not in self.savepoints:
            raise InvalidSavepoint(f'savepoint "{name}" does not exist')
        index = len(self.savepoints) - 1 - self.savepoints[::-1].index(name)
        if action is TransactionAction.RELEASE:
            del self.savepoints[index:]
            return CommandResult("RELEASE")
        del self.savepoints[index + 1 :]
        self.status = TransactionStatus.IN_TRANSACTION
        return CommandResult("ROLLBACK")

    def _discard(self, command: Discard) -> CommandResult:
        if command.what in ("ALL", "TEMP"):
            if command.what == "ALL" and self.status is not TransactionStatus.IDLE:
                raise ActiveTransaction("DISCARD ALL cannot run inside a transaction block")
            self.temp_tables.clear()
            self.temp_views.clear()
        if command.what == "ALL":
            self._close_portals(keep_holdable=False)
            self.prepared.clear()
            self.values = dict(self.defaults)
            return CommandResult("DISCARD ALL")
        return CommandResult(f"DISCARD {command.what}")

    def _deallocate(self, command: Deallocate) -> CommandResult:
        if command.name is None:
            self.prepared.clear()
        elif self.prepared.pop(command.name, None) is None:
            raise InvalidStatementName(f'prepared statement "{command.name}" does not exist')
        return CommandResult("DEALLOCATE ALL" if command.name is None else "DEALLOCATE")

    # -- statements and portals -----------------------------------------------------------------

    def add_prepared(self, statement: PreparedStatement) -> None:
        if statement.name and statement.name in self.prepared:
            raise DuplicateObject(
                f'prepared statement "{statement.name}" already exists', SqlState.DUPLICATE_PREPARED_STATEMENT
            )
        self.prepared[statement.name] = statement

    def get_prepared(self, name: str) -> PreparedStatement:
        found = self.prepared.get(name)
        if found is None:
            raise InvalidStatementName(
                f'prepared statement "{name}" does not exist' if name else "unnamed prepared statement does not exist"
            )
        return found

    def add_portal(self, portal: Portal) -> None:
        old = self.portals.get(portal.name)
        if old is not None:
            if portal.name and portal.cursor:
                raise DuplicateObject(f'cursor "{portal.name}" already exists', SqlState.DUPLICATE_CURSOR)
            if portal.name:
                raise DuplicateObject(f'portal "{portal.name}" already exists', SqlState.DUPLICATE_CURSOR)
            old.close()
        self.portals[portal.name] = portal

    def get_portal(self, name: str) -> Portal:
        found = self.portals.get(name)
        if found is None:
            raise InvalidCursorName(f'portal "{name}" does not exist' if name else "unnamed portal does not exist")
        return found

    def close_portal(self, name: str) -> None:
        portal = self.portals.pop(name, None)
        if portal is not None:
            portal.close()

    def close_cursor(self, name: str | None) -> str:
        """CLOSE name (34000 when there is none), or CLOSE ALL (None); returns the command tag."""
        if name is None:
            for cursor in [n for n, p in self.portals.items() if p.cursor]:
                self.close_portal(cursor)
            return "CLOSE CURSOR ALL"
        if name not in self.portals:
            raise InvalidCursorName(f'cursor "{name}" does not exist')
        self.close_portal(name)
        return "CLOSE CURSOR"

    def close_all(self) -> None:
        self._close_portals(keep_holdable=False)

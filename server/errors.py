"""Every error Quiver reports, as a type carrying its SQLSTATE.

This is the only module that writes SQLSTATE codes. Each channel turns a
:class:`QuiverError` into its own shape (a PostgreSQL ``ErrorResponse``, a Flight
status with ``extra_info``, an HTTP problem document) from the same fields, so a
client sees the same code, message, detail and hint whichever way it asked.

Messages follow PostgreSQL's style guide: lower case, no trailing period, quoted
names (``column "revenu" does not exist``); the hint is a full sentence.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import StrEnum


class SqlState(StrEnum):
    """The SQLSTATE codes Quiver emits, named as PostgreSQL's errcodes.txt names them."""

    SUCCESSFUL_COMPLETION = "00000"
    WARNING = "01000"
    INVALID_CATALOG_NAME = "3D000"
    PROTOCOL_VIOLATION = "08P01"
    FEATURE_NOT_SUPPORTED = "0A000"
    DATA_EXCEPTION = "22000"
    INVALID_PARAMETER_VALUE = "22023"
    INVALID_TEXT_REPRESENTATION = "22P02"
    INVALID_DATETIME_FORMAT = "22007"
    INVALID_ARGUMENT_FOR_LOGARITHM = "2201E"
    INVALID_ARGUMENT_FOR_POWER_FUNCTION = "2201F"
    INTEGRITY_CONSTRAINT_VIOLATION = "23000"
    NOT_NULL_VIOLATION = "23502"
    UNIQUE_VIOLATION = "23505"
    NUMERIC_VALUE_OUT_OF_RANGE = "22003"
    INVALID_BINARY_REPRESENTATION = "22P03"
    DATETIME_FIELD_OVERFLOW = "22008"
    DIVISION_BY_ZERO = "22012"
    INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION = "2201G"
    CHARACTER_NOT_IN_REPERTOIRE = "22021"
    ACTIVE_SQL_TRANSACTION = "25001"
    NO_ACTIVE_SQL_TRANSACTION = "25P01"
    READ_ONLY_SQL_TRANSACTION = "25006"
    IN_FAILED_SQL_TRANSACTION = "25P02"
    INVALID_SQL_STATEMENT_NAME = "26000"
    INVALID_AUTHORIZATION_SPECIFICATION = "28000"
    INVALID_PASSWORD = "28P01"
    INVALID_CURSOR_NAME = "34000"
    INVALID_SAVEPOINT_SPECIFICATION = "3B001"
    SYNTAX_ERROR = "42601"
    INSUFFICIENT_PRIVILEGE = "42501"
    UNDEFINED_TABLE = "42P01"
    WRONG_OBJECT_TYPE = "42809"
    UNDEFINED_COLUMN = "42703"
    UNDEFINED_FUNCTION = "42883"
    AMBIGUOUS_FUNCTION = "42725"
    GROUPING_ERROR = "42803"
    DATATYPE_MISMATCH = "42804"
    AMBIGUOUS_COLUMN = "42702"
    INVALID_COLUMN_REFERENCE = "42P10"
    UNDEFINED_OBJECT = "42704"
    DUPLICATE_CURSOR = "42P03"
    DUPLICATE_PREPARED_STATEMENT = "42P05"
    DUPLICATE_TABLE = "42P07"
    CANT_CHANGE_RUNTIME_PARAM = "55P02"
    OUT_OF_MEMORY = "53200"
    TOO_MANY_CONNECTIONS = "53300"
    CONFIGURATION_LIMIT_EXCEEDED = "53400"
    PROGRAM_LIMIT_EXCEEDED = "54000"
    STATEMENT_TOO_COMPLEX = "54001"
    QUERY_CANCELED = "57014"
    ADMIN_SHUTDOWN = "57P01"
    CANNOT_CONNECT_NOW = "57P03"
    IDLE_SESSION_TIMEOUT = "57P05"
    SYSTEM_ERROR = "58000"
    INTERNAL_ERROR = "XX000"


class QuiverError(Exception):
    """Base of every error a caller may see.

    ``position`` is 1-based, in characters of the statement text, as PostgreSQL's
    ``P`` field. ``severity`` is ``ERROR`` unless the error ends the session.
    """

    sqlstate: SqlState = SqlState.INTERNAL_ERROR
    severity: str = "ERROR"

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        hint: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position

    def __str__(self) -> str:
        return self.message

    def describe(self, first_line: str | None = None) -> str:
        """One readable block: ``ERROR:  message`` (or ``first_line``) plus detail and hint lines, as psql prints."""
        lines = [first_line if first_line is not None else f"{self.severity}:  {self.message}"]
        if self.detail:
            lines.append(f"DETAIL:  {self.detail}")
        if self.hint:
            lines.append(f"HINT:  {self.hint}")
        return "\n".join(lines)


class SqlSyntaxError(QuiverError):
    """42601: the statement does not parse."""

    sqlstate = SqlState.SYNTAX_ERROR


class UndefinedTable(QuiverError):
    """42P01: a relation the caller may not see, or that does not exist (indistinguishable on purpose)."""

    sqlstate = SqlState.UNDEFINED_TABLE


class WrongObjectType(QuiverError):
    """42809: a statement names a relation of the wrong kind (DROP VIEW of a temporary table)."""

    sqlstate = SqlState.WRONG_OBJECT_TYPE


class UndefinedColumn(QuiverError):
    """42703: a member the caller may not see, or that does not exist."""

    sqlstate = SqlState.UNDEFINED_COLUMN


class UndefinedFunction(QuiverError):
    """42883: a function outside the allowlist, or unknown."""

    sqlstate = SqlState.UNDEFINED_FUNCTION


class AmbiguousColumn(QuiverError):
    """42702: a column name that more than one source in scope provides."""

    sqlstate = SqlState.AMBIGUOUS_COLUMN


class GroupingError(QuiverError):
    """42803: an aggregate or measure used where it cannot be, or a mismatched aggregate."""

    sqlstate = SqlState.GROUPING_ERROR


class DatatypeMismatch(QuiverError):
    """42804: an expression of the wrong type (a non-boolean filter, say)."""

    sqlstate = SqlState.DATATYPE_MISMATCH


class InvalidColumnReference(QuiverError):
    """42P10: ORDER BY or GROUP BY position out of range."""

    sqlstate = SqlState.INVALID_COLUMN_REFERENCE


class FeatureNotSupported(QuiverError):
    """0A000: valid SQL that Quiver does not (or will not) run."""

    sqlstate = SqlState.FEATURE_NOT_SUPPORTED


class InsufficientPrivilege(QuiverError):
    """42501: a policy forbids this, or cannot be applied (fail closed)."""

    sqlstate = SqlState.INSUFFICIENT_PRIVILEGE


class ReadOnlyTransaction(QuiverError):
    """25006: a write against a read-only server."""

    sqlstate = SqlState.READ_ONLY_SQL_TRANSACTION


class InvalidParameterValue(QuiverError):
    """22023: a setting or argument with a value out of its domain."""

    sqlstate = SqlState.INVALID_PARAMETER_VALUE


class InvalidTextRepresentation(QuiverError):
    """22P02: a parameter or literal that does not parse as its type."""

    sqlstate = SqlState.INVALID_TEXT_REPRESENTATION


class NumericValueOutOfRange(QuiverError):
    """22003: a number does not fit its type (``99999999999`` for an integer parameter)."""

    sqlstate = SqlState.NUMERIC_VALUE_OUT_OF_RANGE


class DivisionByZero(QuiverError):
    """22012: a divisor of zero (integer, numeric or modulo), as PostgreSQL refuses it."""

    sqlstate = SqlState.DIVISION_BY_ZERO


class InvalidDatetimeFormat(QuiverError):
    """22007: a date or timestamp literal that does not read as one (``'abc'::date``)."""

    sqlstate = SqlState.INVALID_DATETIME_FORMAT


class InvalidArgumentForLogarithm(QuiverError):
    """2201E: the logarithm of zero or of a negative number."""

    sqlstate = SqlState.INVALID_ARGUMENT_FOR_LOGARITHM


class InvalidArgumentForPower(QuiverError):
    """2201F: the square root of a negative number, or a power with no real result."""

    sqlstate = SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION


class IntegrityConstraintViolation(QuiverError):
    """23000: a row a temporary table's constraint refuses."""

    sqlstate = SqlState.INTEGRITY_CONSTRAINT_VIOLATION


class NotNullViolation(IntegrityConstraintViolation):
    """23502: a null in a NOT NULL column of a temporary table."""

    sqlstate = SqlState.NOT_NULL_VIOLATION


class UniqueViolation(IntegrityConstraintViolation):
    """23505: a duplicate key in a temporary table."""

    sqlstate = SqlState.UNIQUE_VIOLATION


class AmbiguousFunction(QuiverError):
    """42725: more than one function or operator fits the argument types equally well."""

    sqlstate = SqlState.AMBIGUOUS_FUNCTION


class InvalidArgumentForWidthBucket(QuiverError):
    """2201G: ``width_bucket`` with a count below one or equal bounds."""

    sqlstate = SqlState.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION


class DataException(QuiverError):
    """22000: the engine rejected a value (overflow, bad cast, division by zero)."""

    sqlstate = SqlState.DATA_EXCEPTION


class InvalidStatementName(QuiverError):
    """26000: an unknown prepared statement."""

    sqlstate = SqlState.INVALID_SQL_STATEMENT_NAME


class UndefinedObject(QuiverError):
    """42704: an unknown configuration parameter or object."""

    sqlstate = SqlState.UNDEFINED_OBJECT


class CantChangeRuntimeParam(QuiverError):
    """55P02: a read-only setting."""

    sqlstate = SqlState.CANT_CHANGE_RUNTIME_PARAM


class InFailedTransaction(QuiverError):
    """25P02: a statement after an error inside a transaction block."""

    sqlstate = SqlState.IN_FAILED_SQL_TRANSACTION


class NoActiveTransaction(QuiverError):
    """25P01: SAVEPOINT and friends outside a transaction block."""

    sqlstate = SqlState.NO_ACTIVE_SQL_TRANSACTION


class ActiveTransaction(QuiverError):
    """25001: a command that cannot run inside a transaction block."""

    sqlstate = SqlState.ACTIVE_SQL_TRANSACTION


class InvalidSavepoint(QuiverError):
    """3B001: RELEASE or ROLLBACK TO of an unknown savepoint."""

    sqlstate = SqlState.INVALID_SAVEPOINT_SPECIFICATION


class DuplicateObject(QuiverError):
    """42P03 / 42P05 / 42P07: a cursor, prepared statement or temporary table that already exists."""

    def __init__(self, message: str, sqlstate: SqlState) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class InvalidBinaryRepresentation(QuiverError):
    """22P03: a binary parameter that does not decode as its type."""

    sqlstate = SqlState.INVALID_BINARY_REPRESENTATION


class DatetimeFieldOverflow(QuiverError):
    """22008: a date or time out of range (a binary timestamp past 9999, month 13)."""

    sqlstate = SqlState.DATETIME_FIELD_OVERFLOW


class CharacterNotInRepertoire(QuiverError):
    """22021: text that is not valid UTF-8 (a Flight command or ticket, say)."""

    sqlstate = SqlState.CHARACTER_NOT_IN_REPERTOIRE


class TooManyConnections(QuiverError):
    """53300: the configured connection limit is reached."""

    sqlstate = SqlState.TOO_MANY_CONNECTIONS
    severity = "FATAL"


class InvalidCatalogName(QuiverError):
    """3D000: the database named at start-up does not exist."""

    sqlstate = SqlState.INVALID_CATALOG_NAME
    severity = "FATAL"


class IdleSessionTimeout(QuiverError):
    """57P05: the connection was idle longer than allowed."""

    sqlstate = SqlState.IDLE_SESSION_TIMEOUT
    severity = "FATAL"


class InvalidCursorName(QuiverError):
    """34000: an unknown portal or cursor."""

    sqlstate = SqlState.INVALID_CURSOR_NAME


class QueryCanceled(QuiverError):
    """57014: cancelled by the client or by statement_timeout."""

    sqlstate = SqlState.QUERY_CANCELED


class StatementTimeout(QueryCanceled):
    """57014 because ``statement_timeout`` ran out (channels that tell it from a cancel branch on the type)."""


class ConfigurationLimitExceeded(QuiverError):
    """53400: a configured limit (rows, concurrent queries, message size) was reached."""

    sqlstate = SqlState.CONFIGURATION_LIMIT_EXCEEDED


class OutOfMemory(QuiverError):
    """53200: the query needed more memory than its engine may use; the memory is returned afterwards."""

    sqlstate = SqlState.OUT_OF_MEMORY


class StatementTooComplex(QuiverError):
    """54001: the statement is nested too deeply or is too long to parse safely."""

    sqlstate = SqlState.STATEMENT_TOO_COMPLEX


class ProgramLimitExceeded(QuiverError):
    """54000: an input over a fixed limit of the server (a Flight name pattern over 1,024 bytes)."""

    sqlstate = SqlState.PROGRAM_LIMIT_EXCEEDED


class AdminShutdown(QuiverError):
    """57P01: the server is shutting down; new statements are refused, the session ends."""

    sqlstate = SqlState.ADMIN_SHUTDOWN


class CannotConnectNow(QuiverError):
    """57P03: the server is shutting down and takes no new sessions."""

    sqlstate = SqlState.CANNOT_CONNECT_NOW
    severity = "FATAL"


class SourceError(QuiverError):
    """58000: the data source failed or is unreachable."""

    sqlstate = SqlState.SYSTEM_ERROR


class ProtocolViolation(QuiverError):
    """08P01: a malformed or out-of-order protocol message."""

    sqlstate = SqlState.PROTOCOL_VIOLATION


class InvalidPassword(QuiverError):
    """28P01: authentication failed."""

    sqlstate = SqlState.INVALID_PASSWORD
    severity = "FATAL"


class InvalidAuthorization(QuiverError):
    """28000: the named user does not exist (or may not connect)."""

    sqlstate = SqlState.INVALID_AUTHORIZATION_SPECIFICATION
    severity = "FATAL"


class InternalError(QuiverError):
    """XX000: a bug. The caller sees only a request id; the traceback goes to the log."""

    sqlstate = SqlState.INTERNAL_ERROR


class ModelInvalid(QuiverError):
    """A model directory failed validation; carries every issue found, not the first."""

    sqlstate = SqlState.FEATURE_NOT_SUPPORTED

    def __init__(self, issues: Iterable[object]) -> None:
        self.issues = tuple(issues)
        super().__init__(
            f"the data product model has {len(self.issues)} problem(s)",
            detail="\n".join(str(issue) for issue in self.issues[:20]),
        )


class Notice:
    """A warning sent before a statement's result (PostgreSQL's ``NoticeResponse``), typed like errors.

    The statement still succeeds; the channel shows the notice with its SQLSTATE
    (a wire client's notice handler, a log line elsewhere). The type says which
    SQLSTATE, so no channel has to guess it from the text.
    """

    sqlstate: SqlState = SqlState.WARNING
    severity: str = "WARNING"

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ActiveTransactionNotice(Notice):
    """BEGIN inside a transaction block: ignored, as PostgreSQL ignores it."""

    sqlstate = SqlState.ACTIVE_SQL_TRANSACTION


class NoActiveTransactionNotice(Notice):
    """COMMIT, ROLLBACK or SET LOCAL outside a transaction block: nothing to do."""

    sqlstate = SqlState.NO_ACTIVE_SQL_TRANSACTION


class DeprecatedRelationNotice(Notice):
    """A statement read a relation its author marked ``meta.deprecated``: it still answers."""


class RepeatedMeasureNotice(Notice):
    """Returned rows repeat a measure's value (a join fans its table out): summing them inflates its total.

    A plain notice (severity NOTICE, SQLSTATE 00000, as ``RAISE NOTICE`` sends): the rows
    are right, only summing them is not, so nothing about the statement is a warning.
    """

    sqlstate = SqlState.SUCCESSFUL_COMPLETION
    severity = "NOTICE"


def did_you_mean(name: str, candidates: Iterable[str], what: str = "") -> str | None:
    """A hint naming the closest candidate, or None when nothing is close.

    Candidates are only ever the names the caller may see, so the hint cannot leak
    the existence of a hidden member.
    """
    names = list(candidates)
    match = difflib.get_close_matches(name.lower(), [c.lower() for c in names], n=1, cutoff=0.7)
    if not match:
        return None
    original = next(c for c in names if c.lower() == match[0])
    noun = f"the {what} " if what else ""
    return f'Perhaps you meant {noun}"{original}".'

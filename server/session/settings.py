"""Run-time settings a client may read and set (PostgreSQL's GUCs), validated.

Quiver honours the settings that change what it sends (TimeZone for
timestamptz, extra_float_digits, DateStyle's ISO output, statement_timeout,
application_name, search_path) and accepts, without effect, the many
settings drivers and BI tools set on connect (jit, lock_timeout, work_mem...).
An unknown setting is an error (42704), as in PostgreSQL; so is an engine
setting: nothing here reaches DuckDB. ``standard_conforming_strings`` may not be
turned off (0A000): the lexer reads strings one way only (see
:mod:`server.sql.lexical_settings`).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

from server.errors import CantChangeRuntimeParam, FeatureNotSupported, InvalidParameterValue, UndefinedObject
from server.sql.lexical_settings import STANDARD_CONFORMING_STRINGS, conforming_strings
from server.sql.session_info import SERVER_VERSION, SERVER_VERSION_NUM


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    description: str
    report: bool = False  # sent as ParameterStatus at start-up and on change
    read_only: bool = False


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("server_version", SERVER_VERSION, "Server version (PostgreSQL 16 compatible).", True, True),
        Setting("server_version_num", SERVER_VERSION_NUM, "Server version as a number.", False, True),
        Setting("server_encoding", "UTF8", "Server character set.", True, True),
        Setting("client_encoding", "UTF8", "Client character set; only UTF8 is supported.", True),
        Setting("datestyle", "ISO, MDY", "Date output style; only ISO output is produced.", True),
        Setting("intervalstyle", "postgres", "Interval output style.", True),
        Setting("timezone", "UTC", "Time zone for timestamptz values.", True),
        Setting("integer_datetimes", "on", "Datetimes are 64-bit integers.", True, True),
        Setting("standard_conforming_strings", "on", "Backslashes are literal in ordinary strings.", True),
        Setting("application_name", "", "Name the client reports.", True),
        Setting("is_superuser", "off", "Whether the session user is a superuser.", True, True),
        Setting("session_authorization", "", "The session user.", True, True),
        Setting("role", "none", "The current role: always the session user (SET ROLE other is refused).", False, True),
        Setting("default_transaction_read_only", "on", "Transactions are read-only.", True),
        Setting("in_hot_standby", "off", "Whether this is a hot standby.", True, True),
        Setting("search_path", '"$user", public', "Schema search order."),
        Setting("extra_float_digits", "1", "Digits of float output (1 or more: shortest exact)."),
        Setting("client_min_messages", "notice", "Least severe message sent to the client."),
        Setting("statement_timeout", "0", "Cancel a statement after this many milliseconds (0: never)."),
        Setting("lock_timeout", "0", "Accepted; no locks are taken."),
        Setting("idle_in_transaction_session_timeout", "0", "Accepted; see the server's idle limit."),
        Setting("idle_session_timeout", "0", "Accepted; see the server's idle limit."),
        Setting("transaction_isolation", "read committed", "Isolation level (reads see the current model)."),
        Setting("default_transaction_isolation", "read committed", "Default isolation level."),
        Setting("transaction_read_only", "on", "The current transaction is read-only.", False, True),
        Setting("max_identifier_length", "63", "Longest identifier.", False, True),
        Setting("max_index_keys", "32", "Most index keys.", False, True),
        Setting("lc_collate", "C", "Collation.", False, True),
        Setting("lc_ctype", "C", "Character classification.", False, True),
        Setting("lc_messages", "C", "Message language."),
        Setting("lc_monetary", "C", "Monetary formatting."),
        Setting("lc_numeric", "C", "Number formatting."),
        Setting("lc_time", "C", "Time formatting."),
        Setting("bytea_output", "hex", "bytea output format."),
        Setting("escape_string_warning", "on", "Warn about backslashes in strings."),
        Setting("backslash_quote", "safe_encoding", "Whether \\' is allowed in strings."),
        Setting("synchronous_commit", "on", "Accepted; nothing is written."),
        Setting("work_mem", "4MB", "Accepted; the engine manages memory."),
        Setting("maintenance_work_mem", "64MB", "Accepted."),
        Setting("jit", "off", "Accepted."),
        Setting("geqo", "on", "Accepted."),
        Setting("plan_cache_mode", "auto", "Accepted."),
        Setting("row_security", "on", "Row security is always on in Quiver.", False, True),
        Setting("max_parallel_workers_per_gather", "2", "Accepted."),
        Setting("cursor_tuple_fraction", "0.1", "Accepted."),
        Setting("enable_seqscan", "on", "Accepted."),
        Setting("enable_indexscan", "on", "Accepted."),
        Setting("enable_nestloop", "on", "Accepted."),
        Setting("enable_hashjoin", "on", "Accepted."),
        Setting("enable_mergejoin", "on", "Accepted."),
        Setting("random_page_cost", "4", "Accepted."),
        Setting("default_statistics_target", "100", "Accepted."),
        Setting("log_statement", "none", "Accepted."),
        Setting("log_min_duration_statement", "-1", "Accepted."),
        Setting("timezone_abbreviations", "Default", "Accepted."),
        Setting("max_connections", "100", "See the server's connection limit.", False, True),
        Setting("port", "15432", "Listening port.", False, True),
        Setting("block_size", "8192", "Block size.", False, True),
        Setting("data_directory_mode", "0700", "Accepted.", False, True),
        Setting("ssl", "off", "Whether TLS is offered.", False, True),
        Setting("password_encryption", "scram-sha-256", "Password hashing.", False, True),
        Setting("allow_system_table_mods", "off", "Accepted.", False, True),
        Setting("default_tablespace", "", "Accepted."),
        Setting("temp_tablespaces", "", "Accepted."),
        Setting("check_function_bodies", "on", "Accepted."),
        Setting("xmloption", "content", "Accepted."),
        Setting("vacuum_freeze_min_age", "50000000", "Accepted."),
    )
}
ALIASES = {"time zone": "timezone", "names": "client_encoding"}
_INTEGER = re.compile(r"^-?\d+$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$", re.IGNORECASE)
_DURATION_MS = {None: 1, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


def canonical_name(name: str) -> str:
    lowered = name.strip().lower()
    return ALIASES.get(lowered, lowered)


def known(name: str) -> bool:
    return canonical_name(name) in SETTINGS or "." in name


def validate(name: str, value: str) -> str:
    """The value as stored, or a typed error (22023 bad value, 42704 unknown, 0A000 unsupported)."""
    key = canonical_name(name)
    setting = SETTINGS.get(key)
    if setting is None:
        if "." in key:  # custom "extension.option" settings are free-form, as in PostgreSQL
            return value
        raise UndefinedObject(f'unrecognized configuration parameter "{name}"')
    if setting.read_only:
        raise CantChangeRuntimeParam(f'parameter "{key}" cannot be changed')
    if key == STANDARD_CONFORMING_STRINGS:  # off would change how strings are read: refused (0A000)
        return conforming_strings(value)
    if key == "timezone":
        return _time_zone(value)
    if key == "client_encoding":
        # asyncpg sends 'utf-8' with its quotes, in lower case.
        if value.strip().strip("'\"").replace("-", "").replace("_", "").upper() not in ("UTF8", "UNICODE"):
            raise FeatureNotSupported(
                f'client encoding "{value}" is not supported', hint="Quiver sends and receives UTF8 only."
            )
        return "UTF8"
    if key == "datestyle":
        parts = [p.strip().upper() for p in value.split(",") if p.strip()]
        if any(p in ("SQL", "POSTGRES", "GERMAN") for p in parts):
            raise FeatureNotSupported(f'DateStyle "{value}" is not supported', hint="Quiver writes dates in ISO style.")
        order = next((p for p in parts if p in ("MDY", "DMY", "YMD", "US", "EURO", "EUROPEAN", "NONEURO")), "MDY")
        return f"ISO, {order}"
    if key == "extra_float_digits":
        if not _INTEGER.match(value) or not -15 <= int(value) <= 3:
            raise InvalidParameterValue(
                f'{value} is outside the valid range for parameter "extra_float_digits" (-15 .. 3)'
            )
        return value
    if key in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout"):
        return str(duration_ms(key, value))
    if key in {"transaction_isolation", "default_transaction_isolation"}:
        return value.lower()
    return value


def duration_ms(name: str, value: str) -> int:
    match = _DURATION.match(value)
    if match is None:
        raise InvalidParameterValue(f'invalid value for parameter "{name}": "{value}"')
    return int(float(match.group(1)) * _DURATION_MS[(match.group(2) or "").lower() or None])


def _time_zone(value: str) -> str:
    candidate = value.strip()
    if candidate.upper() in ("UTC", "GMT", "Z", "ZULU", "UCT"):
        return "UTC"
    offset = re.fullmatch(r"([+-]?)(\d{1,2})(?::?(\d{2}))?", candidate)
    if offset:
        # A bare number is hours east of UTC in SET TIME ZONE (POSIX zones invert the sign).
        hours = int(offset.group(2))
        minutes = int(offset.group(3) or 0)
        sign = "-" if offset.group(1) == "-" else "+"
        return f"{sign}{hours:02d}:{minutes:02d}"
    try:
        zoneinfo.ZoneInfo(candidate)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidParameterValue(f'invalid value for parameter "TimeZone": "{value}"') from None
    return candidate

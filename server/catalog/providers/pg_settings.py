"""pg_settings: the server settings clients read, with the session's own values laid over them.

pgJDBC reads ``max_index_keys``, SQLAlchemy ``default_table_access_method``,
asyncpg toggles ``jit``; DBeaver lists them all. Values a session has set
(search_path, application_name, DateStyle...) replace the defaults through the
session table macro, so ``SELECT setting FROM pg_settings WHERE name = 'search_path'``
agrees with ``SHOW search_path``.
"""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table
from server.sql.session_info import SERVER_VERSION, SERVER_VERSION_NUM

SPEC = """
name text, setting text, unit text, category text, short_desc text, extra_desc text, context text,
vartype text, source text, min_val text, max_val text, enumvals _text, boot_val text, reset_val text,
sourcefile text, sourceline int4, pending_restart bool
"""

CLIENT = "Client Connection Defaults / Locale and Formatting"
STATEMENT = "Client Connection Defaults / Statement Behavior"
PRESET = "Preset Options"
COMPAT = "Version and Platform Compatibility / Previous PostgreSQL Versions"

# (name, setting, unit, category, short description, context, vartype, enum values)
SETTINGS: tuple[tuple[str, str, str | None, str, str, str, str, tuple[str, ...] | None], ...] = (
    ("application_name", "", None, "Reporting and Logging / What to Log", "Name of the client application.",
     "user", "string", None),
    ("array_nulls", "on", None, COMPAT, "Whether NULL in array input means null.", "user", "bool", None),
    ("block_size", "8192", None, PRESET, "Size of a disk block.", "internal", "integer", None),
    ("bytea_output", "hex", None, STATEMENT, "Output format of bytea values.", "user", "enum", ("escape", "hex")),
    ("client_encoding", "UTF8", None, CLIENT, "Character set of the client.", "user", "string", None),
    ("client_min_messages", "notice", None, STATEMENT, "Lowest message level sent to the client.", "user",
     "enum", ("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error")),
    ("DateStyle", "ISO, MDY", None, CLIENT, "Display format of dates and times.", "user", "string", None),
    ("default_table_access_method", "heap", None, STATEMENT, "Access method of new tables.", "user", "string",
     None),
    ("default_text_search_config", "pg_catalog.english", None, CLIENT, "Default text search configuration.",
     "user", "string", None),
    ("default_transaction_isolation", "read committed", None, STATEMENT, "Isolation level of new transactions.",
     "user", "enum", ("serializable", "repeatable read", "read committed", "read uncommitted")),
    ("default_transaction_read_only", "on", None, STATEMENT, "Whether new transactions are read-only.", "user",
     "bool", None),
    ("extra_float_digits", "1", None, CLIENT, "Extra digits for floating-point output.", "user", "integer", None),
    ("idle_in_transaction_session_timeout", "0", "ms", STATEMENT, "Timeout for idle open transactions.",
     "user", "integer", None),
    ("integer_datetimes", "on", None, PRESET, "Whether datetimes are integer based.", "internal", "bool", None),
    ("IntervalStyle", "postgres", None, CLIENT, "Display format of intervals.", "user", "enum",
     ("postgres", "postgres_verbose", "sql_standard", "iso_8601")),
    ("is_superuser", "off", None, PRESET, "Whether the current user is a superuser.", "internal", "bool", None),
    ("jit", "off", None, "Query Tuning / Other Planner Options", "Whether JIT compilation is used.", "user",
     "bool", None),
    ("lc_messages", "C", None, CLIENT, "Language of messages.", "superuser", "string", None),
    ("lc_monetary", "C", None, CLIENT, "Locale for money amounts.", "user", "string", None),
    ("lc_numeric", "C", None, CLIENT, "Locale for numbers.", "user", "string", None),
    ("lc_time", "C", None, CLIENT, "Locale for dates and times.", "user", "string", None),
    ("lock_timeout", "0", "ms", STATEMENT, "Timeout for lock waits.", "user", "integer", None),
    ("max_connections", "100", None, "Connections and Authentication / Connection Settings",
     "Maximum number of concurrent connections.", "postmaster", "integer", None),
    ("max_function_args", "100", None, PRESET, "Maximum number of function arguments.", "internal", "integer",
     None),
    ("max_identifier_length", "63", None, PRESET, "Maximum identifier length.", "internal", "integer", None),
    ("max_index_keys", "32", None, PRESET, "Maximum number of index keys.", "internal", "integer", None),
    ("row_security", "on", None, STATEMENT, "Whether row security is applied.", "user", "bool", None),
    ("search_path", '"$user", public', None, STATEMENT, "Schema search order for unqualified names.", "user",
     "string", None),
    ("server_encoding", "UTF8", None, PRESET, "Character set of the server.", "internal", "string", None),
    ("server_version", SERVER_VERSION, None, PRESET, "Server version.", "internal", "string", None),
    ("server_version_num", SERVER_VERSION_NUM, None, PRESET, "Server version as an integer.", "internal",
     "integer", None),
    ("standard_conforming_strings", "on", None, COMPAT, "Whether '...' strings treat backslashes literally.",
     "user", "bool", None),
    ("statement_timeout", "0", "ms", STATEMENT, "Timeout for any statement.", "user", "integer", None),
    ("TimeZone", "UTC", None, CLIENT, "Time zone for displaying timestamps.", "user", "string", None),
    ("timezone_abbreviations", "Default", None, CLIENT, "Time zone abbreviations recognised.", "user", "string",
     None),
    ("transaction_isolation", "read committed", None, STATEMENT, "Isolation level of the current transaction.",
     "user", "string", None),
    ("transaction_read_only", "on", None, STATEMENT, "Whether the current transaction is read-only.", "user",
     "bool", None),
    ("work_mem", "4096", "kB", "Resource Usage / Memory", "Memory for sorts and hashes.", "user", "integer",
     None),
    ("xmloption", "content", None, STATEMENT, "Whether XML data is a document or content.", "user", "enum",
     ("content", "document")),
)  # fmt: skip


def _rows(content: CatalogContent) -> Rows:
    for name, setting, unit, category, short, context, vartype, enums in SETTINGS:
        yield (
            name, setting, unit, category, short, None, context,
            vartype, "default", None, None, list(enums) if enums else None, setting, setting,
            None, None, False,
        )  # fmt: skip


# Session values (a list of {name, setting} structs) replace the stored defaults, case-insensitively.
SESSION_SQL = """
SELECT s.* REPLACE (coalesce(o.setting, s.setting) AS setting, CASE WHEN o.setting IS NULL THEN s.source
       ELSE 'session' END AS source)
FROM {stored} AS s
LEFT JOIN (SELECT unnest(s_settings, recursive := true)) AS o ON lower(o.name) = lower(s.name)
"""

PROVIDER = table("pg_settings", SPEC, oid=12104, kind="v", rows=_rows, static=True, session_sql=SESSION_SQL)

"""pg_stat_activity: the caller's own session only (other sessions are not the caller's business)."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table

SPEC = """
datid oid, datname name, pid int4, leader_pid int4, usesysid oid, usename name, application_name text,
client_addr inet, client_hostname text, client_port int4, backend_start timestamptz, xact_start timestamptz,
query_start timestamptz, state_change timestamptz, wait_event_type text, wait_event text, state text,
backend_xid xid, backend_xmin xid, query_id int8, query text, backend_type text
"""


def _rows(content: CatalogContent) -> Rows:
    # A template row: the session macro fills in who and when.
    yield (
        content.database_oid, content.database, 0, None, 0, "", "",
        None, None, None, content.started_at, None,
        None, None, None, None, "active",
        None, None, None, None, "client backend",
    )  # fmt: skip


SESSION_SQL = """
SELECT t.* REPLACE (s_pid::INTEGER AS pid, s_user_oid::UINTEGER AS usesysid, s_user AS usename,
       s_application AS application_name, now() AS xact_start, now() AS query_start, now() AS state_change)
FROM {stored} AS t
"""

PROVIDER = table("pg_stat_activity", SPEC, oid=12222, kind="v", rows=_rows, session_sql=SESSION_SQL)

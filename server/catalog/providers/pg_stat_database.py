"""pg_stat_database: one row for the served database, with zero counters."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table

SPEC = """
datid oid, datname name, numbackends int4, xact_commit int8, xact_rollback int8, blks_read int8, blks_hit int8,
tup_returned int8, tup_fetched int8, tup_inserted int8, tup_updated int8, tup_deleted int8, conflicts int8,
temp_files int8, temp_bytes int8, deadlocks int8, checksum_failures int8, checksum_last_failure timestamptz,
blk_read_time float8, blk_write_time float8, session_time float8, active_time float8,
idle_in_transaction_time float8, sessions int8, sessions_abandoned int8, sessions_fatal int8,
sessions_killed int8, stats_reset timestamptz
"""


def _rows(content: CatalogContent) -> Rows:
    yield (content.database_oid, content.database, 1, *([0] * 14), None, *([0.0] * 5), 0, 0, 0, 0, None)


PROVIDER = table("pg_stat_database", SPEC, oid=12266, kind="v", rows=_rows)

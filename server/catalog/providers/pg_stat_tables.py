"""pg_stat_user_tables and pg_stat_all_tables: one row of zero counters per visible table.

DBeaver and pgAdmin read row estimates and scan counts here; Quiver keeps no
statistics about the sources, so the counters are zero rather than invented.
"""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table

SPEC = """
relid oid, schemaname name, relname name, seq_scan int8, last_seq_scan timestamptz, seq_tup_read int8,
idx_scan int8, last_idx_scan timestamptz, idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8,
n_tup_hot_upd int8, n_tup_newpage_upd int8, n_live_tup int8, n_dead_tup int8, n_mod_since_analyze int8,
n_ins_since_vacuum int8, last_vacuum timestamptz, last_autovacuum timestamptz, last_analyze timestamptz,
last_autoanalyze timestamptz, vacuum_count int8, autovacuum_count int8, analyze_count int8,
autoanalyze_count int8
"""


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if relation.kind == "r":
            yield (
                relation.oid, "public", relation.name, 0, None, 0,
                0 if relation.has_primary_key else None, None, 0 if relation.has_primary_key else None, 0, 0, 0,
                0, 0, 0, 0, 0,
                0, None, None, None,
                None, 0, 0, 0,
                0,
            )  # fmt: skip


USER_TABLES = table("pg_stat_user_tables", SPEC, oid=12161, kind="v", rows=_rows)
ALL_TABLES = table("pg_stat_all_tables", SPEC, oid=12142, kind="v", rows=_rows)

"""pg_rewrite: each visible view's ``_RETURN`` rule, as PostgreSQL keeps for every view."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table
from server.sql.oids import stable_oid

SPEC = """
oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ev_qual pg_node_tree,
ev_action pg_node_tree
"""


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if relation.kind == "v":
            yield (stable_oid("rule", "public", relation.name), "_RETURN", relation.oid, "1", "O", True, "<>", None)


PROVIDER = table("pg_rewrite", SPEC, oid=2618, rows=_rows)

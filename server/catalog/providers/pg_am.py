"""pg_am: the access methods (heap for tables, btree for the primary key indexes, and the others)."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table

METHODS = (
    (2, "heap", 3, "t"),
    (403, "btree", 330, "i"),
    (405, "hash", 331, "i"),
    (783, "gist", 332, "i"),
    (2742, "gin", 333, "i"),
    (4000, "spgist", 334, "i"),
    (3580, "brin", 335, "i"),
)


def _rows(content: CatalogContent) -> Rows:
    return METHODS


PROVIDER = table("pg_am", "oid oid, amname name, amhandler regproc, amtype char", oid=2601, rows=_rows, static=True)

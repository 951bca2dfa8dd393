"""pg_extension: plpgsql only, as in a fresh PostgreSQL database."""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table
from server.sql.oids import PG_CATALOG_NAMESPACE

SPEC = """
oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, extconfig _oid,
extcondition _text
"""


def _rows(content: CatalogContent) -> Rows:
    yield (13559, "plpgsql", OWNER_OID, PG_CATALOG_NAMESPACE, False, "1.0", None, None)


PROVIDER = table("pg_extension", SPEC, oid=3079, rows=_rows, static=True)

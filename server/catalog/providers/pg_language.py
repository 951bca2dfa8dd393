"""pg_language: internal, c, sql and plpgsql."""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table

SPEC = """
oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid,
lanvalidator oid, lanacl _aclitem
"""


def _rows(content: CatalogContent) -> Rows:
    yield (12, "internal", OWNER_OID, False, False, 0, 0, 2246, None)
    yield (13, "c", OWNER_OID, False, False, 0, 0, 2247, None)
    yield (14, "sql", OWNER_OID, False, True, 0, 0, 2248, None)
    yield (13563, "plpgsql", OWNER_OID, True, True, 13560, 13561, 13562, None)


PROVIDER = table("pg_language", SPEC, oid=2612, rows=_rows, static=True)

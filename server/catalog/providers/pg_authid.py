"""pg_authid: the roles of pg_roles in the underlying catalog's shape (never with a password)."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.providers.pg_roles import role_rows

SPEC = """
oid oid, rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool,
rolreplication bool, rolbypassrls bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz
"""


def _rows(content: CatalogContent) -> Rows:
    for oid, name, superuser in role_rows(content):
        yield (oid, name, superuser, True, superuser, superuser, True, False, superuser, -1, None, None)


SESSION_SQL = """
SELECT * FROM {stored}
UNION ALL
SELECT s_user_oid::UINTEGER, s_user, false, true, false, false, true, false, false, -1, NULL, NULL
WHERE NOT EXISTS (SELECT 1 FROM {stored} WHERE rolname = s_user)
"""

PROVIDER = table("pg_authid", SPEC, oid=1260, rows=_rows, session_sql=SESSION_SQL)

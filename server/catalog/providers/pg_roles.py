"""pg_roles: the owner, the configured users, and always the session's own user.

The current user is added by the session table macro when it is not among the
configured users, so ``pg_get_userbyid`` and ``JOIN pg_roles`` work for anyone.
"""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table

SPEC = """
rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool,
rolreplication bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool,
rolconfig _text, oid oid
"""


def role_rows(content: CatalogContent) -> Rows:
    """(oid, name, superuser) for every known role."""
    for oid, name in content.roles:
        yield (oid, name, oid == OWNER_OID)


def _rows(content: CatalogContent) -> Rows:
    for oid, name, superuser in role_rows(content):
        yield (name, superuser, True, superuser, superuser, True, False, -1, "********", None, superuser, None, oid)


SESSION_SQL = """
SELECT * FROM {stored}
UNION ALL
SELECT s_user, false, true, false, false, true, false, -1, '********', NULL, false, NULL, s_user_oid::UINTEGER
WHERE NOT EXISTS (SELECT 1 FROM {stored} WHERE rolname = s_user)
"""

PROVIDER = table("pg_roles", SPEC, oid=12000, kind="v", rows=_rows, session_sql=SESSION_SQL)

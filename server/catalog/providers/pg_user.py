"""pg_user: the login roles of pg_roles, in the older view's shape (usename, usesysid)."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.providers.pg_roles import role_rows

SPEC = """
usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, passwd text,
valuntil timestamptz, useconfig _text
"""


def _rows(content: CatalogContent) -> Rows:
    for oid, name, superuser in role_rows(content):
        yield (name, oid, superuser, superuser, False, superuser, "********", None, None)


SESSION_SQL = """
SELECT * FROM {stored}
UNION ALL
SELECT s_user, s_user_oid::UINTEGER, false, false, false, false, '********', NULL, NULL
WHERE NOT EXISTS (SELECT 1 FROM {stored} WHERE usename = s_user)
"""

PROVIDER = table("pg_user", SPEC, oid=12014, kind="v", rows=_rows, session_sql=SESSION_SQL)

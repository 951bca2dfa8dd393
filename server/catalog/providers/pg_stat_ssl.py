"""pg_stat_ssl and pg_stat_gssapi: one row for the caller's own backend.

Tools check their own connection (``WHERE pid = pg_backend_pid()``). The session
information the catalog receives does not say whether the connection uses TLS,
so ``ssl`` is reported false.
"""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table


def _ssl(content: CatalogContent) -> Rows:
    yield (0, False, None, None, None, None, None, None)


def _gssapi(content: CatalogContent) -> Rows:
    yield (0, False, None, False, False)


_SESSION_ROW = "SELECT t.* REPLACE (s_pid::INTEGER AS pid) FROM {stored} AS t"

SSL = table(
    "pg_stat_ssl",
    "pid int4, ssl bool, version text, cipher text, bits int4, client_dn text, client_serial numeric, issuer_dn text",
    oid=12249,
    kind="v",
    rows=_ssl,
    session_sql=_SESSION_ROW,
)
GSSAPI = table(
    "pg_stat_gssapi",
    "pid int4, gss_authenticated bool, principal text, encrypted bool, credentials_delegated bool",
    oid=12253,
    kind="v",
    rows=_gssapi,
    session_sql=_SESSION_ROW,
)

"""pg_available_extensions: plpgsql, installed; nothing else can be installed on Quiver."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table


def _rows(content: CatalogContent) -> Rows:
    yield ("plpgsql", "1.0", "1.0", "PL/pgSQL procedural language")


PROVIDER = table(
    "pg_available_extensions",
    "name name, default_version text, installed_version text, comment text",
    oid=12081,
    kind="v",
    rows=_rows,
    static=True,
)

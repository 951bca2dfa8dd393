"""Which statements the catalog answers: those that read pg_catalog or information_schema.

A relation is a catalog relation when it is qualified with ``pg_catalog`` or
``information_schema``, or unqualified and named like a pg_catalog relation
(PostgreSQL searches pg_catalog first, before the search path). CTE names shadow
catalog names, as in PostgreSQL. Catalog set-returning functions in FROM
(``pg_get_keywords()``, ``information_schema._pg_expandarray(...)``) count too.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.catalog.providers import BY_SCHEMA

CATALOG_SCHEMAS = ("pg_catalog", "information_schema")
CATALOG_FUNCTIONS = frozenset({"pg_get_keywords", "_pg_expandarray", "pg_show_all_settings", "pg_options_to_table"})


def _name(node: exp.Expr | None) -> str | None:
    if not isinstance(node, exp.Identifier):
        return None
    return node.name if node.quoted else node.name.lower()


def names_catalog(tree: exp.Expr) -> bool:
    """True when the statement reads any pg_catalog or information_schema relation."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        schema = _name(table.args.get("db"))
        if not isinstance(table.this, exp.Identifier):
            function = table.this
            name = str(function.this).lower() if isinstance(function, exp.Anonymous) else ""
            if schema in CATALOG_SCHEMAS or name in CATALOG_FUNCTIONS:
                return True
            continue
        name = _name(table.this) or ""
        if schema in CATALOG_SCHEMAS:
            return True
        if schema is None and name not in ctes and (name in BY_SCHEMA["pg_catalog"] or name.startswith("pg_")):
            return True
    return False

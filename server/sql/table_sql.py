"""A table's defining query placed in a FROM clause: by name when it is just a table, else as a subquery.

Model tables are defined by SQL (``sql: SELECT * FROM raw.orders``). Both the
policy stage (row filters that read a parent table) and render (scans) put that
SQL in a FROM clause; naming the table directly, when the query is only
``SELECT * FROM t``, keeps generated SQL as a person would write it.
"""

from __future__ import annotations

import sqlglot.expressions as exp


def plain_table(query: exp.Query) -> exp.Table | None:
    """The table of ``SELECT * FROM t`` (nothing else), so it can be named directly."""
    if not isinstance(query, exp.Select):
        return None
    if len(query.expressions) != 1 or not isinstance(query.expressions[0], exp.Star):
        return None
    other = {k for k, v in query.args.items() if v and k not in ("expressions", "from_")}
    source = query.args.get("from_")
    if other or source is None or not isinstance(source.this, exp.Table):
        return None
    table = source.this
    return table if isinstance(table.this, exp.Identifier) else None


def table_source(query: exp.Query, alias: str) -> exp.Expr:
    """A table's SQL in a FROM clause under ``alias``: the bare table when it is one."""
    named = exp.TableAlias(this=exp.to_identifier(alias))
    plain = plain_table(query)
    if plain is not None:
        table = plain.copy()
        table.set("alias", named)
        return table
    return exp.Subquery(this=query.copy(), alias=named)

"""PostgreSQL's to_char / to_date / to_timestamp templates in catalog and scalar statements."""

from __future__ import annotations

import sqlglot.expressions as exp

from server.catalog.translate.context import Context
from server.sql.templates import pg_template_functions


def templates(tree: exp.Expr, ctx: Context) -> exp.Expr:
    """Template calls become DuckDB expressions (:mod:`server.sql.templates`); exact or 0A000."""
    return pg_template_functions(tree)

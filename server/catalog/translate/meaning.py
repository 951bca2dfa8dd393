"""PostgreSQL's meaning of the client's operators (``7/2`` is 3) on the catalog route.

The rules themselves live in :mod:`server.sql.postgres_meaning`, shared with the
compiler; the catalog knows no column types, so only what the tree itself types
(literals, casts, integer arithmetic) is rewritten.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.catalog.translate.context import Context
from server.sql.postgres_meaning import postgres_meaning


def postgres_operators(tree: exp.Expr, ctx: Context) -> exp.Expr:
    """Every rule of :data:`server.sql.postgres_meaning.RULES`, with no column types known."""
    return postgres_meaning(tree)

"""Bare names in GROUP BY and ORDER BY that name an output column, as PostgreSQL allows.

``SELECT customer_region AS r ... GROUP BY r ORDER BY r``: PostgreSQL resolves a bare
GROUP BY name against the input columns first and a bare ORDER BY name against the
output columns first; either way, a name no input column has is an output column's
alias. sqlglot's scopes count such a name as a column from an enclosing query
(an *external* column), which would make every nested query that uses an alias look
correlated. These helpers tell the two apart for the passes that care.
"""

from __future__ import annotations

import sqlglot.expressions as exp
from sqlglot.optimizer.scope import Scope


def output_names(query: exp.Expr) -> set[str]:
    """The names a SELECT gives its output columns (aliases and bare columns)."""
    if not isinstance(query, exp.Select):
        return set()
    return {item.alias_or_name for item in query.expressions if isinstance(item, exp.Alias | exp.Column)}


def names_an_output(column: exp.Column) -> bool:
    """A bare GROUP BY or ORDER BY item naming an output column of its own SELECT.

    Inside an expression a name is always an input column, as in PostgreSQL. The SELECT
    is the one the clause belongs to, not the scope asking: an enclosing scope sees a
    nested query's unresolved names among its own columns.
    """
    if column.table:
        return False
    clause = column.parent
    if isinstance(clause, exp.Ordered):
        clause = clause.parent
        if not isinstance(clause, exp.Order):
            return False
    elif not isinstance(clause, exp.Group):
        return False
    return column.name in output_names(clause.parent) if clause.parent is not None else False


def external_columns(scope: Scope) -> list[exp.Column]:
    """The scope's columns that really come from an enclosing query (not its own output aliases)."""
    return [column for column in scope.external_columns if not names_an_output(column)]

"""GROUP BY items that are constants other than an integer, refused as PostgreSQL refuses them.

PostgreSQL reads an integer in GROUP BY as a select-list position and any other
bare constant (``GROUP BY 'a'``, ``NULL``, ``TRUE``, ``1.5``) as a mistake: 42601
``non-integer constant in GROUP BY``. A constant *expression* (``GROUP BY 1 + 1``,
``'a'::text``) is accepted and groups nothing. DuckDB would accept the bare
constants, so the check runs once, after parsing, for every route.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.errors import SqlSyntaxError


def _non_integer_constant(item: exp.Expr) -> bool:
    if isinstance(item, exp.Null | exp.Boolean):
        return True
    return isinstance(item, exp.Literal) and (item.is_string or not item.name.isdigit())


def check_group_constants(tree: exp.Expr) -> None:
    """42601 for a bare non-integer constant among the items of any GROUP BY in ``tree``."""
    for group in tree.find_all(exp.Group):
        for item in group.expressions:
            if _non_integer_constant(item):
                start = item.meta.get("start")
                raise SqlSyntaxError(
                    "non-integer constant in GROUP BY", position=int(start) + 1 if start is not None else None
                )

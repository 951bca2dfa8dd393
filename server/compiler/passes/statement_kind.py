"""Only queries are compiled: writes are refused as PostgreSQL refuses them in a read-only transaction."""

from __future__ import annotations

import sqlglot.expressions as exp

from server.compiler.passes.state import Compilation, Context
from server.errors import FeatureNotSupported, ReadOnlyTransaction

_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)


def only_queries(state: Compilation, ctx: Context) -> Compilation:
    """Refuse anything but a query (25006 for writes, 0A000 for other statements).

    Why: Quiver serves data products read-only, and every later pass assumes a
    query tree. Guarantees: ``state.tree`` is an ``exp.Query``.
    """
    tree = state.tree
    if isinstance(tree, _WRITES):
        raise ReadOnlyTransaction(
            f"cannot execute {tree.key.upper()} in a read-only transaction",
            hint="Quiver serves data products read-only.",
        )
    if not isinstance(tree, exp.Query):
        raise FeatureNotSupported(f"{tree.key.upper()} statements are not supported", hint="Send a SELECT statement.")
    return state

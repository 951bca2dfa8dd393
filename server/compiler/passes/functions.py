"""The function allowlist, checked on the statement as the user wrote it."""

from __future__ import annotations

from server.compiler.passes.state import Compilation, Context
from server.sql.functions import check_functions


def allowed_functions(state: Compilation, ctx: Context) -> Compilation:
    """Refuse any function outside the allowlist (:mod:`server.sql.functions`).

    Why: functions are the way out of the data product (file readers, settings,
    extensions), so they are checked before anything is rewritten or planned.
    Guarantees: every function call in the tree is one the engine may run for a caller.
    """
    check_functions(state.tree)
    return state

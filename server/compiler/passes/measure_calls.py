"""MEASURE() belongs to a semantic SELECT; anywhere else it is refused."""

from __future__ import annotations

import sqlglot.expressions as exp

from server.compiler.passes.state import Compilation, Context
from server.compiler.resolver import is_measure_call, position_of
from server.errors import FeatureNotSupported


def no_stray_measure_calls(state: Compilation, ctx: Context) -> Compilation:
    """Refuse MEASURE() left in post-processing SQL (0A000).

    Why: every semantic SELECT has been planned by now, so a MEASURE() still in
    the tree sits over a join or a derived table, where it means nothing the
    engine could compute. Guarantees: the tree holds no MEASURE() call.
    """
    for node in state.tree.find_all(exp.Anonymous):
        if is_measure_call(node):
            raise FeatureNotSupported(
                "MEASURE() is only allowed in a SELECT over a single semantic relation",
                hint="Aggregate the measure in a subquery or CTE over that relation, then combine results.",
                position=position_of(node),
            )
    return state.finished()

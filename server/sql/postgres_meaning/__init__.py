"""PostgreSQL's meaning for the SQL a client writes, turned into DuckDB's: one table of small rules.

Clients write PostgreSQL; the engine is DuckDB, and a few operators mean something
else there (``7/2`` is 3 in PostgreSQL and 3.5 in DuckDB). Every route that turns a
client's tree into engine SQL (the compiler for semantic statements, the catalog
translator) runs :data:`RULES` once, through :func:`postgres_meaning`, so the
rules are registered here and nowhere else: a new rule is one line in
:data:`RULES`.

Each rule rewrites a tree using only what it knows of the operands' types
(:mod:`server.sql.postgres_meaning.types`); where a type is unknown it leaves the
expression alone rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot.expressions as exp

from server.sql.postgres_meaning import (
    arithmetic,
    buckets,
    datetimes,
    intervals,
    numeric,
    numeric_columns,
    ordered_sets,
)
from server.sql.postgres_meaning.types import ColumnType, no_columns

Rule = Callable[[exp.Expr, ColumnType], exp.Expr]

# Each rule with the node types it rewrites: a statement is walked once to see which types it
# holds, and a rule runs (walking the tree itself) only when one of its types is there, so a
# dashboard query with no division, interval or cast pays one walk, not one per rule. Rules
# run in this order; a rule reads the types as they were before any rule ran (what a rule
# writes is engine SQL, not for a later rule to rewrite).
RULES: tuple[tuple[Rule, frozenset[type[exp.Expr]]], ...] = (
    (numeric.numeric_constant_division, frozenset({exp.Div})),
    (arithmetic.integer_division, frozenset({exp.Div})),
    (arithmetic.modulo_by_zero, frozenset({exp.Mod})),
    (numeric_columns.numeric_division, frozenset({exp.Div})),
    (buckets.width_bucket, frozenset({exp.WidthBucket})),  # after the divisions: it writes one of its own
    (arithmetic.float_round, frozenset({exp.Round})),
    (ordered_sets.ordered_set_aggregates, frozenset({exp.WithinGroup})),
    (intervals.interval_units, frozenset({exp.Interval})),
    (intervals.date_trunc_units, frozenset({exp.TimestampTrunc, exp.DateTrunc})),
    (datetimes.date_literals, frozenset({exp.Cast})),
)


def postgres_meaning(tree: exp.Expr, column_type: ColumnType = no_columns) -> exp.Expr:
    """``tree`` (changed in place where possible) with every rule of :data:`RULES` applied in order."""
    present = {type(node) for node in tree.walk()}
    for rule, rewrites in RULES:
        if not rewrites.isdisjoint(present):
            tree = rule(tree, column_type)
    return tree


__all__ = ["RULES", "ColumnType", "Rule", "postgres_meaning"]

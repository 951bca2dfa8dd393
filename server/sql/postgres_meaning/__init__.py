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

RULES: tuple[Rule, ...] = (
    numeric.numeric_constant_division,
    arithmetic.integer_division,
    arithmetic.modulo_by_zero,
    numeric_columns.numeric_division,
    buckets.width_bucket,  # after the divisions: its exact form writes a division of its own
    arithmetic.float_round,
    ordered_sets.ordered_set_aggregates,
    intervals.interval_units,
    intervals.date_trunc_units,
    datetimes.date_literals,
)


def postgres_meaning(tree: exp.Expr, column_type: ColumnType = no_columns) -> exp.Expr:
    """``tree`` (changed in place where possible) with every rule of :data:`RULES` applied in order."""
    for rule in RULES:
        tree = rule(tree, column_type)
    return tree


__all__ = ["RULES", "ColumnType", "Rule", "postgres_meaning"]

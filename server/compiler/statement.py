"""Compile a whole user statement: semantic leaves plus post-processing SQL around them.

A *semantic SELECT* reads one semantic relation and nothing else; it is
resolved and planned. Anything around it (CTEs, joins between relations,
UNION, window functions, subqueries) is *post-processing*: ordinary SQL over the
semantic results, run by the engine in the same statement.

Compiling is :data:`RULES`, an ordered tuple of small passes (one module each
under :mod:`server.compiler.passes`, each ``(Compilation, Context) ->
Compilation``), in the manner of sqlglot's optimizer rules:

1. only queries; 2. the function allowlist; 3. ``FILTER`` folded into aggregates;
4. alias lists over relations undone; 5. the hot path: a statement that *is* one
semantic SELECT is planned whole, and compiling ends there; 6. every relation
named is one the caller may query; 7. PostgreSQL's output names; 8. columns
qualified (42703 / 42702 / 42P01 by kind); 9. an aggregating query over a
projection of a relation (a subquery or CTE, as BI tools wrap) rewritten into one
semantic SELECT, or refused saying why; 10. every semantic SELECT planned and
replaced by a marker; 11. no SQL around a plan adds up a measure the plan repeats
(0A000); 12. no MEASURE() left outside one.

Each plan carries the caller's policies at its scans (from ``governance``), so
nothing the surrounding SQL does can see past them. Plans pass through the
planner's plan rewrites (:data:`server.compiler.planner.PLAN_REWRITES`) as they
are made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlglot.expressions as exp

from server.compiler.governance import OPEN, Governance
from server.compiler.passes import (
    aggregate_filters,
    column_aliases,
    flatten_wrapped,
    functions,
    measure_calls,
    output_names,
    postgres_meaning,
    qualify_columns,
    relations,
    repeated_sums,
    semantic_selects,
    single_select,
    statement_kind,
    templates,
)
from server.compiler.passes.state import PLAN_MARKER, Compilation, Context, MemberTypes, marker_index
from server.compiler.plan import SemanticPlan
from server.semantic.model import Manifest, Relation

Pass = Callable[[Compilation, Context], Compilation]

RULES: tuple[Pass, ...] = (
    statement_kind.only_queries,
    functions.allowed_functions,
    templates.template_functions,
    aggregate_filters.fold_aggregate_filters,
    column_aliases.alias_lists,
    postgres_meaning.postgres_operators,
    single_select.plan_single_select,
    relations.governed_relations,
    output_names.postgres_output_names,
    qualify_columns.qualified_columns,
    flatten_wrapped.flattened_wrapped_selects,
    semantic_selects.planned_semantic_selects,
    repeated_sums.no_sums_over_repeated_measures,
    measure_calls.no_stray_measure_calls,
)


@dataclass(frozen=True)
class CompiledStatement:
    """A statement whose semantic SELECTs are replaced by markers naming ``plans``.

    ``tree`` is dialect-neutral sqlglot; a marker is an empty SELECT that
    :func:`marker_index` maps to an index into ``plans``.
    """

    tree: exp.Expr
    plans: tuple[SemanticPlan, ...]
    relations: tuple[str, ...]


def compile_statement(
    tree: exp.Expr,
    manifest: Manifest,
    relations: Mapping[str, Relation],
    governance: Governance = OPEN,
    member_types: MemberTypes | None = None,
) -> CompiledStatement:
    """Compile ``tree`` for a caller who may query ``relations``, under ``governance``'s rules.

    ``tree`` is never changed: parse trees are shared through the parse cache by every
    session of a process, so compiling works on its own copy (an in-place rewrite once
    left a cached tree half-planned for every later caller).
    """
    ctx = Context(manifest, relations, governance, member_types)
    state = Compilation(tree.copy())
    for rule in RULES:
        state = rule(state, ctx)
        if state.complete:
            break
    return CompiledStatement(state.tree, state.plans, state.used)


def top_level_plan(statement: CompiledStatement) -> SemanticPlan | None:
    """The plan whose rows are the statement's own result rows, or None when SQL surrounds every plan."""
    index = marker_index(statement.tree)
    return statement.plans[index] if index is not None else None


__all__ = [
    "PLAN_MARKER",
    "RULES",
    "CompiledStatement",
    "Pass",
    "compile_statement",
    "marker_index",
    "top_level_plan",
]

"""What the compiler's passes share: the statement being compiled and what it is compiled against.

A :class:`Compilation` is the value that flows from pass to pass. Its tree is the
compiler's own copy of the parsed statement (parse trees are shared by every
session through the parse cache, so :func:`~server.compiler.statement.compile_statement`
copies once at the start); a pass may rewrite that copy in place, as sqlglot's
rules do, and returns a new :class:`Compilation` for everything else (plans made,
relations used, whether the statement is complete). Nothing else carries state
between passes.

A semantic SELECT that has been planned is replaced in the tree by a *marker*: an
empty SELECT naming its plan by index (:func:`marker_index`). Markers are
``Select`` nodes so they sit wherever a query may (a subquery, a UNION branch, a
CTE); render prints each plan in its marker's place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import sqlglot.expressions as exp

from server.compiler.governance import Governance
from server.compiler.plan import SemanticPlan
from server.compiler.planner import plan_query
from server.compiler.resolver import position_of, resolve_select
from server.errors import InsufficientPrivilege, UndefinedTable, did_you_mean
from server.semantic.model import Manifest, Relation

MemberTypes = Callable[[str], Mapping[str, str]]

PLAN_MARKER = "quiver_plan"
DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class Context:
    """What a statement is compiled against: the model, the caller's relations and policies."""

    manifest: Manifest
    relations: Mapping[str, Relation]  # what this caller may query, with only the members it may see
    governance: Governance
    # A relation's members with the PostgreSQL type the catalog reports for each (``numeric(38,2)``,
    # ``int8``, ``float8``); asked only when a rule needs a column's type. None: no types known.
    member_types: MemberTypes | None = None


@dataclass(frozen=True)
class Compilation:
    """A statement part-way through the passes.

    ``plans`` are numbered innermost first (a plan's own subqueries are planned
    before it); ``used`` names the relations the statement reads, in first-use
    order; ``complete`` means nothing is left to plan or check, and the driver
    stops there.
    """

    tree: exp.Expr
    plans: tuple[SemanticPlan, ...] = ()
    used: tuple[str, ...] = ()
    complete: bool = False

    def using(self, name: str) -> Compilation:
        return self if name in self.used else replace(self, used=(*self.used, name))

    def finished(self, tree: exp.Expr | None = None) -> Compilation:
        return replace(self, tree=self.tree if tree is None else tree, complete=True)


def marker_index(node: exp.Expr) -> int | None:
    """The plan a marker stands for, or None when ``node`` is not a marker."""
    return node.meta.get(PLAN_MARKER) if isinstance(node, exp.Select) else None


def marker(index: int) -> exp.Select:
    select = exp.Select()
    select.meta[PLAN_MARKER] = index
    return select


def relation_of(table: exp.Table, ctx: Context) -> Relation:
    """The governed relation ``table`` names; 42501 for a table function, 42P01 for anything else."""
    if not isinstance(table.this, exp.Identifier):
        raise InsufficientPrivilege(
            "table functions are not allowed",
            detail=f"{table.this.sql('postgres')} reads outside the data product.",
            hint="Query the data product's relations; list them with \\dt or information_schema.tables.",
            position=position_of(table),
        )
    name = table.name
    schema = table.db
    shown = f"{schema}.{name}" if schema else name
    if table.catalog or (schema and schema.lower() != DEFAULT_SCHEMA):
        raise UndefinedTable(f'relation "{shown}" does not exist', position=position_of(table))
    relation = ctx.relations.get(name)
    if relation is None:
        raise UndefinedTable(
            f'relation "{shown}" does not exist',
            hint=did_you_mean(name, list(ctx.relations), "relation"),
            position=position_of(table),
        )
    return relation


def plan_select(
    state: Compilation, ctx: Context, select: exp.Select, table: exp.Table, relation: Relation
) -> tuple[Compilation, exp.Select]:
    """Resolve and plan one semantic SELECT under the caller's rules; the marker to put in its place."""
    query = resolve_select(select, relation, table.alias_or_name)
    plan = plan_query(ctx.manifest, query, ctx.governance.rules(relation))
    state = replace(state.using(relation.name), plans=(*state.plans, plan))
    placed = marker(len(state.plans) - 1)
    # The SELECT's own WITH stays with its marker: a subquery of the SELECT (in WHERE, in the
    # select list) may read those CTEs, and render keeps them around the plan.
    placed.set("with_", select.args.get("with_"))
    return state, placed

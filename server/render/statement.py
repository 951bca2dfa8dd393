"""Render a compiled statement: print each (governed) plan in place of its marker."""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot.expressions as exp

from server.compiler.plan import SemanticPlan
from server.compiler.statement import CompiledStatement, marker_index
from server.render.plan_sql import render_plan
from server.render.targets import Target


def _needs_own_select(tree: exp.Expr) -> bool:
    """A plan with WITH, ORDER BY or LIMIT cannot stand bare as a UNION branch."""
    return any(tree.args.get(key) for key in ("with_", "order", "limit", "offset"))


def _substitute(tree: exp.Expr, rendered: list[exp.Expr], copy: bool) -> exp.Expr:
    """Replace plan markers in ``tree`` by rendered plans (markers may sit inside other plans)."""

    def visit(node: exp.Expr) -> exp.Expr:
        index = marker_index(node)
        if index is None:
            return node
        plan_tree = rendered[index]  # each rendered plan is placed exactly once
        ctes = node.args.get("with_")
        if ctes is not None:
            plan_tree = _with_ctes(plan_tree, _substitute(ctes, rendered, copy=copy))
        if isinstance(node.parent, exp.SetOperation) and _needs_own_select(plan_tree):
            alias = exp.TableAlias(this=exp.to_identifier("q"))
            return exp.select("*").from_(exp.Subquery(this=plan_tree, alias=alias))
        return plan_tree

    return tree.transform(visit, copy=copy)


def _with_ctes(plan_tree: exp.Expr, ctes: exp.Expr) -> exp.Expr:
    """The plan under the user's own WITH (of the SELECT the plan stands for).

    The user's CTEs come first, so the plan's own CTEs (whose bodies hold the user's
    subqueries) can read them. When a user's CTE has the name of one of the plan's, the
    plan is read as a derived table under the user's WITH instead.
    """
    assert isinstance(ctes, exp.With)
    own = plan_tree.args.get("with_")
    if own is None:
        plan_tree.set("with_", ctes)
        return plan_tree
    names = {cte.alias_or_name for cte in ctes.expressions}
    if names.isdisjoint(cte.alias_or_name for cte in own.expressions):
        merged = exp.With(expressions=[*ctes.expressions, *own.expressions], recursive=ctes.args.get("recursive"))
        plan_tree.set("with_", merged)
        return plan_tree
    wrapped = exp.select("*").from_(exp.Subquery(this=plan_tree, alias=exp.TableAlias(this=exp.to_identifier("q"))))
    wrapped.set("with_", ctes)
    return wrapped


def statement_tree(compiled: CompiledStatement, plans: Sequence[SemanticPlan]) -> exp.Expr:
    """The full, dialect-neutral statement with every plan rendered in place.

    Plans are numbered innermost first, so a plan's own subqueries are already rendered.
    """
    rendered: list[exp.Expr] = []
    for plan in plans:
        rendered.append(_substitute(render_plan(plan), rendered, copy=False))
    # The statement tree is kept with the compiled query (for EXPLAIN), so it is copied, not changed.
    return _substitute(compiled.tree, rendered, copy=True)


def render_statement(
    compiled: CompiledStatement, plans: Sequence[SemanticPlan], target: Target, pretty: bool = True
) -> str:
    return target.render(statement_tree(compiled, plans), pretty=pretty)

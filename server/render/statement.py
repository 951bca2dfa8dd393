"""Render a compiled statement: print each (governed) plan in place of its marker."""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot.expressions as exp

from server.compiler.plan import SemanticPlan
from server.compiler.statement import CompiledStatement, marker_index
from server.render.plan_sql import render_plan
from server.render.targets import Target


def _needs_own_select(tree: exp.Select) -> bool:
    """A plan with WITH, ORDER BY or LIMIT cannot stand bare as a UNION branch."""
    return any(tree.args.get(key) for key in ("with_", "order", "limit", "offset"))


def statement_tree(compiled: CompiledStatement, plans: Sequence[SemanticPlan]) -> exp.Expression:
    """The full, dialect-neutral statement with every plan rendered in place."""
    rendered = [render_plan(plan) for plan in plans]

    def visit(node: exp.Expression) -> exp.Expression:
        index = marker_index(node)
        if index is None:
            return node
        tree = rendered[index]
        if isinstance(node.parent, exp.SetOperation) and _needs_own_select(tree):
            return exp.select("*").from_(
                exp.Subquery(this=tree, alias=exp.TableAlias(this=exp.to_identifier("q")))
            )
        return tree

    return compiled.tree.transform(visit, copy=True)


def render_statement(
    compiled: CompiledStatement, plans: Sequence[SemanticPlan], target: Target, pretty: bool = True
) -> str:
    return target.render(statement_tree(compiled, plans), pretty=pretty)

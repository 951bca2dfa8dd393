"""Plan every semantic SELECT of a statement with post-processing SQL around it."""

from __future__ import annotations

from dataclasses import replace

import sqlglot.expressions as exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from server.compiler.passes.grouped_measures import read_measures_per_group
from server.compiler.passes.output_references import external_columns
from server.compiler.passes.state import Compilation, Context, plan_select, relation_of
from server.compiler.passes.windows import split_windows
from server.compiler.resolver import position_of
from server.errors import UndefinedColumn
from server.semantic.model import Relation

Leaf = tuple[exp.Select, exp.Table, Relation]


def planned_semantic_selects(state: Compilation, ctx: Context) -> Compilation:
    """Replace every semantic SELECT, innermost first, by a marker for its plan.

    A scope that reads one relation and nothing else is a semantic SELECT (its
    windows split off into an outer SELECT). A relation used any other way (joined,
    correlated with an outer query) is wrapped as one: ``FROM sales JOIN ...``
    becomes ``FROM (SELECT <columns used> FROM sales) AS sales``, the relation at
    the grain of the dimensions the query reads.

    Why: the engine must never read a governed table except through a plan, which
    carries the caller's policies at its scans. Guarantees: no relation is named
    in the tree any more; each is a marker indexing ``state.plans``.
    """
    if not state.used:
        return state
    # A holder gives the root a parent, so any rewrite below may replace the root itself.
    holder = exp.Paren(this=state.tree)
    for select, table, relation in _leaves(holder.this, ctx):
        state, placed = plan_select(state, ctx, select, table, relation)
        select.replace(placed)
    tree = holder.this
    tree.pop()
    return replace(state, tree=tree)


def _leaves(tree: exp.Expr, ctx: Context) -> list[Leaf]:
    leaves: list[Leaf] = []
    scopes = traverse_scope(tree)
    # Aliases an inner query refers to (correlation): those relations are read as rows, not planned whole.
    correlated = {column.table for scope in scopes for column in external_columns(scope) if column.table}
    for scope in scopes:
        own = _own_relations(scope)
        if not own:
            continue
        if any(table.alias_or_name in correlated for table in own):
            leaves.extend(_wrap(scope, table, ctx) for table in own)
            continue
        select = _semantic_select(scope, own)
        if select is not None:
            leaves.append((select, own[0], relation_of(own[0], ctx)))
            continue
        select = _semantic_select(scope, own, allow_windows=True)
        if select is not None:
            inner = split_windows(select)
            leaves.append((inner, inner.args["from_"].this, relation_of(own[0], ctx)))
            continue
        leaves.extend(_wrap(scope, table, ctx) for table in own)
    return leaves


def _own_relations(scope: Scope) -> list[exp.Table]:
    return [
        source
        for _node, source in scope.selected_sources.values()
        if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier)
    ]


def _has_window(select: exp.Select) -> bool:
    prune = lambda node: node is not select and isinstance(node, exp.Query | exp.Subquery)  # noqa: E731
    return any(isinstance(node, exp.Window) for node in select.walk(prune=prune))


def _semantic_select(scope: Scope, own: list[exp.Table], allow_windows: bool = False) -> exp.Select | None:
    """The scope's SELECT when it reads one semantic relation alone (so it is planned whole), else None."""
    select = scope.expression
    if not isinstance(select, exp.Select) or len(scope.selected_sources) != 1 or len(own) != 1:
        return None
    if select.args.get("joins") or select.args.get("laterals") or select.args.get("qualify"):
        return None
    if external_columns(scope):
        # Correlated with an outer query: the relation is read at the grain of the columns used
        # and the correlation runs as ordinary SQL over it.
        return None
    return select if allow_windows or not _has_window(select) else None


def _wrap(scope: Scope, table: exp.Table, ctx: Context) -> Leaf:
    """Replace ``table`` in a post-processing scope by a semantic SELECT of the columns it uses."""
    relation = relation_of(table, ctx)
    alias = table.alias_or_name
    read_measures_per_group(scope, alias, relation)
    wanted: list[exp.Column] = []
    for column in scope.expression.find_all(exp.Column):
        named = column.table == alias and not isinstance(column.this, exp.Star)
        if named and all(column.name != seen.name for seen in wanted):
            wanted.append(column)
    visible = {m.name for m in relation.public_members()}
    for column in wanted:
        if column.name not in visible:
            raise UndefinedColumn(
                f"column {alias}.{column.name} does not exist", position=position_of(column.args["table"])
            )
    inner_table = exp.Table(this=exp.to_identifier(relation.name))
    columns: list[exp.Expr] = [exp.column(column.name) for column in wanted]
    if not columns:
        columns = [exp.alias_(exp.Literal.number(1), "one")]
    select = exp.select(*columns).from_(inner_table)
    table.replace(exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias))))
    return select, inner_table, relation

"""Alias lists over semantic relations (``FROM sales AS s(a, b)``), applied as PostgreSQL applies them.

An alias list renames a source's columns by position; columns past the list keep
their names. Over a semantic relation the columns are exactly what the caller's
``SELECT *`` shows: its visible members, in that order. The list is applied here,
before anything else is compiled: every reference to a renamed column becomes the
member it names (``s.a`` -> ``s.order_id AS a``), a ``*`` covering the relation is
spelled out, and the list is removed. Later stages only ever see members the caller
may query, so a list can rename what the caller sees but never reach a hidden
member; a name the list renamed away is no longer a column (42703), a name given
twice is ambiguous (42702), a list longer than the visible columns is 42P10, all
as in PostgreSQL. Lists over derived tables, CTEs and VALUES are left to the engine
after their lengths are checked (:mod:`server.sql.alias_lists`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlglot.expressions as exp
from sqlglot.optimizer.scope import Scope

from server.compiler.passes.state import Compilation, Context
from server.compiler.resolver import is_measure_call, position_of
from server.errors import AmbiguousColumn, FeatureNotSupported, UndefinedColumn
from server.semantic.model import Relation
from server.sql.alias_lists import SourceShapes, check_alias_lists

DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class Renamed:
    """A semantic relation under an alias list: its members and the name each now has."""

    alias: str
    members: tuple[str, ...]  # the caller's visible members, in SELECT * order
    names: tuple[str, ...]

    def members_named(self, name: str) -> list[str]:
        return [member for member, new in zip(self.members, self.names, strict=True) if new == name]

    def renamed_away(self, name: str) -> bool:
        """A member's own name that the list replaced (and that no column carries now)."""
        return name in self.members and name not in self.names


def semantic_relation(table: exp.Table, relations: Mapping[str, Relation]) -> Relation | None:
    if not isinstance(table.this, exp.Identifier) or table.catalog:
        return None
    if table.db and table.db.lower() != DEFAULT_SCHEMA:
        return None
    return relations.get(table.name)


def alias_lists(state: Compilation, ctx: Context) -> Compilation:
    """Apply alias lists over semantic relations (``FROM sales AS s(a, b)``) as PostgreSQL does.

    Why: later passes resolve names against relation members; an alias list
    renames what the caller sees, so it is undone first, in terms of members.
    Guarantees: no alias list remains on a semantic relation, and every column
    that named a renamed member now names the member (keeping its output name).
    """
    apply_column_aliases(state.tree, ctx.relations)
    return state


def apply_column_aliases(tree: exp.Expr, relations: Mapping[str, Relation]) -> None:
    """Apply every alias list over a semantic relation in ``tree``, in place; 42P10 for any list too long."""

    def visible(table: exp.Table) -> Sequence[str] | None:
        relation = semantic_relation(table, relations)
        return None if relation is None else [m.name for m in relation.public_members()]

    shapes = check_alias_lists(tree, visible)
    if shapes is None:
        return
    edits: list[tuple[exp.Expr, exp.Expr]] = []
    stars: list[tuple[exp.Select, dict[int, list[exp.Expr]]]] = []
    seen: set[int] = set()
    for scope in shapes.scopes:
        renamed = _renamed_sources(scope, shapes)
        if not renamed:
            continue
        _check_joins(scope, renamed)
        select = scope.expression
        if isinstance(select, exp.Select):
            expansions = {}
            for item in select.expressions:
                expanded = _expand_star(item, scope, renamed)
                if expanded is not None:
                    expansions[id(item)] = expanded
            if expansions:
                stars.append((select, expansions))
        edits.extend(_column_edits(scope, renamed, shapes, seen))
    for old, new in edits:
        old.replace(new)
    for select, expansions in stars:
        items: list[exp.Expr] = []
        for item in select.expressions:
            items.extend(expansions.get(id(item), [item]))
        select.set("expressions", items)
    for table in tree.find_all(exp.Table):
        alias = table.args.get("alias")
        if alias is not None and alias.args.get("columns") and semantic_relation(table, relations) is not None:
            alias.set("columns", None)


def _renamed_sources(scope: Scope, shapes: SourceShapes) -> dict[str, Renamed]:
    renamed: dict[str, Renamed] = {}
    for name, (_node, source) in scope.selected_sources.items():
        if not isinstance(source, exp.Table) or not source.alias_column_names:
            continue
        members = shapes.table_columns(source)
        names = shapes.source_columns(scope, name)
        if members is None or names is None:
            continue
        renamed[name] = Renamed(name, tuple(members), tuple(names))
    return renamed


def _column_edits(
    scope: Scope, renamed: dict[str, Renamed], shapes: SourceShapes, seen: set[int]
) -> list[tuple[exp.Expr, exp.Expr]]:
    """Each reference to a renamed column, as the member it names (a select item keeps its name)."""
    edits: list[tuple[exp.Expr, exp.Expr]] = []
    others = [name for name in scope.selected_sources if name not in renamed]
    for column in _scope_columns(scope):
        if id(column) in seen or isinstance(column.this, exp.Star):
            continue
        target = _resolve(column, scope, renamed, others, shapes)
        if target is None:
            continue
        source, member = target
        seen.add(id(column))
        if member == column.name:
            continue
        replacement = exp.column(member, table=source.alias)
        if _is_select_item(column):
            edits.append((column, exp.alias_(replacement, column.name, quoted=True)))
        elif _is_measure_item(column):
            call = column.parent
            assert call is not None
            named = call.copy()
            named.set("expressions", [replacement])
            edits.append((call, exp.alias_(named, column.name, quoted=True)))
        else:
            edits.append((column, replacement))
    return edits


def _scope_columns(scope: Scope) -> list[exp.Column]:
    """sqlglot's columns of the scope, plus bare names in HAVING and QUALIFY (input columns, not outputs)."""
    columns = list(scope.columns)
    known = {id(column) for column in columns}
    select = scope.expression
    for key in ("having", "qualify"):
        clause = select.args.get(key) if isinstance(select, exp.Select) else None
        if clause is None:
            continue
        prune = lambda node: isinstance(node, exp.Query | exp.Subquery)  # noqa: E731
        for node in clause.walk(prune=prune):
            if isinstance(node, exp.Column) and id(node) not in known:
                columns.append(node)
    return columns


def _check_joins(scope: Scope, renamed: dict[str, Renamed]) -> None:
    """USING and NATURAL match columns by name; over renamed columns they are refused rather than guessed."""
    select = scope.expression
    for join in select.args.get("joins") or () if isinstance(select, exp.Select) else ():
        names = [identifier.name for identifier in join.args.get("using") or ()]
        changed = any(
            source.renamed_away(name) or (source.members_named(name) not in ([], [name]))
            for source in renamed.values()
            for name in names
        )
        if changed or (join.args.get("kind") or "").upper() == "NATURAL" or join.args.get("method") == "NATURAL":
            raise FeatureNotSupported(
                "JOIN ... USING or NATURAL JOIN over a column alias list is not supported",
                hint="Write the join condition with ON.",
                position=position_of(join),
            )


def _resolve(
    column: exp.Column, scope: Scope, renamed: dict[str, Renamed], others: list[str], shapes: SourceShapes
) -> tuple[Renamed, str] | None:
    """The renamed source and member a column names, or None when it is not one of theirs."""
    name = column.name
    if column.table:
        source = renamed.get(column.table)
        if source is None:
            return None
        members = source.members_named(name)
        if len(members) > 1:
            raise AmbiguousColumn(f'column reference "{name}" is ambiguous', position=position_of(column))
        if not members:
            raise UndefinedColumn(f"column {column.table}.{name} does not exist", position=position_of(column))
        return source, members[0]
    offering = [source for source in renamed.values() if source.members_named(name)]
    other_columns = [shapes.source_columns(scope, other) for other in others]
    elsewhere = [columns for columns in other_columns if columns is not None and name in columns]
    if len(offering) + len(elsewhere) > 1 or (offering and len(offering[0].members_named(name)) > 1):
        raise AmbiguousColumn(f'column reference "{name}" is ambiguous', position=position_of(column))
    if offering:
        return offering[0], offering[0].members_named(name)[0]
    unknown = any(columns is None for columns in other_columns)
    if not elsewhere and not unknown and any(source.renamed_away(name) for source in renamed.values()):
        raise UndefinedColumn(f'column "{name}" does not exist', position=position_of(column))
    return None


def _expand_star(item: exp.Expr, scope: Scope, renamed: dict[str, Renamed]) -> list[exp.Expr] | None:
    """``*`` or ``s.*`` spelled out where it covers a renamed source (None when it does not)."""
    star = item if isinstance(item, exp.Star) else item.this if isinstance(item, exp.Column) else None
    if not isinstance(star, exp.Star):
        return None
    qualifier = item.table if isinstance(item, exp.Column) else ""
    names = [qualifier] if qualifier else list(scope.selected_sources)
    if not any(name in renamed for name in names):
        return None
    excluded = {c.name if isinstance(c, exp.Column) else str(c) for c in star.args.get("except_") or ()}
    items: list[exp.Expr] = []
    for name in names:
        source = renamed.get(name)
        if source is None:
            other = exp.Column(this=exp.Star(), table=exp.to_identifier(name))
            if excluded:
                other.this.set("except_", [exp.column(n) for n in sorted(excluded)])
            items.append(other)
            continue
        for member, new in zip(source.members, source.names, strict=True):
            if new in excluded:
                continue
            column = exp.column(member, table=name)
            items.append(column if member == new else exp.alias_(column, new, quoted=True))
    return items


def _is_select_item(column: exp.Column) -> bool:
    return isinstance(column.parent, exp.Select) and column.arg_key == "expressions"


def _is_measure_item(column: exp.Column) -> bool:
    call = column.parent
    return (
        call is not None
        and is_measure_call(call)
        and isinstance(call.parent, exp.Select)
        and call.arg_key == "expressions"
        and len(call.expressions) == 1
    )

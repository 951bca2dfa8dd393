"""Every column of post-processing SQL names its source, or the statement fails as PostgreSQL fails it.

sqlglot qualifies the columns (against the caller's members of each relation);
whether a reference is unknown or ambiguous is decided here, from the scopes and
the sources' columns, never from sqlglot's message text: sqlglot raises one
exception class for every failure, so its wording is not an interface.

The outcomes and their wording follow PostgreSQL (checked against a real server):

* ``column "x" does not exist`` / ``column t.x does not exist`` (42703), with position;
* ``column reference "x" is ambiguous`` (42702), with position;
* ``missing FROM-clause entry for table "t"`` (42P01), with position;
* ``column "x" specified in USING clause does not exist in left table`` (42703).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NoReturn

import sqlglot.expressions as exp
from sqlglot.errors import OptimizeError, SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.resolver import Resolver
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import MappingSchema, Schema

from server.compiler.passes.output_references import external_columns, names_an_output
from server.compiler.passes.state import Compilation, Context
from server.errors import AmbiguousColumn, FeatureNotSupported, UndefinedColumn, UndefinedTable


def qualified_columns(state: Compilation, ctx: Context) -> Compilation:
    """Qualify every column with its source; 42703, 42702 or 42P01 for one that has none or several.

    Why: the next pass decides which columns of each relation a post-processing
    scope reads, which needs every reference tied to one source. Guarantees: each
    column in a SELECT scope is qualified with a source of its scope or, when
    correlated, of an enclosing one (ORDER BY may still name an output column).
    """
    if not state.used:
        return state
    schema = MappingSchema(
        {name: {member.name: "unknown" for member in ctx.relations[name].public_members()} for name in state.used},
        dialect="postgres",
    )
    _check_using(state.tree, schema)
    try:
        tree = qualify(
            state.tree,
            schema=schema,
            dialect="postgres",
            identify=False,
            quote_identifiers=False,
            validate_qualify_columns=False,  # checked below, by kind rather than by message
            allow_partial_qualification=True,  # unknown qualified columns too
            expand_alias_refs=False,
        )
    except OptimizeError as exc:
        raise FeatureNotSupported(f"cannot resolve the query: {exc}") from None
    _check_columns(tree, schema)
    return replace(state, tree=tree)


def _check_using(tree: exp.Expr, schema: Schema) -> None:
    """``JOIN ... USING (c)`` needs ``c`` on both sides (sqlglot would only say it cannot join)."""
    for scope in traverse_scope(tree):
        select = scope.expression
        if not isinstance(select, exp.Select) or not any(j.args.get("using") for j in select.args.get("joins") or ()):
            continue
        resolver = Resolver(scope, schema)
        source = select.args.get("from_")
        left = [source.this.alias_or_name] if source is not None else []
        for join in select.args["joins"]:
            right = join.this.alias_or_name
            for identifier in join.args.get("using") or ():
                name = identifier.name
                for side, names in (("left", left), ("right", [right])):
                    known = [_columns(resolver, n) for n in names]
                    if all(c is not None for c in known) and not any(name in c for c in known if c is not None):
                        raise UndefinedColumn(
                            f'column "{name}" specified in USING clause does not exist in {side} table'
                        )
            left.append(right)


def _check_columns(tree: exp.Expr, schema: Schema) -> None:
    """What sqlglot's ``validate_qualify_columns`` checks, told apart by kind (unknown, ambiguous)."""
    for scope in traverse_scope(tree):
        if not isinstance(scope.expression, exp.Select):
            continue
        resolver = Resolver(scope, schema)
        external = external_columns(scope)
        if external and not scope.is_correlated_subquery and not scope.pivots:
            column = external[0]
            if column.table:
                raise UndefinedTable(
                    f'missing FROM-clause entry for table "{column.table}"', position=_position(column, qualifier=True)
                )
            _unresolved(column, scope, resolver)
        for column in scope.columns:
            table = column.table
            if not table or table not in scope.sources:
                continue
            known = _columns(resolver, table)
            if known is not None and column.name not in known:
                raise UndefinedColumn(
                    f"column {table}.{column.name} does not exist", position=_position(column, qualifier=True)
                )
        for column in scope.unqualified_columns:
            if not names_an_output(column):
                _unresolved(column, scope, resolver)


def _unresolved(column: exp.Column, scope: Scope, resolver: Resolver) -> NoReturn:
    """An unqualified column sqlglot could not tie to one source: several have it (42702) or none (42703)."""
    having = [name for name in scope.selected_sources if column.name in (_columns(resolver, name) or ())]
    if len(having) > 1:
        raise AmbiguousColumn(f'column reference "{column.name}" is ambiguous', position=_position(column))
    raise UndefinedColumn(f'column "{column.name}" does not exist', position=_position(column))


def _columns(resolver: Resolver, source: str) -> Sequence[str] | None:
    """The columns of one source of a scope, or None when they are not all known (a star, a function)."""
    try:
        columns = resolver.get_source_columns(source)
    except SqlglotError:
        return None
    return None if not columns or "*" in columns else columns


def _position(column: exp.Column, *, qualifier: bool = False) -> int | None:
    """1-based position of a reference as written: of its qualifier when there is one and it counts."""
    parts = [column.args.get("table")] if qualifier else []
    parts.append(column.this)
    for part in parts:
        start = part.meta.get("start") if isinstance(part, exp.Identifier) else None
        if start is not None:
            return int(start) + 1
    return None

"""Compile a whole user statement: semantic leaves plus post-processing SQL around them.

A *semantic SELECT* reads one semantic relation and nothing else; it is
resolved and planned. Anything around it (CTEs, joins between relations,
UNION, window functions, subqueries) is *post-processing*: ordinary SQL over the
semantic results, run by the engine in the same statement.

1. Check every relation the statement names: governed relations only, no table
   functions or other schemas (42P01 / 42501).
2. Fast path: a statement that *is* one semantic SELECT is planned directly.
3. Otherwise qualify columns (sqlglot, against the relations' members), then
   wrap each relation referenced outside a semantic SELECT as one:
   ``FROM sales JOIN ...`` becomes ``FROM (SELECT <columns used> FROM sales) AS sales``,
   i.e. the relation at the grain of the dimensions the query uses.
4. Plan every semantic SELECT, innermost first, and leave a marker in its place.

Each plan carries the caller's policies at its scans (from ``governance``), so
nothing the surrounding SQL does can see past them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot.expressions as exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from server.compiler.aggregate_filters import rewrite_aggregate_filters
from server.compiler.column_aliases import apply_column_aliases
from server.compiler.governance import OPEN, Governance
from server.compiler.plan import SemanticPlan
from server.compiler.planner import plan_query
from server.compiler.resolver import is_measure_call, output_name, position_of, resolve_select
from server.errors import (
    FeatureNotSupported,
    InsufficientPrivilege,
    QuiverError,
    ReadOnlyTransaction,
    UndefinedColumn,
    UndefinedTable,
    did_you_mean,
)
from server.semantic.model import Manifest, Relation
from server.sql.functions import check_functions

PLAN_MARKER = "quiver_plan"
DEFAULT_SCHEMA = "public"

_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)


@dataclass(frozen=True)
class CompiledStatement:
    """A statement whose semantic SELECTs are replaced by markers naming ``plans``.

    ``tree`` is dialect-neutral sqlglot; a marker is an empty SELECT whose
    ``meta[PLAN_MARKER]`` is an index into ``plans``.
    """

    tree: exp.Expression
    plans: tuple[SemanticPlan, ...]
    relations: tuple[str, ...]


def marker_index(node: exp.Expression) -> int | None:
    return node.meta.get(PLAN_MARKER) if isinstance(node, exp.Select) else None


def _marker(index: int) -> exp.Select:
    select = exp.Select()
    select.meta[PLAN_MARKER] = index
    return select


def _has_window(select: exp.Select) -> bool:
    prune = lambda node: node is not select and isinstance(node, exp.Query | exp.Subquery)  # noqa: E731
    return any(isinstance(node, exp.Window) for node in select.walk(prune=prune))


class StatementCompiler:
    def __init__(self, manifest: Manifest, relations: Mapping[str, Relation], governance: Governance = OPEN) -> None:
        self.manifest = manifest
        self.relations = relations  # what this caller may query
        self.governance = governance
        self.plans: list[SemanticPlan] = []
        self.used: list[str] = []

    # -- what a statement may name --------------------------------------------------------------

    def relation_of(self, table: exp.Table) -> Relation:
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
        relation = self.relations.get(name)
        if relation is None:
            raise UndefinedTable(
                f'relation "{shown}" does not exist',
                hint=did_you_mean(name, list(self.relations), "relation"),
                position=position_of(table),
            )
        if name not in self.used:
            self.used.append(name)
        return relation

    # -- the whole statement --------------------------------------------------------------------

    def compile(self, tree: exp.Expression) -> CompiledStatement:
        if isinstance(tree, _WRITES):
            raise ReadOnlyTransaction(
                f"cannot execute {tree.key.upper()} in a read-only transaction",
                hint="Quiver serves data products read-only.",
            )
        if not isinstance(tree, exp.Query):
            raise FeatureNotSupported(
                f"{tree.key.upper()} statements are not supported", hint="Send a SELECT statement."
            )
        check_functions(tree)
        tree = rewrite_aggregate_filters(tree)
        apply_column_aliases(tree, self.relations)  # s(a, b): renames of what this caller sees
        fast = self.single_semantic_select(tree)
        if fast is not None:
            table, relation = fast
            return CompiledStatement(self.plan(tree, table, relation), tuple(self.plans), tuple(self.used))
        self.check_sources(tree)
        _name_outputs(tree)  # before qualify, which would name them _col_N
        if not self.used:
            self.reject_measure_calls(tree)
            return CompiledStatement(tree, (), ())
        # A holder gives the root a parent, so any rewrite below may replace the root itself.
        holder = exp.Paren(this=self.qualified(tree))
        for select, table, relation in self.semantic_leaves(holder.this):
            select.replace(self.plan(select, table, relation))
        tree = holder.this
        tree.pop()
        self.reject_measure_calls(tree)
        return CompiledStatement(tree, tuple(self.plans), tuple(self.used))

    def single_semantic_select(self, tree: exp.Expression) -> tuple[exp.Table, Relation] | None:
        """The hot path: one SELECT over one relation with no nested queries at all."""
        if not isinstance(tree, exp.Select) or tree.args.get("with_") or tree.args.get("joins"):
            return None
        source = tree.args.get("from_")
        if source is None or not isinstance(source.this, exp.Table):
            return None
        if any(isinstance(n, exp.Query | exp.Subquery | exp.Window) for n in tree.walk() if n is not tree):
            return None
        return source.this, self.relation_of(source.this)

    def plan(self, select: exp.Select, table: exp.Table, relation: Relation) -> exp.Select:
        alias = table.alias_or_name
        query = resolve_select(select, relation, alias)
        self.plans.append(plan_query(self.manifest, query, self.governance.rules(relation)))
        return _marker(len(self.plans) - 1)

    def check_sources(self, tree: exp.Expression) -> None:
        for scope in traverse_scope(tree):
            for source in scope.sources.values():
                if isinstance(source, exp.Table):
                    self.relation_of(source)
            for node in scope.expression.find_all(exp.Table):
                # Table functions never become scope sources; catch them wherever they are.
                if not isinstance(node.this, exp.Identifier):
                    self.relation_of(node)

    def qualified(self, tree: exp.Expression) -> exp.Expression:
        schema = {
            name: {member.name: "unknown" for member in self.relations[name].public_members()} for name in self.used
        }
        try:
            return qualify(
                tree,
                schema=schema,
                dialect="postgres",
                identify=False,
                quote_identifiers=False,
                validate_qualify_columns=True,
                expand_alias_refs=False,
            )
        except OptimizeError as exc:
            message = str(exc)
            if message.startswith("Unknown column"):
                column = message.split(":", 1)[-1].strip()
                raise UndefinedColumn(f'column "{column}" does not exist') from None
            unresolved = re.match(r"Column '([^']+)' could not be resolved", message) or re.match(
                r"Cannot automatically join: (\S+)", message
            )
            if unresolved:
                raise UndefinedColumn(f'column "{unresolved.group(1)}" does not exist') from None
            if "Ambiguous" in message or "ambiguous" in message:
                raise QuiverError(message) from None
            raise FeatureNotSupported(f"cannot resolve the query: {message}") from None

    def semantic_leaves(self, tree: exp.Expression) -> list[tuple[exp.Select, exp.Table, Relation]]:
        """Every semantic SELECT, innermost first, wrapping relations used elsewhere."""
        leaves: list[tuple[exp.Select, exp.Table, Relation]] = []
        scopes = traverse_scope(tree)
        # Aliases an inner query refers to (correlation): those relations are read as rows, not planned whole.
        correlated = {column.table for scope in scopes for column in scope.external_columns if column.table}
        for scope in scopes:
            own = self.own_semantic_tables(scope)
            if not own:
                continue
            if any(table.alias_or_name in correlated for table in own):
                for table in own:
                    leaves.append(self.wrap(scope, table))
                continue
            if self.is_semantic_scope(scope, own):
                table = own[0]
                leaves.append((scope.expression, table, self.relation_of(table)))
                continue
            if self.is_semantic_scope(scope, own, allow_windows=True):
                leaves.append(self.split_windows(scope.expression, own[0]))
                continue
            for table in own:
                leaves.append(self.wrap(scope, table))
        return leaves

    def own_semantic_tables(self, scope: Scope) -> list[exp.Table]:
        tables = []
        for _name, (_node, source) in scope.selected_sources.items():
            if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
                tables.append(source)
        return tables

    @staticmethod
    def is_semantic_scope(scope: Scope, own: list[exp.Table], allow_windows: bool = False) -> bool:
        select = scope.expression
        if not isinstance(select, exp.Select) or len(scope.selected_sources) != 1 or len(own) != 1:
            return False
        if select.args.get("joins") or select.args.get("laterals") or select.args.get("qualify"):
            return False
        if scope.external_columns:
            # Correlated with an outer query: the relation is read at the grain of the columns used
            # and the correlation runs as ordinary SQL over it.
            return False
        return allow_windows or not _has_window(select)

    def split_windows(self, select: exp.Select, table: exp.Table) -> tuple[exp.Select, exp.Table, Relation]:
        """Compute windows after aggregation, as SQL does: an inner semantic SELECT, an outer window SELECT.

        Everything a window reads (its arguments, PARTITION BY and ORDER BY) and every
        part of the select list outside windows is computed by the inner query;
        ORDER BY, LIMIT, OFFSET and DISTINCT move to the outer one.
        """
        relation = self.relation_of(table)
        inner_items: dict[str, tuple[str, exp.Expression]] = {}

        used_names: set[str] = set()

        def inner(expression: exp.Expression, name: str | None = None) -> exp.Expression:
            if isinstance(expression, exp.Literal | exp.Null | exp.Boolean | exp.Star):
                return expression.copy()
            key = expression.sql(copy=False)
            if key not in inner_items:
                chosen = name if name and name not in used_names else f"_w{len(inner_items)}"
                used_names.add(chosen)
                inner_items[key] = (chosen, expression.copy())
            return exp.column(inner_items[key][0])

        def outer(tree: exp.Expression, name: str | None = None) -> exp.Expression:
            if not any(isinstance(n, exp.Window) for n in tree.walk()):
                return inner(tree, name)
            if isinstance(tree, exp.Window):
                window = tree.copy()
                function = window.this
                for key, value in list(function.args.items()):
                    if isinstance(value, exp.Expression):
                        function.set(key, outer(value))
                    elif isinstance(value, list):
                        function.set(key, [outer(v) if isinstance(v, exp.Expression) else v for v in value])
                window.set("partition_by", [inner(p) for p in window.args.get("partition_by") or []])
                order = window.args.get("order")
                if order is not None:
                    for ordered in order.expressions:
                        ordered.set("this", inner(ordered.this))
                return window
            rebuilt = tree.copy()
            for key, value in list(rebuilt.args.items()):
                if isinstance(value, exp.Expression):
                    rebuilt.set(key, outer(value))
                elif isinstance(value, list):
                    rebuilt.set(key, [outer(v) if isinstance(v, exp.Expression) else v for v in value])
            return rebuilt

        projections = []
        for item in select.expressions:
            name = item.alias_or_name if isinstance(item, exp.Alias | exp.Column) else None
            body = item.this if isinstance(item, exp.Alias) else item
            projections.append(exp.alias_(outer(body, name), name) if name else outer(body))
        order = select.args.get("order")
        outer_order = []
        if order is not None:
            names = {p.alias_or_name for p in projections}
            for ordered in order.expressions:
                target = ordered.this
                is_name = isinstance(target, exp.Column) and not target.table and target.name in names
                is_position = isinstance(target, exp.Literal) and not target.is_string
                new_target = target.copy() if is_name or is_position else outer(target)
                outer_order.append(ordered.copy().set("this", new_target) or ordered)
        inner_columns = [exp.alias_(tree, name) for name, tree in inner_items.values()]
        # A window over nothing of the relation (SELECT count(*) OVER () FROM t) still needs a column below it.
        inner_select = exp.Select(expressions=inner_columns or [exp.alias_(exp.Literal.number(1), "quiver_one")])
        for key in ("from_", "where", "group", "having"):
            if select.args.get(key) is not None:
                inner_select.set(key, select.args[key].copy())
        outer_select = exp.Select(expressions=projections).from_(
            exp.Subquery(this=inner_select, alias=exp.TableAlias(this=exp.to_identifier("w"))), copy=False
        )
        for key in ("limit", "offset", "distinct"):
            if select.args.get(key) is not None:
                outer_select.set(key, select.args[key].copy())
        if outer_order:
            outer_select.set("order", exp.Order(expressions=outer_order))
        select.replace(outer_select)
        inner_table = inner_select.args["from_"].this
        return inner_select, inner_table, relation

    def wrap(self, scope: Scope, table: exp.Table) -> tuple[exp.Select, exp.Table, Relation]:
        """Replace ``table`` in a post-processing scope by a semantic SELECT of the columns it uses."""
        relation = self.relation_of(table)
        alias = table.alias_or_name
        wanted: list[str] = []
        for column in scope.expression.find_all(exp.Column):
            if column.table == alias and column.name not in wanted and not isinstance(column.this, exp.Star):
                wanted.append(column.name)
        visible = {m.name for m in relation.public_members()}
        for name in wanted:
            if name not in visible:
                raise UndefinedColumn(f"column {alias}.{name} does not exist")
        inner_table = exp.Table(this=exp.to_identifier(relation.name))
        columns = [exp.column(name) for name in wanted] or [exp.alias_(exp.Literal.number(1), "one")]
        select = exp.select(*columns).from_(inner_table)
        table.replace(exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias))))
        return select, inner_table, relation

    @staticmethod
    def reject_measure_calls(tree: exp.Expression) -> None:
        for node in tree.find_all(exp.Anonymous):
            if is_measure_call(node):
                raise FeatureNotSupported(
                    "MEASURE() is only allowed in a SELECT over a single semantic relation",
                    hint="Aggregate the measure in a subquery or CTE over that relation, then combine results.",
                    position=position_of(node),
                )


def _name_outputs(tree: exp.Expression) -> None:
    """Give unnamed result columns PostgreSQL's names (``?column?``, ``count``), not the engine's."""
    while isinstance(tree, exp.SetOperation):
        tree = tree.this
    if not isinstance(tree, exp.Select) or marker_index(tree) is not None:
        return
    for item in list(tree.expressions):
        if not isinstance(item, exp.Alias | exp.Column | exp.Star):
            item.replace(exp.alias_(item.copy(), output_name(item), quoted=True))


def compile_statement(
    tree: exp.Expression, manifest: Manifest, relations: Mapping[str, Relation], governance: Governance = OPEN
) -> CompiledStatement:
    """Compile ``tree`` for a caller who may query ``relations``, under ``governance``'s rules.

    ``tree`` is never changed: parse trees are shared through the parse cache by every
    session of a process, so compiling works on its own copy (an in-place rewrite once
    left a cached tree half-planned for every later caller).
    """
    return StatementCompiler(manifest, relations, governance).compile(tree.copy())

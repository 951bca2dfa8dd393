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

The result keeps plans separate from the surrounding tree so the policy stage
can govern each plan before the render stage prints anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot.expressions as exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from server.compiler.plan import SemanticPlan
from server.compiler.planner import plan_query
from server.compiler.resolver import is_measure_call, position_of, resolve_select
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
    def __init__(self, manifest: Manifest, relations: Mapping[str, Relation]) -> None:
        self.manifest = manifest
        self.relations = relations  # what this caller may query
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
        fast = self.single_semantic_select(tree)
        if fast is not None:
            table, relation = fast
            return CompiledStatement(self.plan(tree, table, relation), tuple(self.plans), tuple(self.used))
        self.check_sources(tree)
        if not self.used:
            self.reject_measure_calls(tree)
            return CompiledStatement(tree, (), ())
        tree = self.qualified(tree)
        leaves = self.semantic_leaves(tree)
        for select, table, relation in leaves:
            marker = self.plan(select, table, relation)
            if select is tree:
                tree = marker
            else:
                select.replace(marker)
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
        self.plans.append(plan_query(self.manifest, query))
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
            name: {member.name: "unknown" for member in self.relations[name].public_members()}
            for name in self.used
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
            if "Ambiguous" in message or "ambiguous" in message:
                raise QuiverError(message) from None
            raise FeatureNotSupported(f"cannot resolve the query: {message}") from None

    def semantic_leaves(self, tree: exp.Expression) -> list[tuple[exp.Select, exp.Table, Relation]]:
        """Every semantic SELECT, innermost first, wrapping relations used elsewhere."""
        leaves: list[tuple[exp.Select, exp.Table, Relation]] = []
        for scope in traverse_scope(tree):
            own = self.own_semantic_tables(scope)
            if not own:
                continue
            if self.is_semantic_scope(scope, own):
                table = own[0]
                leaves.append((scope.expression, table, self.relation_of(table)))
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
    def is_semantic_scope(scope: Scope, own: list[exp.Table]) -> bool:
        select = scope.expression
        if not isinstance(select, exp.Select) or len(scope.selected_sources) != 1 or len(own) != 1:
            return False
        if select.args.get("joins") or select.args.get("laterals") or _has_window(select):
            return False
        return not select.args.get("qualify")

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


def compile_statement(
    tree: exp.Expression, manifest: Manifest, relations: Mapping[str, Relation]
) -> CompiledStatement:
    return StatementCompiler(manifest, relations).compile(tree)

"""The one place that knows the whole path of a query: compile, govern, render, execute.

Channels reach it through the statement lifecycle (:mod:`server.statement`),
which parses and routes once for all of them; the engine compiles for a
:class:`Caller`, describes, and keeps what every channel shares (plan cache,
catalogs, limits, audit), so the same question gets the same answer and the
same policies everywhere.

Compiled queries are cached by (SQL text, caller fingerprint, model version,
target): a repeated dashboard query costs one dictionary lookup before it runs.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import sqlglot.expressions as exp

from server.cache import LRUCache
from server.compiler.governance import OPEN
from server.compiler.plan import SemanticPlan, explain
from server.compiler.statement import CompiledStatement, compile_statement, top_level_plan
from server.errors import (
    DeprecatedRelationNotice,
    FeatureNotSupported,
    Notice,
    QuiverError,
    RepeatedMeasureNotice,
)
from server.execution.executor import Executor
from server.execution.sources import Sources
from server.observability.audit import AuditLog, QueryWatch
from server.policy.governance import CallerGovernance
from server.policy.groups import DATA, EXPLAIN, META
from server.policy.identity import NO_LIMITS, Caller, QueryLimits
from server.policy.limits import ConcurrencySlots
from server.policy.masks import key_pads
from server.policy.stage import governance_for
from server.render.statement import render_statement
from server.render.targets import target as find_target
from server.semantic.model import Manifest, Relation
from server.semantic.store import ModelStore
from server.sql.parser import parse_statement
from server.sql.pg_types import wire_type
from server.sql.session_info import SessionInfo


@dataclass(frozen=True)
class CompiledQuery:
    """A statement ready to run: engine SQL plus the governed plans it came from."""

    sql: str
    target: str
    statement: CompiledStatement
    plans: tuple[SemanticPlan, ...]
    model_version: str
    # Literals that must never be shown (the hash mask's keyed pads); EXPLAIN prints a placeholder.
    hidden_literals: tuple[str, ...] = ()

    @property
    def relations(self) -> tuple[str, ...]:
        return self.statement.relations

    def explain(self, *, detailed: bool = True) -> str:
        """The plan outline; ``detailed`` adds model expressions and the engine SQL (physical tables, policy SQL)."""
        parts = [explain(plan, detailed=detailed) for plan in self.plans] or [
            "No semantic relation: the statement runs as written."
        ]
        if not detailed:
            return "\n\n".join(parts)
        sql = self.sql
        for literal in self.hidden_literals:
            sql = sql.replace(literal, "<mask key>")
        return "\n\n".join(parts) + f"\n\nEngine SQL ({self.target}):\n{sql}"


# Entries of the engine's per-relation caches (column types, Arrow schemas), over all model versions.
RELATION_CACHE_SIZE = 4096


class Engine:
    def __init__(
        self,
        models: ModelStore,
        executor: Executor | None = None,
        *,
        sources: Sources | None = None,
        plan_cache_size: int = 4096,
        catalog_cache_size: int = 64,
        statement_timeout: float | None = None,
        mask_secret: bytes | None = None,
        limits: QueryLimits = NO_LIMITS,
        audit: AuditLog | None = None,
    ) -> None:
        """``executor`` may be None for an engine that only compiles (``quiver compile``).

        ``statement_timeout`` (seconds) applies to every query that does not set its own.
        ``mask_secret`` keys the ``hash`` mask; without one, a random key lives as long as
        this engine (hashes are then stable only within one server run). ``limits`` apply
        to every caller (with the caller's own, the stricter wins); ``audit`` receives one
        record per query.
        """
        self.models = models
        self.mask_secret = mask_secret or secrets.token_bytes(32)
        self.executor = executor
        self.sources = sources  # the registry built at start (server.app); None for a compile-only engine
        if executor is not None:
            executor.secrets = key_pads(self.mask_secret)
        self.cache = LRUCache[tuple[str, ...], CompiledQuery](plan_cache_size)
        self.statement_timeout = statement_timeout or None
        self.limits = limits
        self.audit = audit
        self.slots = ConcurrencySlots()
        self.database_name = "quiver"
        self.user_names: tuple[str, ...] = ()
        self._catalogs = LRUCache[tuple[str, ...], Any](catalog_cache_size)
        self._catalog_lock = threading.Lock()
        # By (model version, relation name); a miss only asks the engine to describe the relation again.
        self._column_types = LRUCache[tuple[str, str], list[tuple[str, str]]](RELATION_CACHE_SIZE)
        self._relation_schemas = LRUCache[tuple[str, str], pa.Schema](RELATION_CACHE_SIZE)

    @property
    def dialect(self) -> str:
        return self.executor.dialect if self.executor is not None else "duckdb"

    @property
    def manifest(self) -> Manifest:
        return self.models.manifest

    def compile(self, sql: str, caller: Caller, target: str | None = None) -> CompiledQuery:
        """Compile one statement for ``caller`` into SQL for ``target`` (the engine's dialect by default)."""
        manifest = self.manifest
        target_name = target or self.dialect
        key = (sql, caller.fingerprint, manifest.version, target_name)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        compiled = self.compile_tree(parse_statement(sql), caller, target_name, manifest)
        self.cache.put(key, compiled)
        return compiled

    def governance(self, caller: Caller, manifest: Manifest | None = None) -> CallerGovernance:
        """What ``caller`` may see of the model being served (decided once per model version)."""
        return governance_for(manifest or self.manifest, caller, self.mask_secret)

    def compile_tree(
        self, tree: exp.Expr, caller: Caller, target_name: str, manifest: Manifest | None = None
    ) -> CompiledQuery:
        manifest = manifest or self.manifest
        governance = self.governance(caller, manifest)
        governance.require(DATA)
        member_types = self.member_types if manifest is self.manifest else None
        statement = compile_statement(tree, manifest, governance.relations(), governance, member_types)
        sql = render_statement(statement, statement.plans, find_target(target_name))
        hidden = tuple(pad for pad in key_pads(self.mask_secret) if pad in sql)
        return CompiledQuery(sql, target_name, statement, statement.plans, manifest.version, hidden)

    def explain(self, tree: exp.Expr, caller: Caller, target: str | None = None) -> str:
        """EXPLAIN as ``caller`` may see it.

        Engine SQL shows physical tables, policy predicates and the SQL of members the
        caller may not see (a visible measure's SQL can read a hidden column), so only a
        group with the ``explain`` scope gets it; everyone else gets the outline in
        member names. ``tree`` is never changed (it may be a shared, cached parse tree).
        """
        compiled = self.compile_tree(tree, caller, target or self.dialect)
        return compiled.explain(detailed=self.governance(caller).allows(EXPLAIN))

    # -- limits and audit -------------------------------------------------------------------------

    def watch(self, caller: Caller) -> QueryWatch:
        """Start following one query of ``caller``: its concurrency slot, row limit and audit record."""
        limits = caller.limits.combined(self.limits)
        release = self.slots.acquire(caller.user, limits.max_concurrent_queries)
        try:
            group = self.governance(caller).group_name
        except Exception:
            release()
            raise
        return QueryWatch(
            self.audit,
            user=caller.user,
            group=group,
            channel=caller.channel,
            max_rows=limits.max_result_rows,
            release=release,
        )

    def timeout(self, caller: Caller, requested: float | None) -> float | None:
        """The statement timeout in force: the session's (or the server default), capped by the user's limit."""
        timeout = requested if requested is not None else self.statement_timeout
        cap = caller.limits.combined(self.limits).statement_timeout
        if cap is None:
            return timeout or None
        return min(timeout, cap) if timeout else cap

    @staticmethod
    def describe_data(watch: QueryWatch, compiled: CompiledQuery) -> None:
        watch.describe(
            kind="data",
            relations=compiled.relations,
            members=[f"{p.relation}.{m}" for p in compiled.plans for m in p.members],
            policies=[entry for p in compiled.plans for entry in p.journal],
        )

    # -- statements from a session (wire protocol, Flight SQL) ----------------------------------

    def catalog_for(self, caller: Caller) -> Any:
        """The catalog this caller sees (one per model version and set of visible relations)."""
        from server.catalog.catalog import Catalog

        manifest = self.manifest
        governance = self.governance(caller, manifest)
        governance.require(META)
        relations = governance.relations()
        # Callers who see the same relations and members share one catalog.
        key = (manifest.version, *(f"{n}:{','.join(relations[n].members)}" for n in sorted(relations)))
        with self._catalog_lock:
            found = self._catalogs.get(key)
            if found is None:
                found = Catalog(
                    manifest,
                    relations,
                    column_types={name: self.relation_column_types(relation) for name, relation in relations.items()},
                    database=self.database_name,
                    users=self.user_names,
                )
                self._catalogs.put(key, found)
        return found

    def relation_schema(self, relation: Relation) -> pa.Schema:
        """The Arrow schema of ``SELECT * FROM relation`` as the caller whose ``relation`` this is sees it.

        Types come from the engine's answer for the whole relation (asked once per model
        version, reading no data); the fields are those of ``relation``'s visible members.
        """
        manifest = self.manifest
        key = (manifest.version, relation.name)
        whole_schema = self._relation_schemas.get(key)
        if whole_schema is None:
            whole = manifest.relations[relation.name]
            statement = compile_statement(
                parse_statement(f'SELECT * FROM "{relation.name}"'), manifest, {relation.name: whole}, OPEN
            )
            if self.executor is None:
                raise FeatureNotSupported("this engine compiles only; it has no connector to describe relations")
            sql = render_statement(statement, statement.plans, find_target(self.dialect))
            whole_schema = self.executor.describe(sql)
            self._relation_schemas.put(key, whole_schema)
        visible = [m.name for m in relation.public_members()]
        return pa.schema([whole_schema.field(name).remove_metadata() for name in visible])

    def relation_column_types(self, relation: Relation) -> list[tuple[str, str]]:
        """Each column of a relation with its PostgreSQL type name, from the engine's own answer.

        Asked once per model version of the whole relation, unmasked (masks keep types),
        so every caller's catalog shows the same type for the same column.
        """
        manifest = self.manifest
        key = (manifest.version, relation.name)
        cached = self._column_types.get(key)
        if cached is not None:
            return cached
        whole = manifest.relations.get(relation.name)
        if self.executor is None or whole is None or not whole.public_members():
            return []
        statement = compile_statement(
            parse_statement(f"SELECT * FROM {relation.name}"), manifest, {relation.name: whole}, OPEN
        )
        sql = render_statement(statement, statement.plans, find_target(self.dialect))
        schema = self.executor.describe(sql)
        types = [(field.name, _type_name(field.type)) for field in schema]
        self._column_types.put(key, types)
        return types

    def member_types(self, relation_name: str) -> dict[str, str]:
        """Each member of a relation with the PostgreSQL type the catalog reports (empty when unknown).

        The compiler asks (only when a PostgreSQL-meaning rule needs an operand's type) so that a
        column divides as the type a client sees for it: ``numeric`` exactly, integers truncating.
        """
        relation = self.manifest.relations.get(relation_name)
        if relation is None:
            return {}
        try:
            return dict(self.relation_column_types(relation))
        except QuiverError:
            return {}  # types unknown: the rules leave such expressions as written

    def column_type_lookup(self, caller: Caller) -> Callable[[exp.Column], int | None]:
        """The PostgreSQL type OID of a column by name, over the relations ``caller`` may see.

        Used to infer parameter types (``WHERE quantity > $1``); a hidden member never informs it.
        """
        from server.sql.pg_types import BY_NAME

        known: dict[str, int] = {}
        for relation in self.governance(caller).relations().values():
            with contextlib.suppress(QuiverError):
                for name, type_name in self.relation_column_types(relation):
                    found = BY_NAME.get(type_name.lstrip("_").split("(")[0])
                    if found is not None and name in relation.members:
                        known.setdefault(name, found.oid)

        def lookup(column: exp.Column) -> int | None:
            return known.get(column.name)

        return lookup

    def compile_cached(
        self, tree: exp.Expr, caller: Caller, session: SessionInfo, cache_key: str | None
    ) -> CompiledQuery:
        """:meth:`compile_tree` through the plan cache under ``cache_key`` (None: not cached).

        The key also holds the caller's fingerprint, the session values substituted as
        literals, the model version and the target, so a hit is always the same plan.
        """
        if cache_key is None:
            return self.compile_tree(tree, caller, self.dialect)
        manifest = self.manifest
        key = (cache_key, caller.fingerprint, _session_key(session), manifest.version, self.dialect)
        cached = self.cache.get(key)
        if cached is None:
            cached = self.compile_tree(tree, caller, self.dialect, manifest)
            self.cache.put(key, cached)
        return cached

    def notices_for(self, compiled: CompiledQuery) -> tuple[Notice, ...]:
        """Notices a query earns, sent before its rows.

        A relation its author marked deprecated (``meta.deprecated``); and measures whose
        values repeat across the returned rows (a join fans their table out), when the
        statement's own SELECT is the semantic one, so its rows are the client's rows.
        Around post-processing SQL the outer query consumes the repeated values itself,
        and flattening already re-aggregates them exactly. Both lists were computed when
        the plan was made: this costs nothing per row.
        """
        notices: list[Notice] = []
        for name in compiled.relations:
            relation = self.manifest.relations.get(name)
            deprecated = relation.meta.get("deprecated") if relation is not None else None
            if deprecated:
                reason = f": {deprecated}" if isinstance(deprecated, str) else ""
                notices.append(DeprecatedRelationNotice(f'relation "{name}" is deprecated{reason}'))
        top = top_level_plan(compiled.statement)
        if top is not None:
            notices.extend(RepeatedMeasureNotice(repeated.notice()) for repeated in top.repeated)
        return tuple(notices)


def _type_name(data_type: pa.DataType) -> str:
    """A column's PostgreSQL type as the catalog shows it: ``int8``, ``_text``, ``numeric(12,2)``."""
    wire = wire_type(data_type)
    if wire.array_of is not None:
        return "_" + wire.type.name
    if pa.types.is_decimal(data_type):
        return f"numeric({data_type.precision},{data_type.scale})"
    return wire.type.name


def _session_key(session: SessionInfo) -> str:
    """Session values a compiled statement can depend on (they were substituted as literals)."""
    return f"{session.user}|{session.database}|{','.join(session.search_path)}|{session.application_name}"

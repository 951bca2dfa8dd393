"""The one place that knows the whole path of a query: parse, compile, govern, render, execute.

Every channel (PostgreSQL wire, Flight, HTTP, the CLI) calls :class:`Engine`
with SQL text and a :class:`Caller`; none of them parses, plans or filters on
its own, so the same question gets the same answer and the same policies
everywhere.

Compiled queries are cached by (SQL text, caller fingerprint, model version,
target): a repeated dashboard query costs one dictionary lookup before it runs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlglot.expressions as exp

from connectors.base import CancelToken
from server.compiler.plan import SemanticPlan, explain
from server.compiler.statement import CompiledStatement, compile_statement
from server.errors import FeatureNotSupported
from server.execution.executor import Executor, ResultStream
from server.policy.identity import Caller
from server.policy.stage import govern, visible_relations
from server.render.statement import render_statement
from server.render.targets import target as find_target
from server.semantic.model import Manifest
from server.semantic.store import ModelStore
from server.sql.parser import parse_statement


@dataclass(frozen=True)
class CompiledQuery:
    """A statement ready to run: engine SQL plus the governed plans it came from."""

    sql: str
    target: str
    statement: CompiledStatement
    plans: tuple[SemanticPlan, ...]
    model_version: str

    @property
    def relations(self) -> tuple[str, ...]:
        return self.statement.relations

    def explain(self) -> str:
        parts = [explain(plan) for plan in self.plans] or ["No semantic relation: the statement runs as written."]
        return "\n\n".join(parts) + f"\n\nEngine SQL ({self.target}):\n{self.sql}"


class PlanCache:
    """A small thread-safe LRU of compiled queries."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, ...], CompiledQuery] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> CompiledQuery | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], value: CompiledQuery) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


class Engine:
    def __init__(
        self,
        models: ModelStore,
        executor: Executor | None = None,
        *,
        plan_cache_size: int = 4096,
        statement_timeout: float | None = None,
    ) -> None:
        """``executor`` may be None for an engine that only compiles (``quiver compile``).

        ``statement_timeout`` (seconds) applies to every query that does not set its own.
        """
        self.models = models
        self.executor = executor
        self.cache = PlanCache(plan_cache_size)
        self.statement_timeout = statement_timeout or None

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

    def compile_tree(
        self, tree: exp.Expression, caller: Caller, target_name: str, manifest: Manifest | None = None
    ) -> CompiledQuery:
        manifest = manifest or self.manifest
        statement = compile_statement(tree, manifest, visible_relations(manifest, caller))
        plans = tuple(govern(plan, manifest, caller) for plan in statement.plans)
        sql = render_statement(statement, plans, find_target(target_name))
        return CompiledQuery(sql, target_name, statement, plans, manifest.version)

    def execute(
        self, sql: str, caller: Caller, timeout: float | None = None, token: CancelToken | None = None
    ) -> tuple[CompiledQuery, ResultStream]:
        """Compile and start ``sql``; the caller iterates the stream's batches. ``token`` cancels it."""
        if self.executor is None:
            raise FeatureNotSupported("this engine compiles only; it has no connector to run queries")
        compiled = self.compile(sql, caller)
        timeout = timeout if timeout is not None else self.statement_timeout
        return compiled, self.executor.start(compiled.sql, timeout=timeout, token=token)

"""Prepare, bind, run, cancel: one statement lifecycle behind every channel.

A channel hands :meth:`StatementService.prepare` the SQL text it received; the
:class:`Statement` it gets back has been parsed, routed and typed once, and knows
its plan-cache key and (on first request) its result columns. :meth:`bind`
fixes parameter values into a :class:`Portal`, and :meth:`run` starts it,
audited and under the caller's limits, as a stream of Arrow batches.

Errors are the same on every channel because they are raised here: a bind with
the wrong number of values is PostgreSQL's 08P01 wherever it comes from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import pyarrow as pa
import sqlglot.expressions as exp

from connectors.base import CancelToken
from server.cache import LRUCache
from server.engine import CompiledQuery, Engine
from server.errors import (
    FeatureNotSupported,
    ProtocolViolation,
    QuiverError,
    SqlSyntaxError,
)
from server.execution.constants import constant_result
from server.execution.executor import Result, TableResult, open_stream
from server.execution.scratch import referenced_tables, run_on_temp_tables
from server.policy.identity import Caller
from server.render.targets import target as find_target
from server.semantic.model import Relation
from server.session import temp_views, temporary
from server.session.temp_views import TempView
from server.sql.commands import Command, CreateTempView, Query
from server.sql.database_names import current_database_names
from server.sql.params import bind as bind_values
from server.sql.params import infer_types, parameter_count
from server.sql.parser import parse_statement_cached
from server.sql.session_info import SessionInfo, substitute_session_functions
from server.sql.text_input import from_text
from server.statement.generic import GenericBinding, bind_markers, generic_binding, sample_values
from server.statement.origins import ColumnOrigin, column_origins
from server.statement.route import Route, route

SCHEMA_CACHE_SIZE = 1024  # result schemas remembered, by model version and engine SQL


class StatementSession(Protocol):
    """What the lifecycle reads of a channel's session: its values and its temporary tables."""

    @property
    def temp_tables(self) -> MutableMapping[str, pa.Table]: ...

    @property
    def temp_views(self) -> MutableMapping[str, TempView]: ...

    def info(self) -> SessionInfo: ...


@dataclass(frozen=True)
class FixedSession:
    """A session without state of its own (Flight SQL, HTTP): fixed values and no temporary tables."""

    values: SessionInfo
    temp_tables: MutableMapping[str, pa.Table] = field(default_factory=dict)
    temp_views: MutableMapping[str, TempView] = field(default_factory=dict)

    def info(self) -> SessionInfo:
        return self.values


@dataclass(frozen=True)
class Description:
    """A statement's result columns, with where each one comes from (for channels that show it)."""

    schema: pa.Schema
    origins: tuple[ColumnOrigin | None, ...] = ()


@dataclass(eq=False)
class Statement:
    """A prepared statement: parsed, routed and typed once; described once, on first request."""

    name: str
    text: str
    caller: Caller
    session: StatementSession
    command: Command | None  # what the session router made of the text (None: the empty statement)
    tree: exp.Expr | None  # the parsed query (shared and cached: never mutated)
    route: Route
    parameter_types: tuple[int, ...]
    cache_key: str  # the plan-cache key of the statement without values
    temp_names: frozenset[str]  # the session's temporary tables when it was routed
    _description: Description | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def parameter_count(self) -> int:
        return len(self.parameter_types)

    @property
    def is_query(self) -> bool:
        return self.tree is not None

    @property
    def described(self) -> bool:
        """Its result columns are known (describing again costs nothing)."""
        return self._description is not None


@dataclass(eq=False)
class Portal:
    """A statement with its values bound, ready to run once; ``token`` cancels the run."""

    statement: Statement
    values: tuple[Any, ...]
    tree: exp.Expr
    route: Route
    cache_key: str | None  # None: compiled without the plan cache
    token: CancelToken = field(default_factory=CancelToken)
    generic: GenericBinding | None = None  # markers for a plan shared by all values of these types


def plan_key(text: str, count: int, values: Sequence[Any]) -> str | None:
    """The plan-cache key of ``text`` with ``values`` bound: the text, plus the values when it has parameters.

    The values' reprs tell their types apart (1, 1.0, '1'), and literals of different types
    compile differently; the cache is a bounded LRU, so distinct values only cycle it.
    """
    if not count:
        return text
    return f"{text}\x00{list(values)!r}" if values else None


class StatementService:
    """The lifecycle of statements over one engine, shared by every channel of a process."""

    def __init__(self, engine: Engine, schema_cache_size: int = SCHEMA_CACHE_SIZE) -> None:
        self.engine = engine
        # Result columns by (model version, engine SQL): describing asks the engine to plan the query, which costs
        # as much as a small query itself; the same SQL always has the same columns.
        self._schemas: LRUCache[tuple[str, str], pa.Schema] = LRUCache(schema_cache_size)
        # Statements whose markers did not survive compiling: they are compiled with their values.
        self._not_generic: LRUCache[tuple[str, str, str], bool] = LRUCache(schema_cache_size)

    # -- prepare ---------------------------------------------------------------------------------

    def prepare(
        self,
        sql: str,
        caller: Caller,
        session: StatementSession,
        *,
        name: str = "",
        command: Command | type[Query] | None = Query,
        declared_types: Sequence[int] = (),
    ) -> Statement:
        """Parse, route and type ``sql`` once for ``caller`` in ``session``.

        ``command`` is what the channel's session router made of the text: a
        :class:`Query` (or the default, meaning "the whole text is a query") is parsed
        and routed here; any other command is the session's to answer (route SESSION);
        None is the empty statement. ``declared_types`` are parameter type OIDs the
        client declared (0: infer).
        """
        if isinstance(command, type):  # the default, the class Query itself: the whole text is a query
            command = Query(sql, 0)
        if not isinstance(command, Query):
            types = tuple(t or 25 for t in declared_types)
            return Statement(name, sql, caller, session, command, None, Route.SESSION, types, sql, frozenset())
        tree = temp_views.expand(_parse(command), session.temp_views, parse_statement_cached)
        temp = session.temp_tables
        routed = route(tree, self.engine.manifest.relations, temp)
        count = parameter_count(tree)
        if count or declared_types:
            lookup = _Lazy(lambda: self.engine.column_type_lookup(caller))
            types = tuple(infer_types(tree, list(declared_types), lookup))
        else:
            types = ()
        return Statement(
            name,
            sql,
            caller,
            session,
            command,
            tree,
            routed,
            types,
            command.text,
            frozenset(temp) if temp else frozenset(),
        )

    # -- bind ------------------------------------------------------------------------------------

    @staticmethod
    def check_count(statement: Statement, supplied: int) -> None:
        """08P01 unless ``supplied`` values are exactly one per parameter, in PostgreSQL's words for a Bind."""
        if supplied != statement.parameter_count:
            raise ProtocolViolation(
                f"bind message supplies {supplied} parameters, "
                f'but prepared statement "{statement.name}" requires {statement.parameter_count}'
            )

    def bind(self, statement: Statement, values: Sequence[Any], token: CancelToken | None = None) -> Portal:
        """``statement`` with ``values`` (exactly one per parameter); ``token``, when given, cancels its run."""
        self.check_count(statement, len(values))
        values = _typed(values, statement.parameter_types)
        tree = statement.tree
        if tree is None:
            raise FeatureNotSupported("this statement is answered by the session, not run")
        count = parameter_count(tree)
        bound = bind_values(tree, list(values)) if count else tree
        routed = statement.route
        temp = statement.session.temp_tables
        if frozenset(temp) != statement.temp_names:
            routed = route(bound, self.engine.manifest.relations, temp)  # temporary tables came or went
        elif count and routed is not Route.TEMPORARY and constant_result(bound) is not None:
            routed = Route.CONSTANT  # SELECT $1: a constant once its value is known
        key = plan_key(statement.cache_key, count, values)
        generic = generic_binding(statement.cache_key, values) if count and routed is Route.SEMANTIC else None
        token = token if token is not None else CancelToken()
        return Portal(statement, tuple(values), bound, routed, key, token, generic)

    # -- describe --------------------------------------------------------------------------------

    def describe(self, statement: Statement) -> Description | None:
        """The result columns of ``statement`` (parameters as NULLs), found once; None for no rows."""
        if not statement.is_query:
            return None
        found = statement._description
        if found is not None:
            return found
        with statement._lock:
            if statement._description is None:
                # Bound with a sample of each parameter's type, the description compiles the generic plan
                # the runs reuse; a type without a marker is described as NULL.
                values = sample_values(statement.parameter_types) or (None,) * statement.parameter_count
                statement._description = self.describe_portal(self.bind(statement, values))
            return statement._description

    def describe_portal(self, portal: Portal) -> Description:
        """The result columns of ``portal`` without producing its rows (bound values can type columns)."""
        statement = portal.statement
        engine = self.engine
        kind = portal.route
        tree = portal.tree
        if kind is Route.CONSTANT:
            constant = constant_result(tree)
            assert constant is not None
            return Description(constant.schema)
        info = statement.session.info()
        if kind is Route.CATALOG:
            stream = open_stream(lambda: engine.catalog_for(statement.caller).start(tree, info))
            stream.close()
            return Description(stream.schema)
        tree = current_database_names(substitute_session_functions(tree, info), info.database)
        if kind is Route.TEMPORARY:
            scratch = run_on_temp_tables(tree, statement.session.temp_tables)
            scratch.close()
            return Description(scratch.schema)
        executor = engine.executor
        if executor is None:
            raise FeatureNotSupported("this engine compiles only; it has no connector to describe queries")
        compiled = self._compile(portal, tree, info)
        key = (compiled.model_version, compiled.sql)
        schema = self._schemas.get(key)
        if schema is None:
            schema = executor.describe(compiled.sql)
            self._schemas.put(key, schema)
        return Description(schema, self._origins(compiled, statement.caller))

    # -- run -------------------------------------------------------------------------------------

    def run(self, portal: Portal, *, timeout: float | None = None) -> Result:
        """Start ``portal``: an audited stream of Arrow batches (``timeout``: the session's, if any).

        The caller's concurrency slot, row limit and audit record follow the stream until
        it is closed; every route is audited, whatever answers it.
        """
        statement = portal.statement
        watch = self.engine.watch(statement.caller)
        try:
            result = self._start(portal, watch, timeout)
        except BaseException as exc:
            watch.finish(exc)
            raise
        result.attach(watch)
        return result

    def drop_tables(self, session: StatementSession, names: Sequence[str], *, if_exists: bool) -> None:
        """DROP TABLE: the session's temporary tables go; a relation of the model is read-only (25006)."""
        temp_views.check_not_view(session.temp_views, names)
        temporary.drop(session.temp_tables, names, if_exists=if_exists, governed=self.engine.manifest.relations)

    def create_view(self, session: StatementSession, caller: Caller, command: CreateTempView) -> None:
        """CREATE TEMP VIEW: the query is checked and described now, as the creator, and kept as SQL."""
        temp_views.check_new(session.temp_views, session.temp_tables, command.name, replace=command.replace)
        tree = temp_views.expand(_parse(command.query), session.temp_views, parse_statement_cached)
        if not isinstance(tree, exp.Query):
            raise SqlSyntaxError("a view must be defined by a query")
        sql = tree.sql(dialect="postgres")
        description = self.describe(self.prepare(sql, caller, session))
        if description is None:
            raise SqlSyntaxError("a view must be defined by a query")
        if len(command.columns) > len(description.schema):
            raise SqlSyntaxError("CREATE VIEW specifies more column names than columns")
        temp_views.new_view(session.temp_views, command.name, sql, description.schema, command.columns)

    def drop_views(self, session: StatementSession, names: Sequence[str], *, if_exists: bool) -> None:
        """DROP VIEW: the session's temporary views go; a relation of the model is read-only (25006)."""
        governed = self.engine.manifest.relations
        temp_views.drop(session.temp_views, names, if_exists=if_exists, tables=session.temp_tables, governed=governed)

    def explain(self, query: Query, caller: Caller) -> str:
        """EXPLAIN of ``query`` as ``caller`` may see it (the engine decides how much that is)."""
        return self.engine.explain(_parse(query), caller)

    def cancel(self, portal: Portal) -> None:
        """Stop ``portal``'s run, wherever it is (any thread may call this)."""
        portal.token.cancel()

    def query(
        self,
        sql: str,
        caller: Caller,
        session: StatementSession | SessionInfo,
        values: Sequence[Any] = (),
        *,
        timeout: float | None = None,
        token: CancelToken | None = None,
    ) -> Result:
        """Prepare, bind and run ``sql`` in one call: the path of callers with no protocol of their own
        (the CLI, tests), which is every channel's path."""
        if isinstance(session, SessionInfo):
            session = FixedSession(session)
        return self.run(self.bind(self.prepare(sql, caller, session), values, token), timeout=timeout)

    def _start(self, portal: Portal, watch: Any, timeout: float | None) -> Result:
        statement = portal.statement
        engine = self.engine
        caller = statement.caller
        kind = portal.route
        tree = portal.tree
        token = portal.token
        if kind is Route.CONSTANT:
            constant = constant_result(tree)
            assert constant is not None
            watch.describe(kind="constant")
            return TableResult(constant)
        timeout = engine.timeout(caller, timeout)
        info = statement.session.info()
        if kind is Route.CATALOG:
            # The catalog answers session functions itself (keeping PostgreSQL's column names).
            watch.describe(kind="catalog")
            return open_stream(lambda: engine.catalog_for(caller).start(tree, info, timeout=timeout, token=token))
        tree = current_database_names(substitute_session_functions(tree, info), info.database)
        if kind is Route.TEMPORARY:
            temp = statement.session.temp_tables
            watch.describe(kind="temporary", relations=sorted(referenced_tables(tree)))
            return run_on_temp_tables(tree, temp, timeout=timeout, token=token)
        executor = engine.executor
        if executor is None:
            raise FeatureNotSupported("this engine compiles only; it has no connector to run queries")
        compiled = self._compile(portal, tree, info)
        engine.describe_data(watch, compiled)
        stream = executor.start(compiled.sql, timeout=timeout, token=token)
        stream.origins = self._origins(compiled, caller)
        stream.notices = engine.notices_for(compiled)
        return stream

    def _compile(self, portal: Portal, tree: exp.Expr, info: SessionInfo) -> CompiledQuery:
        """The portal's compiled query: its statement's generic plan with the values in, when there is one."""
        engine = self.engine
        caller = portal.statement.caller
        generic = portal.generic
        if generic is not None:
            failed_key = (generic.key, caller.fingerprint, engine.manifest.version)
            statement_tree = portal.statement.tree
            assert statement_tree is not None  # bind() made the portal, and it binds queries only
            if self._not_generic.get(failed_key) is None:
                try:
                    marked = substitute_session_functions(bind_markers(statement_tree, generic), info)
                    marked = current_database_names(marked, info.database)
                    plan = engine.compile_cached(marked, caller, info, generic.key)
                except QuiverError:
                    plan = None  # a marker where the compiler reads the value: compile with the values
                sql = generic.render(plan.sql, find_target(plan.target).dialect) if plan is not None else None
                if plan is not None and sql is not None:
                    return replace(plan, sql=sql)
                self._not_generic.put(failed_key, True)
        return engine.compile_cached(tree, caller, info, portal.cache_key)

    def _origins(self, compiled: CompiledQuery, caller: Caller) -> tuple[ColumnOrigin | None, ...]:
        relations: Mapping[str, Relation] = self.engine.governance(caller).relations()
        return column_origins(compiled, relations)


class _Lazy:
    """A column-type lookup built on first use (a statement whose parameters are all cast needs none)."""

    def __init__(self, build: Callable[[], Callable[[exp.Column], int | None]]) -> None:
        self._build = build
        self._lookup: Callable[[exp.Column], int | None] | None = None

    def __call__(self, column: exp.Column) -> int | None:
        if self._lookup is None:
            self._lookup = self._build()
        return self._lookup(column)


def _typed(values: Sequence[Any], types: Sequence[int]) -> list[Any]:
    """Values a channel received as text, read as their parameters' types (PostgreSQL's text input).

    The wire decodes its text-format values by type itself; a Flight SQL client may bind
    ``'abc'`` where an integer is expected, and must get the wire's 22P02, not the engine's error.
    """
    return [from_text(v, t) if isinstance(v, str) else v for v, t in zip(values, types, strict=True)]


def _parse(query: Query) -> exp.Expr:
    """The query's tree; a syntax error's position counts from the start of the whole text."""
    try:
        return parse_statement_cached(query.text)
    except QuiverError as error:
        if error.position:
            error.position += query.offset
        raise

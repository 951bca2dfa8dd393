"""Arrow Flight and Flight SQL over the same engine, policies and audit as the PostgreSQL wire server.

Two dialects of one service:

* **plain Flight**: a command descriptor holding SQL text (or a path naming a
  relation) → ``GetFlightInfo`` → ``DoGet`` on its ticket; ``ListFlights`` lists
  the relations the caller may see;
* **Flight SQL**: descriptors and tickets holding ``google.protobuf.Any``-packed
  messages of FlightSql.proto (statements, prepared statements with parameters
  bound by ``DoPut``, the metadata commands), as ADBC and JDBC drivers send them.

Results stream as the engine produces them (``GeneratorStream``); a client that
disconnects or cancels (``CancelFlightInfo``) stops the engine query. Statement
tickets carry the SQL itself (they are run as whoever presents them, under that
caller's policies), so no query state outlives a call except prepared
statements, which belong to the user who created them.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa
import sqlglot.expressions as exp
from google.protobuf import any_pb2
from google.protobuf.message import DecodeError, Message
from pyarrow import flight

from connectors.base import CancelToken
from server.engine import Engine
from server.errors import (
    CharacterNotInRepertoire,
    FeatureNotSupported,
    InvalidParameterValue,
    ProtocolViolation,
    QuiverError,
    ReadOnlyTransaction,
)
from server.policy.groups import META
from server.policy.identity import Caller
from server.policy.users import UserStore
from server.protocol.flight import messages as pb
from server.protocol.flight import metadata
from server.protocol.flight.auth import MIDDLEWARE, AuthMiddlewareFactory, NoHandshake, TokenStore
from server.protocol.flight.errors import to_flight
from server.semantic.model import Relation
from server.sql.lexer import qmark_to_dollar
from server.sql.params import bind, infer_types, parameter_count
from server.sql.parser import parse_statement
from server.sql.pg_types import BY_NAME
from server.sql.session_info import SessionInfo

TYPE_PREFIX = "type.googleapis.com/arrow.flight.protocol.sql."
M = TypeVar("M", bound=Message)
PREPARED_LIFETIME = 3600.0
# The largest record batch sent as one Flight message. gRPC clients refuse bigger messages by
# default (grpc-go and grpc-java: 4 MiB; the ADBC driver raises its limit to 16 MiB), and an engine
# batch of wide text rows easily exceeds that, so batches are cut into slices under this size.
MAX_MESSAGE_BYTES = 3 * 1024 * 1024
CANCEL_STATUS_CANCELLED, CANCEL_STATUS_NOT_CANCELLABLE = 1, 3

# Parameter types announced for prepared statements (clients may send any type; values are bound as literals).
_PARAMETER_TYPES: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int2": pa.int64(),
    "int4": pa.int64(),
    "int8": pa.int64(),
    "float4": pa.float64(),
    "float8": pa.float64(),
    "numeric": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
}


@dataclass
class Prepared:
    """A prepared statement: its owner, its SQL as a tree with ``$n`` parameters, and the bound rows.

    Each row of parameters bound by DoPut is one execution; a query bound with several
    rows answers with their results one after the other (the Flight SQL specification
    leaves the choice to the server; this is what a client's ``executemany`` expects).
    """

    user: str
    sql: str
    tree: exp.Expression
    parameter_schema: pa.Schema
    dataset_schema: pa.Schema
    rows: list[list[Any]] = field(default_factory=list)
    used: float = field(default_factory=time.monotonic)


def within_message_size(batch: pa.RecordBatch, limit: int = MAX_MESSAGE_BYTES) -> Iterator[pa.RecordBatch]:
    """``batch`` as zero-copy slices of at most about ``limit`` bytes each (one row may be larger)."""
    size = batch.nbytes
    if size <= limit or batch.num_rows <= 1:
        yield batch
        return
    rows = max(1, batch.num_rows * limit // size)
    for start in range(0, batch.num_rows, rows):
        yield batch.slice(start, rows)


def pack(message: Message) -> bytes:
    packed = any_pb2.Any()
    packed.Pack(message, type_url_prefix="type.googleapis.com/")
    return packed.SerializeToString()


def unpack(data: bytes) -> Message | None:
    """The Flight SQL message in ``data``, or None when ``data`` is not one (plain SQL text)."""
    packed = any_pb2.Any()
    try:
        packed.ParseFromString(data)
    except (DecodeError, ValueError):
        return None
    if not packed.type_url.startswith(TYPE_PREFIX):
        return None
    message_class = pb.CLASSES.get(packed.type_url[len(TYPE_PREFIX) :])
    if message_class is None:
        raise FeatureNotSupported(f"Flight SQL message {packed.type_url[len(TYPE_PREFIX) :]} is not supported")
    message = message_class()
    try:
        packed.Unpack(message)
    except DecodeError:
        raise ProtocolViolation(f"malformed Flight SQL message {message_class.__name__}") from None
    return message


def expect(data: bytes, message_class: type[M]) -> M:
    """``data`` as the Flight SQL request ``message_class`` (an action body), or a protocol violation."""
    message = unpack(data)
    if not isinstance(message, message_class):
        raise ProtocolViolation(f"the action's body is not a {message_class.__name__}")
    return message


def sql_text(data: bytes) -> str:
    """A plain Flight command or ticket: SQL text in UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CharacterNotInRepertoire('invalid byte sequence for encoding "UTF8"') from None


def statement_ticket(sql: str) -> flight.Ticket:
    """A Flight SQL statement ticket: the SQL itself, run as whoever presents it."""
    return flight.Ticket(pack(pb.TicketStatementQuery(statement_handle=sql.encode())))


def plan_key(sql: str, count: int, values: tuple[Any, ...] | list[Any]) -> str | None:
    """The plan-cache key of ``sql`` with ``values`` bound: GetFlightInfo's describe compiles, DoGet reuses it.

    The values' reprs tell their types apart (1, 1.0, '1'), and literals of different types
    compile differently; the cache is a bounded LRU, so distinct values only cycle it.
    """
    if not count:
        return sql
    return f"{sql}\x00{list(values)!r}" if values else None  # unbound: described with NULLs, not cached


def plain(schema: pa.Schema) -> pa.Schema:
    """``schema`` without the PostgreSQL-wire metadata (table OIDs) the engine annotates."""
    return pa.schema([f.remove_metadata() for f in schema])


def _decode_length_delimited(data: bytes, wanted_field: int) -> bytes | None:
    """The bytes of field ``wanted_field`` (wire type 2) of a protobuf message, without its schema."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 2:
            length, i = _varint(data, i)
            if number == wanted_field:
                return data[i : i + length]
            i += length
        elif wire == 0:
            _, i = _varint(data, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            return None
    return None


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


class QuiverFlightServer(flight.FlightServerBase):
    """The Flight endpoint of one Quiver process."""

    def __init__(
        self,
        location: str,
        engine: Engine,
        users: UserStore,
        *,
        tls_certificates: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        self.tokens = TokenStore()
        super().__init__(
            location,
            auth_handler=NoHandshake(),
            middleware={MIDDLEWARE: AuthMiddlewareFactory(users, self.tokens)},
            tls_certificates=tls_certificates or [],
        )
        self.engine = engine
        self._prepared: dict[bytes, Prepared] = {}
        self._running: dict[bytes, list[CancelToken]] = {}
        self._lock = threading.Lock()

    # -- who is asking ---------------------------------------------------------------------------

    def caller(self, context: flight.ServerCallContext) -> Caller:
        middleware = context.get_middleware(MIDDLEWARE)
        if middleware is None:
            raise flight.FlightUnauthenticatedError("authentication required")
        return middleware.user.caller("flight")

    def session(self, caller: Caller) -> SessionInfo:
        return SessionInfo(user=caller.user, database=self.engine.database_name, application_name="flight")

    # -- Flight RPCs -----------------------------------------------------------------------------

    def list_flights(self, context: flight.ServerCallContext, criteria: bytes) -> Iterator[flight.FlightInfo]:
        """The relations the caller may see, each with its schema, a ticket for ``SELECT *`` and what it is.

        ``criteria``, when given, is a LIKE pattern on relation names (``order%``). Each
        FlightInfo's ``app_metadata`` is JSON naming the data product, the relation's kind
        and its description, so a client can browse the product without SQL.
        """
        try:
            caller = self.caller(context)
            governance = self.engine.governance(caller)
            governance.require(META)
            wanted = metadata.like(sql_text(criteria) if criteria else None)
            product = self.engine.manifest
            infos = []
            for name, relation in sorted(governance.relations().items()):
                if not wanted(name):
                    continue
                sql = f'SELECT * FROM "{name}"'
                schema = self._relation_schema(caller, relation)
                endpoint = flight.FlightEndpoint(statement_ticket(sql), [])
                about = {
                    "data_product": product.name,
                    "model_version": product.version,
                    "relation": name,
                    "kind": relation.kind.value,
                    "description": relation.description,
                }
                infos.append(
                    flight.FlightInfo(
                        schema,
                        flight.FlightDescriptor.for_path(name),
                        [endpoint],
                        -1,
                        -1,
                        app_metadata=json.dumps(about).encode(),
                    )
                )
        except Exception as exc:
            raise to_flight(exc) from None
        yield from infos

    def get_flight_info(self, context: flight.ServerCallContext, descriptor: flight.FlightDescriptor) -> Any:
        try:
            caller = self.caller(context)
            schema, ticket = self._plan(caller, descriptor)
            return flight.FlightInfo(schema, descriptor, [flight.FlightEndpoint(ticket, [])], -1, -1)
        except Exception as exc:
            raise to_flight(exc) from None

    def get_schema(self, context: flight.ServerCallContext, descriptor: flight.FlightDescriptor) -> Any:
        try:
            return flight.SchemaResult(self._plan(self.caller(context), descriptor)[0])
        except Exception as exc:
            raise to_flight(exc) from None

    def do_get(self, context: flight.ServerCallContext, ticket: flight.Ticket) -> flight.FlightDataStream:
        try:
            caller = self.caller(context)
            command = unpack(ticket.ticket)
            if command is None:  # a plain Flight ticket: SQL text
                return self._stream(context, caller, sql_text(ticket.ticket), [[]], ticket.ticket)
            if isinstance(command, pb.TicketStatementQuery):
                sql = sql_text(command.statement_handle)
                return self._stream(context, caller, sql, [[]], ticket.ticket)
            if isinstance(command, pb.CommandPreparedStatementQuery):
                prepared = self._prepared_for(caller, command.prepared_statement_handle)
                rows = prepared.rows or [[]]
                return self._stream(context, caller, prepared.sql, rows, ticket.ticket, prepared.tree)
            return flight.RecordBatchStream(self._metadata(caller, command))
        except Exception as exc:
            raise to_flight(exc) from None

    def do_put(
        self,
        context: flight.ServerCallContext,
        descriptor: flight.FlightDescriptor,
        reader: flight.MetadataRecordBatchReader,
        writer: flight.FlightMetadataWriter,
    ) -> None:
        try:
            caller = self.caller(context)
            command = unpack(descriptor.command or b"")
            if isinstance(command, pb.CommandPreparedStatementQuery):
                prepared = self._prepared_for(caller, command.prepared_statement_handle)
                prepared.rows = self._parameter_rows(reader.read_all(), parameter_count(prepared.tree))
                return
            if isinstance(command, pb.CommandStatementUpdate | pb.CommandPreparedStatementUpdate):
                raise ReadOnlyTransaction(
                    "cannot execute an update in a read-only transaction",
                    hint="Quiver serves data products read-only.",
                )
            raise FeatureNotSupported("DoPut accepts only parameters of a prepared statement")
        except Exception as exc:
            raise to_flight(exc) from None

    def list_actions(self, context: flight.ServerCallContext) -> list[tuple[str, str]]:
        return [
            ("CreatePreparedStatement", "Prepare a SQL query (Flight SQL)."),
            ("ClosePreparedStatement", "Release a prepared statement (Flight SQL)."),
            ("CancelFlightInfo", "Cancel the queries of a FlightInfo's tickets."),
            ("CancelQuery", "Cancel a query (Flight SQL, deprecated form)."),
        ]

    def do_action(self, context: flight.ServerCallContext, action: flight.Action) -> Iterator[flight.Result]:
        try:
            caller = self.caller(context)
            body = action.body.to_pybytes() if action.body is not None else b""
            kind = action.type
            if kind == "CreatePreparedStatement":
                request = expect(body, pb.ActionCreatePreparedStatementRequest)
                results = [flight.Result(pack(self._prepare(caller, request.query)))]
            elif kind == "ClosePreparedStatement":
                request = expect(body, pb.ActionClosePreparedStatementRequest)
                with self._lock:
                    prepared = self._prepared.get(request.prepared_statement_handle)
                    if prepared is not None and prepared.user == caller.user:
                        del self._prepared[request.prepared_statement_handle]
                results = []
            elif kind == "CancelFlightInfo":
                info = _decode_length_delimited(body, 1)
                cancelled = self._cancel(info or b"")
                status = CANCEL_STATUS_CANCELLED if cancelled else CANCEL_STATUS_NOT_CANCELLABLE
                results = [flight.Result(bytes([0x08, status]))]  # CancelFlightInfoResult{status}
            elif kind == "CancelQuery":
                request = expect(body, pb.ActionCancelQueryRequest)
                cancelled = self._cancel(request.info)
                result = pb.ActionCancelQueryResult(result=1 if cancelled else 3)
                results = [flight.Result(pack(result))]
            else:
                raise FeatureNotSupported(f"Flight action {kind} is not supported")
        except Exception as exc:
            raise to_flight(exc) from None
        yield from results

    # -- statements ------------------------------------------------------------------------------

    def _plan(self, caller: Caller, descriptor: flight.FlightDescriptor) -> tuple[pa.Schema, flight.Ticket]:
        """The result schema of what ``descriptor`` asks for, and the ticket that produces it."""
        if descriptor.descriptor_type == flight.DescriptorType.PATH:
            path = [sql_text(p) if isinstance(p, bytes) else p for p in descriptor.path]
            if len(path) != 1:
                raise InvalidParameterValue("a Flight path names one relation")
            sql = f'SELECT * FROM "{path[0]}"'
            return self._describe(caller, sql), statement_ticket(sql)
        command = unpack(descriptor.command)
        if command is None or isinstance(command, pb.CommandStatementQuery):
            sql = sql_text(descriptor.command) if command is None else command.query
            return self._describe(caller, sql), statement_ticket(sql)
        if isinstance(command, pb.CommandPreparedStatementQuery):
            prepared = self._prepared_for(caller, command.prepared_statement_handle)
            if prepared.rows and parameter_count(prepared.tree):
                # Bound values can type what NULL placeholders could not (SELECT ? AS x): describe again.
                return self._describe(caller, prepared.sql, prepared.rows[0]), flight.Ticket(descriptor.command)
            return prepared.dataset_schema, flight.Ticket(descriptor.command)
        if isinstance(command, pb.CommandStatementUpdate | pb.CommandPreparedStatementUpdate):
            raise ReadOnlyTransaction("cannot execute an update in a read-only transaction")
        return self._metadata(caller, command).schema, flight.Ticket(descriptor.command)

    def _tree(self, sql: str) -> exp.Expression:
        return parse_statement(qmark_to_dollar(sql))

    def _describe(self, caller: Caller, sql: str, values: tuple[Any, ...] | list[Any] = ()) -> pa.Schema:
        tree = self._tree(sql)
        count = parameter_count(tree)
        bound = bind(tree, list(values) or [None] * count) if count else tree
        immediate = self.engine.immediate(bound)
        if immediate is not None:
            return plain(immediate.schema)
        return plain(self.engine.describe(bound, caller, self.session(caller), cache_key=plan_key(sql, count, values)))

    def _stream(
        self,
        context: flight.ServerCallContext,
        caller: Caller,
        sql: str,
        rows: list[list[Any]],
        ticket: bytes,
        tree: exp.Expression | None = None,
    ) -> flight.FlightDataStream:
        """The result of ``sql`` run once per parameter row (``[[]]``: once, unbound), in row order.

        The first execution starts here, so its errors reach the client as the DoGet's
        error and its schema is the stream's; later rows run as the stream is read.
        """
        result, token = self._start(caller, sql, rows[0], ticket, tree)
        schema = plain(result.schema)

        def each_row() -> Iterator[pa.RecordBatch]:
            yield from self._batches(context, result, schema, ticket, token)
            for values in rows[1:]:
                if context.is_cancelled():
                    return
                try:
                    following, following_token = self._start(caller, sql, values, ticket, tree)
                except QuiverError as exc:
                    raise to_flight(exc) from None
                yield from self._batches(context, following, schema, ticket, following_token)

        return flight.GeneratorStream(schema, each_row())

    def _start(
        self, caller: Caller, sql: str, values: tuple[Any, ...] | list[Any], ticket: bytes, tree: exp.Expression | None
    ) -> tuple[Any, CancelToken]:
        """Run ``sql`` with ``values`` bound, registered under ``ticket`` so CancelFlightInfo reaches it."""
        tree = tree if tree is not None else self._tree(sql)
        count = parameter_count(tree)
        if count and len(values) < count:
            raise InvalidParameterValue(f"the statement needs {count} parameter(s); bind them with DoPut first")
        bound = bind(tree, list(values)) if count else tree
        token = CancelToken()
        self._register(ticket, token)
        try:
            result = self.engine.run(
                bound, caller, self.session(caller), token=token, cache_key=plan_key(sql, count, values)
            )
        except BaseException:
            self._unregister(ticket, token)
            raise
        return result, token

    def _batches(
        self, context: flight.ServerCallContext, result: Any, schema: pa.Schema, ticket: bytes, token: CancelToken
    ) -> Iterator[pa.RecordBatch]:
        """The result's batches as the engine produces them; a cancelled call stops the engine query."""
        try:
            for batch in result.batches():
                if context.is_cancelled():
                    result.cancel()
                    break
                columns = batch.columns
                if batch.schema.types != schema.types:  # a later parameter row may type a column differently
                    columns = [c.cast(t) for c, t in zip(columns, schema.types, strict=True)]
                yield from within_message_size(pa.RecordBatch.from_arrays(columns, schema=schema))
        except QuiverError as exc:
            raise to_flight(exc) from None
        finally:
            result.close()
            self._unregister(ticket, token)

    def _register(self, ticket: bytes, token: CancelToken) -> None:
        with self._lock:
            self._running.setdefault(ticket, []).append(token)

    def _unregister(self, ticket: bytes, token: CancelToken) -> None:
        with self._lock:
            tokens = self._running.get(ticket, [])
            if token in tokens:
                tokens.remove(token)
            if not tokens:
                self._running.pop(ticket, None)

    def _cancel(self, serialized_info: bytes) -> bool:
        """Cancel every running query of the tickets in a serialised FlightInfo."""
        try:
            info = flight.FlightInfo.deserialize(serialized_info)
        except Exception:
            raise ProtocolViolation("CancelFlightInfo: the request does not hold a FlightInfo") from None
        cancelled = False
        for endpoint in info.endpoints:
            with self._lock:
                tokens = list(self._running.get(endpoint.ticket.ticket, []))
            for token in tokens:
                token.cancel()
                cancelled = True
        return cancelled

    # -- prepared statements -----------------------------------------------------------------------

    def _prepare(self, caller: Caller, sql: str) -> pb.ActionCreatePreparedStatementResult:
        tree = self._tree(sql)
        count = parameter_count(tree)
        types = infer_types(tree, [], self.engine.column_type_lookup(caller)) if count else []
        names = {t.oid: t.name for t in BY_NAME.values()}
        parameter_schema = pa.schema(
            [
                pa.field(f"${i}", _PARAMETER_TYPES.get(names.get(oid, "text"), pa.utf8()))
                for i, oid in enumerate(types, 1)
            ]
        )
        dataset_schema = self._describe(caller, sql)
        handle = secrets.token_bytes(16)
        with self._lock:
            now = time.monotonic()
            self._prepared = {h: p for h, p in self._prepared.items() if now - p.used < PREPARED_LIFETIME}
            self._prepared[handle] = Prepared(caller.user, sql, tree, parameter_schema, dataset_schema)
        return pb.ActionCreatePreparedStatementResult(
            prepared_statement_handle=handle,
            dataset_schema=dataset_schema.serialize().to_pybytes(),
            parameter_schema=parameter_schema.serialize().to_pybytes(),
        )

    def _prepared_for(self, caller: Caller, handle: bytes) -> Prepared:
        with self._lock:
            prepared = self._prepared.get(handle)
        if prepared is None or prepared.user != caller.user:
            raise InvalidParameterValue("prepared statement does not exist (closed, expired, or another user's)")
        prepared.used = time.monotonic()
        return prepared

    @staticmethod
    def _parameter_rows(table: pa.Table, count: int) -> list[list[Any]]:
        if table.num_rows and table.num_columns < count:
            raise InvalidParameterValue(f"the statement needs {count} parameter(s), {table.num_columns} were bound")
        columns = [column.to_pylist() for column in table.columns]
        return [list(row) for row in zip(*columns, strict=True)] if columns else []

    # -- metadata --------------------------------------------------------------------------------

    def _relation_schema(self, caller: Caller, relation: Relation) -> pa.Schema:
        """What ``SELECT *`` returns, known to callers with the ``meta`` scope alone (no data is read)."""
        del caller  # ``relation`` is already the caller's, with only the members it may see
        return self.engine.relation_schema(relation)

    def _metadata(self, caller: Caller, command: Message) -> pa.Table:
        governance = self.engine.governance(caller)
        governance.require(META)
        relations = governance.relations()
        database = self.engine.database_name
        answers: dict[type, Callable[[], pa.Table]] = {
            pb.CommandGetCatalogs: lambda: metadata.catalogs(database),
            pb.CommandGetDbSchemas: lambda: metadata.db_schemas(
                database, _optional(command, "catalog"), _optional(command, "db_schema_filter_pattern")
            ),
            pb.CommandGetTables: lambda: metadata.tables(
                database,
                relations,
                catalog=_optional(command, "catalog"),
                schema_pattern=_optional(command, "db_schema_filter_pattern"),
                table_pattern=_optional(command, "table_name_filter_pattern"),
                table_types=list(command.table_types),  # type: ignore[attr-defined]
                arrow_schema=(lambda r: self._relation_schema(caller, r))
                if command.include_schema  # type: ignore[attr-defined]
                else None,
            ),
            pb.CommandGetTableTypes: metadata.table_types,
            pb.CommandGetPrimaryKeys: lambda: metadata.primary_keys(
                database,
                relations,
                _optional(command, "catalog"),
                _optional(command, "db_schema"),
                command.table,  # type: ignore[attr-defined]
            ),
            pb.CommandGetImportedKeys: metadata.no_keys,
            pb.CommandGetExportedKeys: metadata.no_keys,
            pb.CommandGetCrossReference: metadata.no_keys,
            pb.CommandGetXdbcTypeInfo: lambda: metadata.xdbc_type_info(_optional(command, "data_type")),
            pb.CommandGetSqlInfo: lambda: metadata.sql_info(self.sql_info(), command.info),  # type: ignore[attr-defined]
        }
        answer = answers.get(type(command))
        if answer is None:
            raise FeatureNotSupported(f"Flight SQL command {type(command).__name__} is not supported")
        return answer()

    def sql_info(self) -> dict[int, Any]:
        return {
            pb.FLIGHT_SQL_SERVER_NAME: "Quiver",
            pb.FLIGHT_SQL_SERVER_VERSION: _version(),
            pb.FLIGHT_SQL_SERVER_ARROW_VERSION: pa.__version__,
            pb.FLIGHT_SQL_SERVER_READ_ONLY: True,
            pb.FLIGHT_SQL_SERVER_SQL: True,
            pb.FLIGHT_SQL_SERVER_SUBSTRAIT: False,
            pb.FLIGHT_SQL_SERVER_CANCEL: True,
            pb.SQL_DDL_CATALOG: False,
            pb.SQL_DDL_SCHEMA: False,
            pb.SQL_DDL_TABLE: False,
            pb.SQL_IDENTIFIER_QUOTE_CHAR: '"',
            pb.SQL_KEYWORDS: ["MEASURE"],
        }


def _optional(message: Message, name: str) -> Any:
    return getattr(message, name) if message.HasField(name) else None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quiver")
    except PackageNotFoundError:
        return "0"

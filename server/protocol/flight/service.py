"""Arrow Flight and Flight SQL over the same engine, policies and audit as the PostgreSQL wire server.

Two dialects of one service:

* **plain Flight**: a command descriptor holding SQL text (or a path naming a
  relation) → ``GetFlightInfo`` → ``DoGet`` on its ticket; ``ListFlights`` lists
  the relations the caller may see;
* **Flight SQL**: descriptors and tickets holding ``google.protobuf.Any``-packed
  messages of FlightSql.proto (statements, prepared statements with parameters
  bound by ``DoPut``, the metadata commands), as ADBC and JDBC drivers send them.

Results stream as the engine produces them (``GeneratorStream``); a client that
disconnects, even while the engine is still computing the first batch, or that
cancels (``CancelFlightInfo``, only its own queries) stops the engine query.

Every handle is owned. A statement ticket carries its SQL signed by this server
process, bound to the identity that got it and expiring (:mod:`tickets`), so no
state waits on the server for a DoGet that may never come, and a ticket passed
to someone else runs nothing. The state kept between calls (:mod:`state`) is
bounded: prepared statements (per user, swept when idle) and the streams being
sent. No handler lets an exception reach pyarrow unconverted (:func:`errors.rpc`):
pyarrow would send its traceback.
"""

from __future__ import annotations

import collections
import json
import threading
import time
import weakref
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
    InvalidAuthorization,
    InvalidParameterValue,
    ProgramLimitExceeded,
    ProtocolViolation,
    QuiverError,
    ReadOnlyTransaction,
)
from server.execution.executor import TableResult
from server.policy.groups import META
from server.policy.identity import Caller
from server.policy.users import UserStore
from server.protocol.flight import messages as pb
from server.protocol.flight import metadata
from server.protocol.flight.auth import MIDDLEWARE, AuthMiddlewareFactory, CallerMiddleware, NoHandshake, TokenStore
from server.protocol.flight.errors import rpc, schema_rpc, to_flight
from server.protocol.flight.state import DEFAULT_MAX_PREPARED, CallWatch, PreparedStatements, RunningQueries
from server.protocol.flight.tickets import DEFAULT_LIFETIME, TicketSigner
from server.semantic.model import Relation
from server.sql.pg_types import BY_NAME
from server.sql.session_info import SessionInfo
from server.statement.route import Route
from server.statement.service import FixedSession, Statement, StatementService
from server.statement.text import numbered_parameters

TYPE_PREFIX = "type.googleapis.com/arrow.flight.protocol.sql."
M = TypeVar("M", bound=Message)
PREPARED_LIFETIME = 3600.0  # seconds a prepared statement may stay unused before it is dropped
# The largest record batch sent as one Flight message. gRPC clients refuse bigger messages by
# default (grpc-go and grpc-java: 4 MiB; the ADBC driver raises its limit to 16 MiB), and an engine
# batch of wide text rows easily exceeds that, so batches are cut into slices under this size.
MAX_MESSAGE_BYTES = 3 * 1024 * 1024
# Parameters bound to one prepared statement by DoPut are kept until it is closed, so they are
# capped (each row is one execution: 4 MiB is hundreds of thousands of rows).
MAX_PARAMETER_BYTES = 4 * 1024 * 1024
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
    """A prepared statement: its owner, the service's statement, its schemas, and the bound values.

    Each row of ``parameters`` (bound by DoPut, kept as Arrow) is one execution; a query
    bound with several rows answers with their results one after the other (the Flight
    SQL specification leaves the choice to the server; this is what a client's
    ``executemany`` expects).
    """

    user: str
    statement: Statement
    parameter_schema: pa.Schema
    dataset_schema: pa.Schema
    parameters: pa.Table | None = None
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
    data: bytes = packed.SerializeToString()  # protobuf is untyped here
    return data


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


def relation_sql(name: str) -> str:
    """``SELECT *`` from the relation ``name``, which is one quoted identifier whatever it holds.

    Built as a tree, so a name such as ``orders" LIMIT 1 --`` or ``orders; SELECT 1`` names
    a relation that does not exist (42P01) instead of adding SQL.
    """
    table = exp.Table(this=exp.to_identifier(name, quoted=True))
    return exp.select(exp.Star()).from_(table).sql(dialect="postgres")


def path_relation(path: list[bytes | str]) -> str:
    """The relation a path descriptor names: exactly one non-empty UTF-8 element."""
    if len(path) != 1:
        raise InvalidParameterValue("a Flight path names one relation", hint='For example ["orders"].')
    name = sql_text(path[0]) if isinstance(path[0], bytes) else path[0]
    if not name:
        raise InvalidParameterValue("a Flight path names one relation; this one is empty")
    return name


def plain(schema: pa.Schema) -> pa.Schema:
    """``schema`` without field metadata (the catalog's PostgreSQL type annotations mean nothing to Flight)."""
    return pa.schema([f.remove_metadata() for f in schema])


def parameter_rows(table: pa.Table | None) -> Iterator[list[Any]]:
    """Each bound row as Python values, converted a chunk at a time; one empty row when nothing is bound."""
    if table is None or not table.num_rows or not table.num_columns:
        yield []
        return
    for batch in table.to_batches(max_chunksize=1024):
        columns = [column.to_pylist() for column in batch.columns]
        yield from (list(row) for row in zip(*columns, strict=True))


def read_parameters(reader: flight.MetadataRecordBatchReader) -> pa.Table:
    """The parameter rows a client sends by DoPut, at most :data:`MAX_PARAMETER_BYTES` of them."""
    batches, size = [], 0
    try:
        for chunk in reader:
            if chunk.data is None:
                continue
            size += chunk.data.nbytes
            if size > MAX_PARAMETER_BYTES:
                raise ProgramLimitExceeded(
                    f"the bound parameters exceed {MAX_PARAMETER_BYTES:,} bytes",
                    hint="Bind fewer rows at a time.",
                )
            batches.append(chunk.data)
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except (pa.ArrowException, flight.FlightError):
        raise ProtocolViolation("DoPut: the parameters are not a valid Arrow stream") from None
    return table


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
        if i >= len(data):
            raise ProtocolViolation("truncated protobuf message")
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
        ticket_lifetime: float = DEFAULT_LIFETIME,
        max_prepared: int = DEFAULT_MAX_PREPARED,
    ) -> None:
        self.tokens = TokenStore()
        super().__init__(
            location,
            auth_handler=NoHandshake(),
            middleware={MIDDLEWARE: AuthMiddlewareFactory(users, self.tokens)},
            tls_certificates=tls_certificates or [],
        )
        self.engine = engine
        self.statements = StatementService(engine)
        self.tickets = TicketSigner(ticket_lifetime)
        self.prepared: PreparedStatements[Prepared] = PreparedStatements(max_prepared, PREPARED_LIFETIME)
        self.running = RunningQueries()
        self.watch = CallWatch(every=self.prepared.sweep)

    def shutdown(self) -> None:
        self.watch.stop()
        super().shutdown()

    # -- who is asking ---------------------------------------------------------------------------

    def caller(self, context: flight.ServerCallContext) -> Caller:
        # pyarrow is untyped; what is registered under MIDDLEWARE is our factory's CallerMiddleware.
        middleware: CallerMiddleware | None = context.get_middleware(MIDDLEWARE)
        if middleware is None:
            raise InvalidAuthorization("authentication required")
        return middleware.user.caller("flight")

    def session(self, caller: Caller) -> FixedSession:
        return FixedSession(
            SessionInfo(user=caller.user, database=self.engine.database_name, application_name="flight")
        )

    def prepare(self, caller: Caller, sql: str) -> Statement:
        """``sql`` (``?`` or ``$n`` placeholders) prepared by the statement service for ``caller``."""
        return self.statements.prepare(numbered_parameters(sql), caller, self.session(caller))

    def statement_ticket(self, caller: Caller, sql: str) -> flight.Ticket:
        """A Flight SQL statement ticket: ``sql`` signed for ``caller`` (see :mod:`tickets`)."""
        return flight.Ticket(pack(pb.TicketStatementQuery(statement_handle=self.tickets.issue(caller, sql))))

    # -- Flight RPCs -----------------------------------------------------------------------------

    @rpc
    def list_flights(self, context: flight.ServerCallContext, criteria: bytes) -> list[flight.FlightInfo]:
        """The relations the caller may see, each with its schema, a ticket for ``SELECT *`` and what it is.

        ``criteria``, when given, is a LIKE pattern on relation names (``order%``). Each
        FlightInfo's ``app_metadata`` is JSON naming the data product, the relation's kind
        and its description, so a client can browse the product without SQL.
        """
        caller = self.caller(context)
        governance = self.engine.governance(caller)
        governance.require(META)
        wanted = metadata.like(sql_text(criteria) if criteria else None)
        product = self.engine.manifest
        infos = []
        for name, relation in sorted(governance.relations().items()):
            if not wanted(name):
                continue
            schema = self._relation_schema(caller, relation)
            endpoint = flight.FlightEndpoint(self.statement_ticket(caller, relation_sql(name)), [])
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
        return infos

    @rpc
    def get_flight_info(self, context: flight.ServerCallContext, descriptor: flight.FlightDescriptor) -> Any:
        caller = self.caller(context)
        schema, ticket = self._plan(caller, descriptor)
        return flight.FlightInfo(schema, descriptor, [flight.FlightEndpoint(ticket, [])], -1, -1)

    @schema_rpc
    def get_schema(self, context: flight.ServerCallContext, descriptor: flight.FlightDescriptor) -> Any:
        return flight.SchemaResult(self._plan(self.caller(context), descriptor)[0])

    @rpc
    def do_get(self, context: flight.ServerCallContext, ticket: flight.Ticket) -> flight.FlightDataStream:
        caller = self.caller(context)
        raw = ticket.ticket
        command = unpack(raw)
        if command is None:  # plain Flight's own form: SQL text, run as whoever sends it
            return self._statement_stream(context, caller, sql_text(raw), raw)
        if isinstance(command, pb.TicketStatementQuery):
            sql = self.tickets.open(caller, command.statement_handle)
            return self._statement_stream(context, caller, sql, raw)
        if isinstance(command, pb.CommandPreparedStatementQuery):
            prepared = self.prepared.get(caller.user, command.prepared_statement_handle)
            statement = prepared.statement
            if statement.parameter_count:
                rows = parameter_rows(prepared.parameters)
                return self._stream(context, caller, statement.text, rows, raw, statement)
            return self._statement_stream(context, caller, statement.text, raw, statement)
        return flight.RecordBatchStream(self._metadata(caller, command))

    @rpc
    def do_put(
        self,
        context: flight.ServerCallContext,
        descriptor: flight.FlightDescriptor,
        reader: flight.MetadataRecordBatchReader,
        writer: flight.FlightMetadataWriter,
    ) -> None:
        caller = self.caller(context)
        command = unpack(descriptor.command or b"")
        if isinstance(command, pb.CommandPreparedStatementQuery):
            prepared = self.prepared.get(caller.user, command.prepared_statement_handle)
            parameters = read_parameters(reader)
            if parameters.num_rows and parameters.num_columns < prepared.statement.parameter_count:
                self.statements.check_count(prepared.statement, parameters.num_columns)
            prepared.parameters = parameters
            return
        if isinstance(command, pb.CommandStatementUpdate | pb.CommandPreparedStatementUpdate):
            raise ReadOnlyTransaction(
                "cannot execute an update in a read-only transaction",
                hint="Quiver serves data products read-only.",
            )
        raise FeatureNotSupported("DoPut accepts only parameters of a prepared statement")

    @rpc
    def do_exchange(
        self,
        context: flight.ServerCallContext,
        descriptor: flight.FlightDescriptor,
        reader: flight.MetadataRecordBatchReader,
        writer: flight.MetadataRecordBatchWriter,
    ) -> None:
        raise FeatureNotSupported("DoExchange is not supported", hint="Queries are read with GetFlightInfo and DoGet.")

    @rpc
    def list_actions(self, context: flight.ServerCallContext) -> list[tuple[str, str]]:
        return [
            ("CreatePreparedStatement", "Prepare a SQL query (Flight SQL)."),
            ("ClosePreparedStatement", "Release a prepared statement (Flight SQL)."),
            ("CancelFlightInfo", "Cancel the caller's queries of a FlightInfo's tickets."),
            ("CancelQuery", "Cancel a query (Flight SQL, deprecated form)."),
        ]

    @rpc
    def do_action(self, context: flight.ServerCallContext, action: flight.Action) -> list[flight.Result]:
        caller = self.caller(context)
        body = action.body.to_pybytes() if action.body is not None else b""
        kind = action.type
        if kind == "CreatePreparedStatement":
            request = expect(body, pb.ActionCreatePreparedStatementRequest)
            return [flight.Result(pack(self._prepare(caller, request.query)))]
        if kind == "ClosePreparedStatement":
            request = expect(body, pb.ActionClosePreparedStatementRequest)
            self.prepared.close(caller.user, request.prepared_statement_handle)
            return []
        if kind == "CancelFlightInfo":
            info = _decode_length_delimited(body, 1)
            cancelled = self._cancel(caller, info or b"")
            status = CANCEL_STATUS_CANCELLED if cancelled else CANCEL_STATUS_NOT_CANCELLABLE
            return [flight.Result(bytes([0x08, status]))]  # CancelFlightInfoResult{status}
        if kind == "CancelQuery":
            request = expect(body, pb.ActionCancelQueryRequest)
            cancelled = self._cancel(caller, request.info)
            return [flight.Result(pack(pb.ActionCancelQueryResult(result=1 if cancelled else 3)))]
        raise FeatureNotSupported(f"Flight action {kind} is not supported")

    # -- statements ------------------------------------------------------------------------------

    def _plan(self, caller: Caller, descriptor: flight.FlightDescriptor) -> tuple[pa.Schema, flight.Ticket]:
        """The result schema of what ``descriptor`` asks for, and the ticket that produces it."""
        if descriptor.descriptor_type == flight.DescriptorType.PATH:
            sql = relation_sql(path_relation(descriptor.path))
            return self._describe(caller, sql), self.statement_ticket(caller, sql)
        command = unpack(descriptor.command)
        if command is None or isinstance(command, pb.CommandStatementQuery):
            sql = sql_text(descriptor.command) if command is None else command.query
            return self._describe(caller, sql), self.statement_ticket(caller, sql)
        if isinstance(command, pb.CommandPreparedStatementQuery):
            prepared = self.prepared.get(caller.user, command.prepared_statement_handle)
            bound = prepared.parameters
            statement = prepared.statement
            if bound is not None and bound.num_rows and statement.parameter_count:
                # Bound values can type what NULL placeholders could not (SELECT ? AS x): describe again.
                portal = self.statements.bind(statement, _values(statement, next(parameter_rows(bound))))
                return plain(self.statements.describe_portal(portal).schema), flight.Ticket(descriptor.command)
            return prepared.dataset_schema, flight.Ticket(descriptor.command)
        if isinstance(command, pb.CommandStatementUpdate | pb.CommandPreparedStatementUpdate):
            raise ReadOnlyTransaction("cannot execute an update in a read-only transaction")
        return self._metadata(caller, command).schema, flight.Ticket(descriptor.command)

    def _describe(self, caller: Caller, sql: str) -> pa.Schema:
        description = self.statements.describe(self.prepare(caller, sql))
        assert description is not None  # Flight prepares queries only
        return plain(description.schema)

    def _statement_stream(
        self,
        context: flight.ServerCallContext,
        caller: Caller,
        sql: str,
        ticket: bytes,
        statement: Statement | None = None,
    ) -> flight.FlightDataStream:
        """The result of one statement without parameters; a constant is sent whole, from C++."""
        statement = statement if statement is not None else self.prepare(caller, sql)
        if statement.route is Route.CONSTANT:
            # No engine work to watch or cancel, and no Python generator to call back per batch.
            table = self.statements.run(self.statements.bind(statement, [])).read_all()
            return flight.RecordBatchStream(table)
        return self._stream(context, caller, sql, parameter_rows(None), ticket, statement)

    def _stream(
        self,
        context: flight.ServerCallContext,
        caller: Caller,
        sql: str,
        rows: Iterator[list[Any]],
        ticket: bytes,
        statement: Statement | None = None,
    ) -> flight.FlightDataStream:
        """The result of ``sql`` run once per parameter row, in row order (see :class:`QueryStream`)."""
        stream = QueryStream(self, context, caller, sql, rows, ticket, statement)
        return flight.GeneratorStream(stream.schema, stream)

    def run(
        self,
        context: flight.ServerCallContext,
        caller: Caller,
        sql: str,
        values: list[Any],
        statement: Statement | None,
        token: CancelToken,
    ) -> Any:
        """Start ``sql`` with ``values`` bound; a client that disconnects meanwhile cancels it."""
        statement = statement if statement is not None else self.prepare(caller, sql)
        portal = self.statements.bind(statement, _values(statement, values), token)
        if portal.route is Route.CONSTANT:
            return self.statements.run(portal)  # answered at once: nothing to stop if the client goes
        with self.watch.waiting(context, token):
            return self.statements.run(portal)

    def _cancel(self, caller: Caller, serialized_info: bytes) -> bool:
        """Cancel the caller's running queries of the tickets in a serialised FlightInfo.

        Another user's statement ticket is refused (42501), a forged one 28000; any other
        ticket finds only streams the caller itself started from it.
        """
        try:
            info = flight.FlightInfo.deserialize(serialized_info)
        except Exception:
            raise ProtocolViolation("CancelFlightInfo: the request does not hold a FlightInfo") from None
        cancelled = 0
        for endpoint in info.endpoints:
            ticket = endpoint.ticket.ticket
            try:
                command = unpack(ticket)
            except QuiverError:
                command = None
            if isinstance(command, pb.TicketStatementQuery):
                self.tickets.open(caller, command.statement_handle, check_expiry=False)
            cancelled += self.running.cancel(caller.user, ticket)
        return cancelled > 0

    # -- prepared statements -----------------------------------------------------------------------

    def _prepare(self, caller: Caller, sql: str) -> Message:
        self.prepared.check_room(caller.user)  # refused before any work when the user has no slot left
        statement = self.prepare(caller, sql)
        types = statement.parameter_types
        names = {t.oid: t.name for t in BY_NAME.values()}
        parameter_schema = pa.schema(
            [
                pa.field(f"${i}", _PARAMETER_TYPES.get(names.get(oid, "text"), pa.utf8()))
                for i, oid in enumerate(types, 1)
            ]
        )
        description = self.statements.describe(statement)
        assert description is not None  # Flight prepares queries only
        dataset_schema = plain(description.schema)
        handle = self.prepared.add(Prepared(caller.user, statement, parameter_schema, dataset_schema))
        return pb.ActionCreatePreparedStatementResult(
            prepared_statement_handle=handle,
            dataset_schema=dataset_schema.serialize().to_pybytes(),
            parameter_schema=parameter_schema.serialize().to_pybytes(),
        )

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
                table_types=list(command.table_types),
                arrow_schema=(lambda r: self._relation_schema(caller, r)) if command.include_schema else None,
            ),
            pb.CommandGetTableTypes: metadata.table_types,
            pb.CommandGetPrimaryKeys: lambda: metadata.primary_keys(
                database,
                relations,
                _optional(command, "catalog"),
                _optional(command, "db_schema"),
                command.table,
            ),
            pb.CommandGetImportedKeys: metadata.no_keys,
            pb.CommandGetExportedKeys: metadata.no_keys,
            pb.CommandGetCrossReference: metadata.no_keys,
            pb.CommandGetXdbcTypeInfo: lambda: metadata.xdbc_type_info(_optional(command, "data_type")),
            pb.CommandGetSqlInfo: lambda: metadata.sql_info(self.sql_info(), command.info),
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


def _values(statement: Statement, row: list[Any]) -> list[Any]:
    """A bound row cut to the statement's parameters (a client may bind extra columns; they are unused)."""
    count = statement.parameter_count
    return row[:count] if len(row) > count else row


def _optional(message: Message, name: str) -> Any:
    return getattr(message, name) if message.HasField(name) else None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quiver")
    except PackageNotFoundError:
        return "0"


class _Release:
    """What one stream holds until it ends, however it ends: its engine result and its registry entry.

    Kept apart from :class:`QueryStream` so a finalizer can run it when pyarrow drops a
    stream it never read (the client went away before the first batch was asked for).
    """

    def __init__(self, running: RunningQueries, user: str, ticket: bytes, token: CancelToken) -> None:
        self.running = running
        self.user = user
        self.ticket = ticket
        self.token = token
        self.result: Any = None
        self.registered = True
        self._lock = threading.Lock()

    def result_done(self) -> None:
        with self._lock:
            result, self.result = self.result, None
        if result is not None:
            result.close()

    def __call__(self) -> None:
        self.result_done()
        with self._lock:
            registered, self.registered = self.registered, False
        if registered:
            self.running.remove(self.user, self.ticket, self.token)


class QueryStream:
    """The record batches of one DoGet, in the order pyarrow's ``GeneratorStream`` asks for them.

    The statement runs once per parameter row. The first execution starts in the
    constructor, inside DoGet, so its errors are DoGet's and its schema is the stream's;
    later rows start as the stream is read. While the engine works (starting a query,
    producing a batch) the call is in :class:`CallWatch`, so a client that disconnects
    stops the engine within a poll. The stream is registered under (owner, ticket) for
    CancelFlightInfo until it ends; every error leaves through :func:`to_flight`.
    """

    def __init__(
        self,
        server: QuiverFlightServer,
        context: flight.ServerCallContext,
        caller: Caller,
        sql: str,
        rows: Iterator[list[Any]],
        ticket: bytes,
        statement: Statement | None,
    ) -> None:
        self._server = server
        self._context = context
        self._caller = caller
        self._sql = sql
        self._statement = statement
        self._rows = rows
        self._pending: collections.deque[pa.RecordBatch] = collections.deque()
        self._batches: Iterator[pa.RecordBatch] | None = None
        self._immediate = False
        self.token = CancelToken()
        self._release = _Release(server.running, caller.user, ticket, self.token)
        server.running.add(caller.user, ticket, self.token)
        weakref.finalize(self, self._release)
        try:
            first, _ = self._open(next(self._rows))
        except BaseException:
            self._release()
            raise
        self.schema = plain(first.schema)

    def __iter__(self) -> QueryStream:
        return self

    def __next__(self) -> pa.RecordBatch:
        try:
            return self._next()
        except StopIteration:
            self._release()
            raise
        except Exception as exc:
            self._release()
            raise to_flight(exc) from None

    def _open(self, values: list[Any]) -> tuple[Any, Iterator[pa.RecordBatch]]:
        """Start one execution (``values`` bound); its result is released when the stream ends."""
        result = self._server.run(self._context, self._caller, self._sql, values, self._statement, self.token)
        self._immediate = isinstance(result, TableResult)
        batches = iter(result.batches())
        self._release.result, self._batches = result, batches
        return result, batches

    def _next(self) -> pa.RecordBatch:
        while not self._pending:
            if self._context.is_cancelled():  # the client is gone: stop, there is no one to tell
                self.token.cancel()
                raise StopIteration
            # The next parameter row's execution, if any (StopIteration after the last one ends the stream).
            batches = self._batches if self._batches is not None else self._open(next(self._rows))[1]
            if self._immediate:
                batch = next(batches, None)  # already computed: no engine work to stop
            else:
                with self._server.watch.waiting(self._context, self.token):
                    batch = next(batches, None)
            if batch is None:
                self._release.result_done()
                self._batches = None
                continue
            columns = batch.columns
            if batch.schema.types != self.schema.types:  # a later parameter row may type a column differently
                columns = [c.cast(t) for c, t in zip(columns, self.schema.types, strict=True)]
            self._pending.extend(within_message_size(pa.RecordBatch.from_arrays(columns, schema=self.schema)))
        return self._pending.popleft()

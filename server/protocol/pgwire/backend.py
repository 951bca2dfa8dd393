"""One client connection's asyncio side: it moves bytes, runs tasks and keeps the timers.

The protocol itself is sans-IO: :class:`PgConnection` turns the bytes read here
into messages (refusing those not allowed in the connection's state) and the
replies into bytes; :class:`Handshake` drives start-up and authentication;
:class:`RunningResult` reads results ahead and encodes them. The backend reads
from its transport, hands each message to the handler the ``_DISPATCH`` table
names for its type, and writes what comes back, batch by batch with the
transport's back-pressure, so memory does not grow with result size. It keeps
the timers: the authentication deadline, the idle timeout, and the poll that
cancels a running statement whose client went away.

Blocking work (compiling, running and encoding a batch) runs on worker
threads, so one slow query never stalls the other connections of the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pyarrow as pa

from connectors.base import CancelToken
from server.errors import (
    AdminShutdown,
    FeatureNotSupported,
    IdleSessionTimeout,
    InvalidCursorName,
    NoActiveTransaction,
    ProtocolViolation,
    QueryCanceled,
    QuiverError,
    SqlSyntaxError,
)
from server.observability.internal import unexpected_error
from server.protocol.pgwire import messages as m
from server.protocol.pgwire.connection import PgConnection
from server.protocol.pgwire.context import ServerContext
from server.protocol.pgwire.copy import CopyEncoder
from server.protocol.pgwire.handshake import Handshake
from server.protocol.pgwire.params import decode as decode_param
from server.protocol.pgwire.streaming import RunningResult as _Running
from server.protocol.pgwire.types import ResultEncoder, TextContext
from server.session import temporary
from server.session.session import Portal, PreparedStatement, Session
from server.sql import commands as c
from server.sql.oids import relation_oid
from server.statement import Route, Statement
from server.statement.origins import ColumnOrigin
from server.statement.service import Portal as BoundPortal
from server.statement.text import Piece, route_piece, split, split_and_route

log = logging.getLogger("quiver.pgwire")

FLUSH_BYTES = 256 * 1024  # write to the socket once this much is buffered
DISCONNECT_POLL_SECONDS = 0.25  # how often a running query checks that its client is still there
CLOSE_SECONDS = 2.0  # longest wait for a client to take a last message before its connection is aborted
STARTUP_DRAIN_SECONDS = 1.0  # at shutdown, how long a connection still in start-up gets to be told so


class Backend:
    """One connection: reads, dispatches each message to its handler, writes; owns the connection's timers."""

    def __init__(self, context: ServerContext, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.context = context
        self.reader = reader
        self.writer = writer
        self.conn = PgConnection(context.max_message_size)
        self.out: list[bytes] = []
        self.out_size = 0
        self.secret = secrets.randbits(31)
        self.session: Session | None = None
        self.token: CancelToken | None = None  # the running statement's, while one runs or streams
        peer = _peer_host(writer)
        self.address = peer or ""
        self.handshake = Handshake(context.auth_method, context.users, context.database, context.throttle, peer)
        self.admitted = False  # counted among the connections not yet authenticated
        self.task: asyncio.Task[None] | None = None
        self.idle = False  # waiting for the client's next message

    # -- output -----------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        if data:
            self.out.append(data)
            self.out_size += len(data)

    async def flush(self) -> None:
        if self.out:
            self.writer.write(b"".join(self.out))
            self.out.clear()
            self.out_size = 0
        await self.writer.drain()

    async def maybe_flush(self) -> None:
        if self.out_size >= FLUSH_BYTES:
            await self.flush()

    def send_error(self, error: QuiverError, offset: int = 0) -> None:
        """An ErrorResponse through the protocol state (in an extended batch it starts the skip to Sync)."""
        self.send(self.conn.error(error, offset))

    # -- lifecycle --------------------------------------------------------------------------------

    async def run(self) -> None:
        self.task = asyncio.current_task()
        self.context.live.add(self)
        try:
            self.context.admit(self.address)  # 53300 at once over the caps on unauthenticated connections
            self.admitted = True
            await self._serve()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # The drain ended it: idle at SIGTERM, or still running when the grace period was over.
            if self.task is not None:
                self.task.uncancel()  # handled here: the last words below may still await
            if self.context.draining:
                await self._last_words(_shutdown_error())
        except QuiverError as error:  # FATAL: protocol violation, failed authentication, limits
            await self._last_words(error)
        except Exception:
            await self._last_words(_internal_error())
        finally:
            await self._close()

    async def _last_words(self, error: QuiverError) -> None:
        """Send what is pending and a FATAL error, waiting a bounded time for a client that does not read."""
        error.severity = "FATAL"
        with contextlib.suppress(Exception):
            self.send_error(error)
            self.writer.write(b"".join(self.out))
            self.out.clear()
            await asyncio.wait_for(self.writer.drain(), CLOSE_SECONDS)

    async def _close(self) -> None:
        try:
            self._authenticated_or_gone()
            self.context.backends.pop(self.secret, None)
            if self.session is not None:
                self.session.close_all()
            self.conn.close()
            await self._close_socket()
        finally:
            self.context.live.discard(self)  # last: a drain waits until the socket is closed

    async def _close_socket(self) -> None:
        """Close without losing the last message.

        Closing a socket that still has unread client bytes (a query sent after the
        server decided to end the session) makes the kernel send a reset, and a reset
        can destroy the FATAL message the client has not read yet. So the server first
        ends its side, then reads and drops what the client still sends until it
        closes too, for at most ``CLOSE_SECONDS``.
        """
        try:
            if self.writer.can_write_eof() and not self.writer.is_closing():
                self.writer.write_eof()
                async with asyncio.timeout(CLOSE_SECONDS):
                    while await self.reader.read(65536):
                        pass
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), CLOSE_SECONDS)
        except Exception:
            transport = getattr(self.writer, "transport", None)
            if transport is not None:
                transport.abort()  # the client never took its last bytes: drop them

    def _authenticated_or_gone(self) -> None:
        if self.admitted:
            self.admitted = False
            self.context.authenticated_or_gone(self.address)

    async def _read(self) -> bytes:
        """The client's next bytes; while waiting here the connection is idle, and a drain may end it."""
        self.idle = True
        try:
            timeout = self.context.idle_timeout
            if not timeout:
                return await self.reader.read(65536)  # no timer to arm on every read
            try:
                return await asyncio.wait_for(self.reader.read(65536), timeout)
            except TimeoutError:
                raise IdleSessionTimeout("terminating connection due to idle-session timeout") from None
        finally:
            self.idle = False

    async def _serve(self) -> None:
        if await self._authenticate():
            self._authenticated_or_gone()
            await self._serve_session()

    async def _authenticate(self) -> bool:
        """Start-up and authentication, all within ``auth_timeout`` of the accept.

        Returns whether a session began (False: the client left, or sent a CancelRequest).
        As in PostgreSQL, the deadline ends the connection with FATAL 57014 "canceling
        authentication due to timeout"; PostgreSQL only logs it, Quiver also sends it,
        since the write is bounded and tells an honest slow client what happened.
        """
        deadline = asyncio.timeout(self.context.auth_timeout or None)
        try:
            async with deadline:
                while self.session is None:
                    if self.conn.closed:
                        return False
                    data = await self._read()
                    if not data:
                        return False
                    for message in self.conn.receive(data):
                        await self._dispatch(message)
                        if self.session is not None or self.conn.closed:
                            break  # what follows AuthenticationOk is read outside the deadline
                    await self.flush()
        except TimeoutError:
            if not deadline.expired():
                raise
            raise QueryCanceled("canceling authentication due to timeout") from None
        return not self.conn.closed

    async def _serve_session(self) -> None:
        pending = self.conn.buffered > 0  # messages that came with the last authentication message
        while not self.conn.closed:
            if self.context.draining:
                raise _shutdown_error()  # idle between statements while shutting down
            if pending:
                data, pending = b"", False
            else:
                data = await self._read()
                if not data:
                    return
            for message in self.conn.receive(data):
                if self.context.draining and type(message) in _STARTS_STATEMENT:
                    raise _shutdown_error()
                await self._dispatch(message)
                if self.conn.closed:
                    break
            await self.flush()

    @property
    def authenticated(self) -> bool:
        return self.session is not None

    def end_if_idle(self) -> None:
        """Drain hook: a connection waiting for its client's next message ends now (FATAL 57P01)."""
        if self.idle and self.task is not None and not self.task.done():
            self.task.cancel()

    def terminate(self) -> None:
        """Drain hook after the grace period: cancel the running statement, end with FATAL 57P01."""
        self.cancel_running()
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def _blocking(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args)`` on the worker's fair scheduler, in turn with other users' work.

        While a query of this connection runs, a client that goes away cancels it: the
        engine stops within a poll interval instead of computing for nobody.
        """
        user = self.session.caller.user if self.session is not None else ""
        job = functools.partial(fn, *args, **kwargs) if kwargs else functools.partial(fn, *args)
        future = asyncio.wrap_future(self.context.scheduler.submit(user, job))
        while True:
            done, _ = await asyncio.wait({future}, timeout=DISCONNECT_POLL_SECONDS)
            if done:
                return future.result()
            if self.token is not None and self._client_gone():
                self.token.cancel()

    def _client_gone(self) -> bool:
        """The peer closed or reset the connection (its unread bytes, if any, will never be answered)."""
        # StreamReader keeps end-of-file in ``_eof`` even while unread bytes (a Terminate) remain.
        return bool(getattr(self.reader, "_eof", False)) or self.writer.is_closing()

    def cancel_running(self) -> None:
        token = self.token
        if token is not None:
            token.cancel()

    # -- dispatch: the handler of each message type (the connection has checked it is legal now) --

    async def _dispatch(self, message: m.FrontendMessage) -> None:
        await _DISPATCH[type(message)](self, message)

    async def _on_ssl_request(self, message: m.SSLRequest) -> None:
        self.writer.write(self.conn.ssl_response(self.context.tls is not None))
        await self.writer.drain()
        if self.context.tls is not None:
            self.conn.tls_started()
            await self.writer.start_tls(self.context.tls)

    async def _on_gssenc_request(self, message: m.GSSENCRequest) -> None:
        self.writer.write(self.conn.gssenc_response())

    async def _on_cancel_request(self, message: m.CancelRequest) -> None:
        self.context.cancel(message.process_id, message.secret)

    async def _on_terminate(self, message: m.Terminate) -> None:
        self.conn.close()

    async def _on_query(self, message: m.Query) -> None:
        await self._simple_query(message.text)

    async def _on_sync(self, message: m.Sync) -> None:
        self._sync()

    async def _on_flush(self, message: m.Flush) -> None:
        await self.flush()

    async def _on_copy_from_client(self, message: m.CopyFromClient) -> None:
        # Not through the connection's error(): it is no extended-protocol error, nothing is skipped.
        error = ProtocolViolation(f"unexpected message type {message.kind!r} outside COPY FROM STDIN")
        self.send(m.error_response(error))

    async def _on_function_call(self, message: m.FunctionCall) -> None:
        # A function call is answered like a simple query: the error, then ReadyForQuery
        # (skipping to a Sync the client never sends left the connection hanging).
        self.send_error(FeatureNotSupported("the function call protocol is not supported"))
        session = self._ready_session()
        session.fail()
        self.send(self.conn.ready_for_query(session.status))

    # -- start-up and authentication --------------------------------------------------------------

    async def _on_startup(self, message: m.StartupMessage) -> None:
        context = self.context
        self.send(
            self.handshake.start(
                message,
                draining=context.draining,
                connections=context.connections,
                max_connections=context.max_connections,
            )
        )
        if self.handshake.done:
            self._authenticated()

    async def _on_password(self, message: m.PasswordMessage) -> None:
        wait = self.handshake.delay()
        if wait > 0:
            # Only this connection waits; the event loop serves the others.
            await self.flush()
            await asyncio.sleep(wait)
        self.send(self.handshake.step(message.data))
        if self.handshake.done:
            self._authenticated()

    def _authenticated(self) -> None:
        self.conn.authenticated()
        context = self.context
        self.session = session = self.handshake.session(context.process_id)
        self.send(self.handshake.welcome(session, context.process_id, self.secret))
        context.backends[self.secret] = self
        self.send(self.conn.ready_for_query(session.status))

    # -- simple query -----------------------------------------------------------------------------

    async def _simple_query(self, text: str) -> None:
        session = self._ready_session()
        try:
            routed: list[tuple[Piece, c.Command | None]] = list(split_and_route(text))
        except QuiverError:
            # Route one by one: the statements before the refused one still run, as in PostgreSQL.
            routed = [(piece, None) for piece in split(text)]
        if not routed:
            self.send(m.empty_query_response())
        for piece, known in routed:
            try:
                command = known if known is not None else route_piece(piece)
                session.check_not_failed(command)
                await self._run_command(command, piece, portal_name=None, formats=(), max_rows=0, describe=True)
            except QuiverError as error:
                self.send_error(error, piece.offset if error.position else 0)
                session.fail()
                break
            except Exception:
                self.send_error(_internal_error())
                session.fail()
                break
        self.send(self.conn.ready_for_query(session.status))

    def _ready_session(self) -> Session:
        if self.session is None:
            raise ProtocolViolation("query before authentication")
        return self.session

    async def _run_command(
        self,
        command: c.Command,
        piece: Piece,
        *,
        portal_name: str | None,
        formats: tuple[int, ...],
        max_rows: int,
        describe: bool,
    ) -> None:
        """Execute one command of the simple protocol (or a non-query command of the extended one)."""
        self._ready_session()  # 08P01 before authentication
        if isinstance(command, c.Query):
            statement = PreparedStatement("", command.text, command, [])
            statement.lifecycle = self._prepare(command)
            portal = Portal("", statement, [], list(formats))
            portal.bound = self.context.statements.bind(statement.lifecycle, portal.params)
            await self._execute_portal(portal, max_rows=0, describe=describe)
            return
        run = _COMMANDS.get(type(command))
        if run is None:
            raise FeatureNotSupported(f"unsupported statement {type(command).__name__}")
        pending = run(self, command, describe, formats)
        if pending is not None:
            await pending

    # -- commands other than queries: one handler each, named in the _COMMANDS table -------------

    def _session_command(self, command: c.Command, describe: bool, formats: tuple[int, ...]) -> None:
        """SET, RESET, SHOW, transaction control, DISCARD, DEALLOCATE: the session decides, this encodes."""
        result = self._ready_session().apply(command)
        for notice in result.notices:
            self.send(m.notice_response(notice.message, notice.sqlstate, notice.severity))
        if result.rows is not None:
            encoder = ResultEncoder(result.rows.schema, formats, self._text_context())
            if describe:
                self.send(m.row_description(encoder.fields()))
            for batch in result.rows.to_batches():
                self.send(encoder.encode(batch))
        for name, value in result.reported.items():
            self.send(m.parameter_status(name, value))
        self.send(m.command_complete(result.tag))

    def _close_cursor(self, command: c.CloseCursor, describe: bool, formats: tuple[int, ...]) -> None:
        self.send(m.command_complete(self._ready_session().close_cursor(command.name)))

    def _no_op(self, command: c.NoOp, describe: bool, formats: tuple[int, ...]) -> None:
        self.send(m.command_complete(command.tag))

    def _text_context(self) -> TextContext:
        session = self._ready_session()
        try:
            digits = int(session.setting("extra_float_digits") or 1)
        except ValueError:
            digits = 1
        return TextContext(time_zone=session.setting("timezone") or "UTC", extra_float_digits=digits)

    def _prepare(self, query: c.Query, name: str = "", declared: list[int] | None = None) -> Statement:
        """``query`` prepared by the statement service for this session (parsed, routed, typed once)."""
        session = self._ready_session()
        return self.context.statements.prepare(
            query.text, session.caller, session, name=name, command=query, declared_types=declared or ()
        )

    def _encoder(self, schema: pa.Schema, formats: Any, origins: tuple[ColumnOrigin | None, ...] = ()) -> ResultEncoder:
        """The encoder of a result: its columns' origins become RowDescription's table OIDs and numbers."""
        wire = [None if o is None else (relation_oid(o.relation), o.position) for o in origins]
        return ResultEncoder(schema, formats, self._text_context(), wire)

    async def _start(self, portal: BoundPortal, then: Callable[[Any], Any] | None = None) -> Any:
        """Start a bound statement (on a worker thread unless it is a constant); returns its result.

        ``then`` runs on the result in the same worker thread (reading ahead costs no extra hop).
        """
        session = self._ready_session()
        service = self.context.statements
        if portal.route is Route.CONSTANT:
            result = service.run(portal)
            return then(result) if then is not None else result
        self.token = portal.token
        timeout = session.statement_timeout

        def start() -> Any:
            result = service.run(portal, timeout=timeout)
            return then(result) if then is not None else result

        return await self._blocking(start)

    async def _start_query(self, query: c.Query) -> Any:
        """Prepare, bind (no values) and start ``query``: DECLARE, COPY and CREATE TABLE AS run their query so."""
        service = self.context.statements
        return await self._start(service.bind(self._prepare(query), []))

    async def _stream(self, running: _Running, max_rows: int, encoder: ResultEncoder | None = None) -> tuple[int, bool]:
        """Send DataRows from ``running``: up to ``max_rows`` (0: all). Returns (rows sent, exhausted).

        The cancel token is consulted before every batch: rows already read ahead, or a
        wait on a slow client's socket, must not outlast a CancelRequest.
        """
        sent = 0
        while True:
            self._check_cancelled()
            want = max_rows - sent if max_rows else 0
            if running.inline():
                data, rows, done = running.next_encoded(want, encoder)
            else:
                data, rows, done = await self._blocking(running.next_encoded, want, encoder)
            if done:
                return sent, True
            self.send(data)
            sent += rows
            await self.maybe_flush()
            if max_rows and sent >= max_rows:
                # Look ahead so a portal that is exactly used up completes now (PostgreSQL does too).
                if not running.queue and not running.exhausted:
                    await self._blocking(running.fill, 1)
                return sent, not running.has_more

    def _check_cancelled(self) -> None:
        """57014 if the running statement was cancelled (a CancelRequest, a client gone, a drain)."""
        token = self.token
        if token is not None and token.cancelled:
            raise QueryCanceled("canceling statement due to user request")

    async def _execute_portal(self, portal: Portal, *, max_rows: int, describe: bool) -> None:
        """Run (or resume) a portal's query and send its rows and completion."""
        running: _Running
        if portal.state is None:
            running = await self._open_portal(portal)
            encoder = running.encoder
            assert encoder is not None  # _open_portal always builds one
            if describe:
                self.send(m.row_description(encoder.fields()))
        else:
            running = portal.state
        self.token = portal.bound.token  # a cancel reaches the statement while its rows stream
        try:
            sent, done = await self._stream(running, max_rows)
        except BaseException:
            portal.done = True  # the stream is ended: a later Execute of this portal has nothing left
            running.close()
            raise
        finally:
            self.token = None
        portal.rows_sent += sent
        if done:
            portal.done = True
            running.close()
            self.send(m.command_complete(f"SELECT {portal.rows_sent}"))
        else:
            self.send(m.portal_suspended())

    async def _open_portal(self, portal: Portal) -> _Running:
        """Start a portal's query and keep its stream (Describe of a portal and Execute share it); returns it."""
        formats = portal.result_formats

        def opened(result: Any) -> _Running:
            running = _Running(result, self._encoder(result.schema, formats, getattr(result, "origins", ())))
            running.fill(2)  # read ahead in the same thread: small results need no further hop
            return running

        running: _Running = await self._start(portal.bound, then=opened)
        portal.state = running
        self.token = None
        for notice in getattr(running.result, "notices", ()):
            self.send(m.notice_response(notice.message, notice.sqlstate, notice.severity))
        return running

    # -- cursors ----------------------------------------------------------------------------------

    async def _declare(self, command: c.DeclareCursor) -> None:
        session = self._ready_session()
        if not command.hold and not session.in_block:
            raise NoActiveTransaction("DECLARE CURSOR can only be used in transaction blocks")
        statement = PreparedStatement(command.name, command.query.text, command.query, [])
        statement.lifecycle = self._prepare(command.query)
        formats = (1,) if command.binary else ()
        portal = Portal(command.name, statement, [], list(formats), cursor=True, hold=command.hold)
        session.add_portal(portal)
        portal.bound = self.context.statements.bind(statement.lifecycle, [])
        result = await self._start(portal.bound)
        portal.state = _Running(result, self._encoder(result.schema, formats, getattr(result, "origins", ())))
        self.token = None
        self.send(m.command_complete("DECLARE CURSOR"))

    def _cursor(self, name: str) -> Portal:
        portal = self._ready_session().portals.get(name)
        if portal is None or not portal.cursor:
            raise InvalidCursorName(f'cursor "{name}" does not exist')
        return portal

    async def _fetch(self, command: c.Fetch, describe: bool, formats: tuple[int, ...] = ()) -> None:
        portal = self._cursor(command.name)
        running: _Running = portal.state
        # Rows go out in the formats of the FETCH itself when it was bound with some (extended protocol).
        result = running.result
        encoder = self._encoder(result.schema, formats, getattr(result, "origins", ())) if formats else running.encoder
        assert encoder is not None
        if describe and not command.move:
            self.send(m.row_description(encoder.fields()))
        limit = command.count if command.count is not None else 0
        if portal.done:
            sent = 0
        elif command.move:
            sent = 0
            while not limit or sent < limit:
                batch, done = await self._blocking(running.take, (limit - sent) if limit else 0)
                if done or batch is None:
                    portal.done = True
                    break
                sent += batch.num_rows
        else:
            self.token = portal.bound.token  # a cancel reaches the cursor's query while a FETCH streams
            try:
                sent, done = await self._stream(running, limit, encoder)
            finally:
                self.token = None
            portal.done = done
        self.send(m.command_complete(f"{'MOVE' if command.move else 'FETCH'} {sent}"))

    # -- COPY, temporary tables, EXPLAIN ----------------------------------------------------------

    async def _copy_out(self, command: c.CopyOut) -> None:
        result = await self._start_query(command.query)
        try:
            encoder = CopyEncoder(command, result.schema, self._text_context())
            formats = [encoder.overall_format] * len(result.schema)
            self.send(self.conn.copy_out(encoder.overall_format, formats))
            # One CopyData per row; the header travels inside the first one, as PostgreSQL sends it.
            pending = encoder.header()
            rows = 0
            running = _Running(result, None)
            while True:
                batch, done = await self._blocking(running.take, 0)
                if done or batch is None:
                    break
                self.send(await self._blocking(encoder.encode, batch, pending))
                pending = b""
                rows += batch.num_rows
                await self.maybe_flush()
            trailer = encoder.trailer()
            if pending or trailer:
                self.send(m.copy_data(pending + trailer))
            self.send(self.conn.copy_done())
            self.send(m.command_complete(f"COPY {rows}"))
        finally:
            self.token = None
            result.close()

    async def _create_temp(self, command: c.CreateTempTable) -> None:
        from server.execution.scratch import empty_table

        session = self._ready_session()
        temporary.check_new(session.temp_tables, command.name)
        column_names = [name for name, _ in command.columns]
        if command.query is None:
            temporary.store(session.temp_tables, command.name, empty_table(command.columns), ())
            self.send(m.command_complete("CREATE TABLE"))
            return
        result = await self._start_query(command.query)
        try:
            table = await self._blocking(result.read_all)
        finally:
            self.token = None
        table = temporary.store(session.temp_tables, command.name, table, column_names)
        self.send(m.command_complete(f"SELECT {table.num_rows}"))

    async def _create_temp_view(self, command: c.CreateTempView) -> None:
        session = self._ready_session()
        await self._blocking(self.context.statements.create_view, session, session.caller, command)
        self.send(m.command_complete("CREATE VIEW"))

    def _drop_view(self, command: c.DropView) -> None:
        self.context.statements.drop_views(self._ready_session(), command.names, if_exists=command.if_exists)
        self.send(m.command_complete("DROP VIEW"))

    def _drop_table(self, command: c.DropTable) -> None:
        self.context.statements.drop_tables(self._ready_session(), command.names, if_exists=command.if_exists)
        self.send(m.command_complete("DROP TABLE"))

    async def _explain(self, command: c.Explain) -> None:
        session = self._ready_session()
        text = await self._blocking(self.context.statements.explain, command.query, session.caller)
        lines = text.splitlines()
        table = pa.table({"QUERY PLAN": pa.array(lines, pa.string())})
        encoder = self._encoder(table.schema, ())
        self.send(m.row_description(encoder.fields()))
        for batch in table.to_batches():
            self.send(encoder.encode(batch))
        self.send(m.command_complete("EXPLAIN"))

    # -- extended query ---------------------------------------------------------------------------

    def _extended_error(self, error: QuiverError) -> None:
        self.send_error(error)  # the connection now discards the batch up to its Sync
        if self.session is not None:
            self.session.fail()

    def _sync(self) -> None:
        session = self._ready_session()
        session.end_implicit_transaction()
        self.send(self.conn.ready_for_query(session.status))

    def _parse_message(self, message: m.Parse) -> None:
        session = self._ready_session()
        routed = split_and_route(message.query)
        if len(routed) > 1:
            raise SqlSyntaxError("cannot insert multiple commands into a prepared statement")
        command = routed[0][1] if routed else None
        session.check_not_failed(command)
        statement = PreparedStatement(message.name, message.query, command, list(message.param_types))
        statement.lifecycle = self.context.statements.prepare(
            command.text if isinstance(command, c.Query) else message.query,
            session.caller,
            session,
            name=message.name,
            command=command,
            declared_types=message.param_types,
        )
        if message.name == "":
            session.prepared.pop("", None)
        session.add_prepared(statement)
        self.send(m.parse_complete())

    def _param_types(self, statement: PreparedStatement) -> list[int]:
        return list(statement.lifecycle.parameter_types)

    def _bind_message(self, message: m.Bind) -> None:
        session = self._ready_session()
        statement = session.get_prepared(message.statement)
        session.check_not_failed(statement.command)
        lifecycle: Statement = statement.lifecycle
        types = lifecycle.parameter_types
        self.context.statements.check_count(lifecycle, len(message.params))
        formats = message.param_formats
        if len(formats) not in (0, 1, len(message.params)):
            raise ProtocolViolation(
                f"bind message has {len(formats)} parameter formats but {len(message.params)} parameters"
            )
        values = []
        for index, raw in enumerate(message.params):
            fmt = formats[index] if len(formats) > 1 else (formats[0] if formats else 0)
            values.append(decode_param(raw, types[index], fmt == 1))
        portal = Portal(message.portal, statement, values, list(message.result_formats))
        if lifecycle.is_query:
            portal.bound = self.context.statements.bind(lifecycle, values)
        session.add_portal(portal)
        self.send(m.bind_complete())

    async def _describe_message(self, message: m.Describe) -> None:
        session = self._ready_session()
        if message.kind == "S":
            statement = session.get_prepared(message.name)
            self.send(m.parameter_description(self._param_types(statement)))
            described = await self._statement_schema(statement, None)
            if described is None:
                self.send(m.no_data())
            else:
                self.send(m.row_description(self._encoder(described[0], (), described[1]).fields()))
            return
        portal = session.get_portal(message.name)
        if portal.state is None and isinstance(portal.statement.command, c.Query) and not portal.done:
            # The portal is about to be executed: start it now and describe its actual stream.
            await self._open_portal(portal)
        if portal.state is not None and portal.state.encoder is not None:
            self.send(m.row_description(portal.state.encoder.fields()))
            return
        described = await self._statement_schema(portal.statement, portal)
        if described is None:
            self.send(m.no_data())
        else:
            encoder = self._encoder(described[0], portal.result_formats, described[1])
            self.send(m.row_description(encoder.fields()))

    async def _statement_schema(
        self, statement: PreparedStatement, portal: Portal | None
    ) -> tuple[pa.Schema, tuple[ColumnOrigin | None, ...]] | None:
        """The result columns of a statement (with ``portal``'s values, if any), or None when it returns no rows."""
        command = statement.command
        session = self._ready_session()
        if isinstance(command, c.ShowVariable):
            rows = session.apply(command).rows
            return (rows.schema, ()) if rows is not None else None
        if isinstance(command, c.Fetch) and not command.move:
            return self._cursor(command.name).state.result.schema, ()
        if not isinstance(command, c.Query):
            return None
        service = self.context.statements
        lifecycle: Statement = statement.lifecycle
        if portal is not None and portal.bound is not None and any(v is not None for v in portal.params):
            found = await self._blocking(service.describe_portal, portal.bound)
        elif lifecycle.described or lifecycle.route is Route.CONSTANT:
            found = service.describe(lifecycle)  # known, or needs no engine: no thread hop
        else:
            found = await self._blocking(service.describe, lifecycle)
        assert found is not None
        return found.schema, found.origins

    async def _execute_message(self, message: m.Execute) -> None:
        session = self._ready_session()
        portal = session.get_portal(message.portal)
        statement = portal.statement
        command = statement.command
        if command is None:
            self.send(m.empty_query_response())
            return
        if portal.done:
            self.send(m.command_complete(f"SELECT {0 if not portal.cursor else portal.rows_sent}"))
            return
        session.check_not_failed(command)
        if isinstance(command, c.Query):
            await self._execute_portal(portal, max_rows=message.max_rows, describe=False)
            return
        await self._run_command(
            command,
            Piece(statement.text, 0),
            portal_name=portal.name,
            formats=tuple(portal.result_formats),
            max_rows=message.max_rows,
            describe=False,
        )
        portal.done = True

    def _close_message(self, message: m.Close) -> None:
        session = self._ready_session()
        if message.kind == "S":
            session.prepared.pop(message.name, None)
        else:
            session.close_portal(message.name)
        self.send(m.close_complete())


Handler = Callable[[Backend, Any], Awaitable[None]]


def _in_batch(handler: Callable[[Backend, Any], Awaitable[None] | None]) -> Handler:
    """An extended-protocol handler whose error is answered in the batch: ErrorResponse, then skip to Sync."""

    async def handle(backend: Backend, message: Any) -> None:
        try:
            pending = handler(backend, message)
            if pending is not None:
                await pending
        except QuiverError as error:
            backend._extended_error(error)
        except Exception:
            backend._extended_error(_internal_error())

    return handle


# One handler per message type. Whether a message is allowed at all in the connection's
# current state was decided before (PgConnection's table); these say what it means.
_DISPATCH: dict[type, Handler] = {
    m.SSLRequest: Backend._on_ssl_request,
    m.GSSENCRequest: Backend._on_gssenc_request,
    m.CancelRequest: Backend._on_cancel_request,
    m.StartupMessage: Backend._on_startup,
    m.PasswordMessage: Backend._on_password,
    m.Query: Backend._on_query,
    m.FunctionCall: Backend._on_function_call,
    m.Parse: _in_batch(Backend._parse_message),
    m.Bind: _in_batch(Backend._bind_message),
    m.Describe: _in_batch(Backend._describe_message),
    m.Execute: _in_batch(Backend._execute_message),
    m.Close: _in_batch(Backend._close_message),
    m.Sync: Backend._on_sync,
    m.Flush: Backend._on_flush,
    m.Terminate: Backend._on_terminate,
    m.CopyFromClient: Backend._on_copy_from_client,
}
CommandHandler = Callable[[Backend, Any, bool, tuple[int, ...]], Awaitable[None] | None]

# What each command other than a query does: (backend, command, describe, result formats).
_COMMANDS: dict[type, CommandHandler] = {
    c.SetVariable: Backend._session_command,
    c.ResetVariable: Backend._session_command,
    c.ShowVariable: Backend._session_command,
    c.Transaction: Backend._session_command,
    c.SessionCharacteristics: Backend._session_command,
    c.Discard: Backend._session_command,
    c.Deallocate: Backend._session_command,
    c.DeclareCursor: lambda backend, command, describe, formats: backend._declare(command),
    c.Fetch: lambda backend, command, describe, formats: backend._fetch(command, describe, formats),
    c.CloseCursor: Backend._close_cursor,
    c.CopyOut: lambda backend, command, describe, formats: backend._copy_out(command),
    c.CreateTempTable: lambda backend, command, describe, formats: backend._create_temp(command),
    c.DropTable: lambda backend, command, describe, formats: backend._drop_table(command),
    c.CreateTempView: lambda backend, command, describe, formats: backend._create_temp_view(command),
    c.DropView: lambda backend, command, describe, formats: backend._drop_view(command),
    c.Explain: lambda backend, command, describe, formats: backend._explain(command),
    c.NoOp: Backend._no_op,
}

# Messages that begin new work: refused (FATAL 57P01) while draining. Execute of an already
# bound portal, Describe, Close, Sync and Flush finish what was begun before the drain.
_STARTS_STATEMENT = frozenset({m.Query, m.Parse, m.Bind, m.FunctionCall})


def _shutdown_error() -> AdminShutdown:
    """PostgreSQL's words when a fast shutdown ends a session."""
    error = AdminShutdown("terminating connection due to administrator command")
    error.severity = "FATAL"
    return error


def _peer_host(writer: Any) -> str | None:
    """The client's IP address (None over a transport that has none, as in tests)."""
    peer = writer.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else None


def _internal_error() -> QuiverError:
    """The exception being handled as the client sees it: a known condition (54001), or a request id
    with the traceback logged (bounded)."""
    error = sys.exc_info()[1]
    return unexpected_error(log, error if error is not None else RuntimeError("unknown"))

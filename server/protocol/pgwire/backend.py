"""One client connection: start-up, authentication, and the simple and extended query protocols.

The backend reads bytes from its transport, lets :class:`PgConnection` frame
them, and answers each message through the session (settings, transactions,
statements, portals) and the engine (everything that reads data). It holds no
semantics: routing, compiling and governing all happen in the engine.

Blocking work (compiling, running and encoding a batch) runs on worker
threads, so one slow query never stalls the other connections of the process.
Results are written batch by batch with the transport's back-pressure, so
memory does not grow with result size.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import ssl
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlglot.expressions as exp

from connectors.base import CancelToken
from server.engine import Engine
from server.errors import (
    AdminShutdown,
    CannotConnectNow,
    FeatureNotSupported,
    IdleSessionTimeout,
    InvalidCatalogName,
    InvalidCursorName,
    InvalidPassword,
    NoActiveTransaction,
    ProtocolViolation,
    QueryCanceled,
    QuiverError,
    SqlSyntaxError,
    TooManyConnections,
)
from server.execution.executor import TableResult
from server.execution.scheduler import FairScheduler
from server.observability.internal import unexpected_error
from server.policy.throttle import AuthThrottle
from server.policy.users import UserStore
from server.protocol.pgwire import messages as m
from server.protocol.pgwire.auth import Authenticator, AuthMethod
from server.protocol.pgwire.connection import PgConnection, Phase
from server.protocol.pgwire.copy import CopyEncoder
from server.protocol.pgwire.params import decode as decode_param
from server.protocol.pgwire.types import SMALL_BATCH, ResultEncoder, TextContext
from server.session.session import Portal, PreparedStatement, Session
from server.sql import commands as c
from server.sql.lexer import Piece, split_statements
from server.sql.oids import relation_oid
from server.sql.parser import parse_statement_cached
from server.sql.router import route_all, route_one
from server.statement import Route, Statement, StatementService
from server.statement.origins import ColumnOrigin
from server.statement.service import Portal as BoundPortal

log = logging.getLogger("quiver.pgwire")

FLUSH_BYTES = 256 * 1024  # write to the socket once this much is buffered
DISCONNECT_POLL_SECONDS = 0.25  # how often a running query checks that its client is still there
CLOSE_SECONDS = 2.0  # longest wait for a client to take a last message before its connection is aborted
STARTUP_DRAIN_SECONDS = 1.0  # at shutdown, how long a connection still in start-up gets to be told so


@dataclass
class ServerContext:
    """What every connection of a worker process shares."""

    engine: Engine
    users: UserStore
    auth_method: AuthMethod = AuthMethod.SCRAM
    database: str = "quiver"
    tls: ssl.SSLContext | None = None
    max_message_size: int = 64 * 1024 * 1024
    max_connections: int = 100
    idle_timeout: float = 0.0  # seconds; 0: none
    process_id: int = 0
    backends: dict[int, Backend] = field(default_factory=dict)  # by cancel secret
    throttle: AuthThrottle = field(default_factory=AuthThrottle)  # authentication back-off of this worker
    scheduler: FairScheduler = field(default_factory=FairScheduler)  # blocking work, users taken in turn
    forward_cancel: Callable[[int, int], None] | None = None  # (process id, secret) -> another worker
    auth_timeout: float = 10.0  # seconds from accept to AuthenticationOk; 0: none
    max_unauthenticated: int = 64  # connections not yet authenticated in this worker; 0: no cap
    max_unauthenticated_per_address: int = 16  # the same, from one client address; 0: no cap
    unauthenticated: Counter[str] = field(default_factory=Counter)  # by client address
    live: set[Backend] = field(default_factory=set)  # every open connection, authenticated or not
    draining: bool = False  # SIGTERM: no new statements; idle connections end with 57P01
    statements: StatementService = field(init=False)  # the lifecycle every channel shares, over ``engine``

    def __post_init__(self) -> None:
        self.statements = StatementService(self.engine)

    @property
    def connections(self) -> int:
        return len(self.backends)

    def admit(self, address: str) -> None:
        """Count a new connection as not yet authenticated, or refuse it (53300) over a cap.

        Authentication costs the server a connection slot, a read buffer and a PBKDF2
        check; without these caps, slow start-ups held by one address starve everyone.
        """
        waiting = self.unauthenticated.total()
        if self.max_unauthenticated and waiting >= self.max_unauthenticated:
            raise TooManyConnections(
                "sorry, too many clients already",
                detail=f"{waiting} connections of this server process are still authenticating.",
            )
        from_address = self.unauthenticated[address]
        if self.max_unauthenticated_per_address and from_address >= self.max_unauthenticated_per_address:
            raise TooManyConnections(
                "sorry, too many clients already",
                detail=f"{from_address} connections from this address are still authenticating.",
            )
        self.unauthenticated[address] += 1

    def authenticated_or_gone(self, address: str) -> None:
        """A connection admitted by :meth:`admit` authenticated or closed: it no longer counts."""
        left = self.unauthenticated[address] - 1
        if left > 0:
            self.unauthenticated[address] = left
        else:
            del self.unauthenticated[address]

    def begin_drain(self) -> None:
        """Shutting down: idle sessions end now (FATAL 57P01), busy ones after their statement.

        Connections still in start-up are left to send their start-up packet, which is
        answered with 57P03 (see :meth:`end_idle_startups` for those that never do).
        """
        self.draining = True
        for backend in list(self.live):
            if backend.authenticated:
                backend.end_if_idle()

    def end_idle_startups(self) -> None:
        """Late in a drain: connections that never finished their start-up end now (FATAL 57P01)."""
        for backend in list(self.live):
            if not backend.authenticated:
                backend.end_if_idle()

    def terminate_all(self) -> None:
        """The grace period is over: cancel what still runs and end every connection (FATAL 57P01)."""
        self.draining = True
        for backend in list(self.live):
            backend.terminate()

    def cancel(self, process_id: int, secret: int) -> None:
        if process_id != self.process_id:
            if self.forward_cancel is not None:
                self.forward_cancel(process_id, secret)
            return
        backend = self.backends.get(secret)
        if backend is not None:
            backend.cancel_running()


class _Running:
    """A portal's running result: its stream, encoder, and batches read ahead but not yet sent.

    Reading ahead (in the worker thread that started the query) lets a small result be
    sent, and its end detected, on the event loop without another thread hop.
    """

    def __init__(self, result: Any, encoder: ResultEncoder | None) -> None:
        self.result = result
        self.encoder = encoder
        self.iterator: Iterator[pa.RecordBatch] = iter(result.batches())
        self.queue: deque[pa.RecordBatch] = deque()
        self.exhausted = False

    @property
    def immediate(self) -> bool:
        """Already computed (no engine work left): read it on the event loop, no thread hop."""
        return isinstance(self.result, TableResult)

    def fill(self, batches: int = 2) -> None:
        """Read ahead until ``batches`` are queued or the stream ends (blocking: call from a thread)."""
        while len(self.queue) < batches and not self.exhausted:
            batch = next(self.iterator, None)
            if batch is None:
                self.exhausted = True
            elif batch.num_rows:
                self.queue.append(batch)

    def inline(self) -> bool:
        """Can the next step run on the event loop (no engine read, a cheap encode)?"""
        if self.immediate:
            return True
        if not self.queue:
            return self.exhausted
        return self.queue[0].num_rows <= SMALL_BATCH

    def take(self, limit: int) -> tuple[pa.RecordBatch | None, bool]:
        """Up to ``limit`` rows (0: a whole batch) and whether the result was already exhausted."""
        if not self.queue:
            self.fill(1)
            if not self.queue:
                return None, True
        batch = self.queue.popleft()
        if limit and batch.num_rows > limit:
            self.queue.appendleft(batch.slice(limit))
            return batch.slice(0, limit), False
        return batch, False

    @property
    def has_more(self) -> bool:
        return bool(self.queue) or not self.exhausted

    def next_encoded(self, limit: int, encoder: ResultEncoder | None = None) -> tuple[bytes, int, bool]:
        """The next batch (up to ``limit`` rows) encoded: (DataRow bytes, rows, exhausted).

        ``encoder`` overrides the result's own (a FETCH asks for its own formats).
        """
        batch, done = self.take(limit)
        if done or batch is None:
            return b"", 0, True
        use = encoder or self.encoder
        assert use is not None
        return use.encode(batch), batch.num_rows, False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.result.close()


class Backend:
    def __init__(self, context: ServerContext, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.context = context
        self.reader = reader
        self.writer = writer
        self.conn = PgConnection(context.max_message_size)
        self.out: list[bytes] = []
        self.out_size = 0
        self.secret = secrets.randbits(31)
        self.session: Session | None = None
        self.authenticator: Authenticator | None = None
        self.token: CancelToken | None = None
        self.startup_parameters: dict[str, str] = {}
        self.address = _peer_host(writer) or ""
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
        self.send(m.error_response(error, offset))

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
                    if self.conn.phase is Phase.CLOSED:
                        return False
                    data = await self._read()
                    if not data:
                        return False
                    for message in self.conn.receive(data):
                        await self._dispatch(message)
                        if self.session is not None or self.conn.phase is Phase.CLOSED:
                            break  # what follows AuthenticationOk is read outside the deadline
                    await self.flush()
        except TimeoutError:
            if not deadline.expired():
                raise
            raise QueryCanceled("canceling authentication due to timeout") from None
        return self.conn.phase is not Phase.CLOSED

    async def _serve_session(self) -> None:
        pending = self.conn.buffered > 0  # messages that came with the last authentication message
        while self.conn.phase is not Phase.CLOSED:
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
                if self.conn.phase is Phase.CLOSED:
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

    # -- dispatch ---------------------------------------------------------------------------------

    async def _dispatch(self, message: m.FrontendMessage) -> None:
        if type(message) in _EXTENDED:
            await self._extended(message)
            return
        if isinstance(message, m.SSLRequest):
            await self._ssl_request()
        elif isinstance(message, m.GSSENCRequest):
            self.writer.write(b"N")
        elif isinstance(message, m.CancelRequest):
            self.context.cancel(message.process_id, message.secret)
        elif isinstance(message, m.StartupMessage):
            self._startup(message)
        elif isinstance(message, m.PasswordMessage):
            await self._password(message)
        elif isinstance(message, m.Terminate):
            self.conn.close()
        elif isinstance(message, m.Query):
            await self._simple_query(message.text)
        elif isinstance(message, m.Sync):
            self._sync()
        elif isinstance(message, m.Flush):
            await self.flush()
        elif isinstance(message, m.CopyFromClient):
            self.send_error(ProtocolViolation(f"unexpected message type {message.kind!r} outside COPY FROM STDIN"))
        elif isinstance(message, m.FunctionCall):
            # A function call is answered like a simple query: the error, then ReadyForQuery
            # (skipping to a Sync the client never sends left the connection hanging).
            self.send_error(FeatureNotSupported("the function call protocol is not supported"))
            session = self._ready_session()
            session.fail()
            self.send(m.ready_for_query(session.status.value))
        else:
            await self._extended(message)

    async def _ssl_request(self) -> None:
        if self.context.tls is None:
            self.writer.write(b"N")
            await self.writer.drain()
            return
        self.writer.write(b"S")
        await self.writer.drain()
        if self.conn.buffered:
            raise ProtocolViolation("received unencrypted data after SSL request")
        await self.writer.start_tls(self.context.tls)

    # -- start-up and authentication --------------------------------------------------------------

    def _startup(self, message: m.StartupMessage) -> None:
        parameters = dict(message.parameters)
        user = parameters.get("user")
        if not user:
            raise InvalidPassword("no PostgreSQL user name specified in startup packet")
        if self.context.draining:  # as PostgreSQL: told once its start-up packet is read, never cut off
            raise CannotConnectNow("the database system is shutting down")
        if self.context.connections >= self.context.max_connections:
            raise TooManyConnections("sorry, too many clients already")
        database = parameters.get("database") or user
        if database != self.context.database:
            raise InvalidCatalogName(
                f'database "{database}" does not exist',
                hint=f'This server serves the database "{self.context.database}".',
            )
        unrecognized = [key for key in parameters if key.startswith("_pq_.")]
        minor = message.version & 0xFFFF
        if minor > 0 or unrecognized:
            self.send(m.negotiate_protocol_version(0, unrecognized))
        self.startup_parameters = parameters
        self.authenticator = Authenticator(self.context.auth_method, user, self.context.users)
        self.send(self.authenticator.start())
        if self.authenticator.done:
            self._authenticated()

    async def _password(self, message: m.PasswordMessage) -> None:
        authenticator = self.authenticator
        if authenticator is None or self.conn.phase is not Phase.AUTHENTICATING:
            raise ProtocolViolation("unexpected password message")
        throttle, user, address = self.context.throttle, authenticator.user_name, _peer_host(self.writer)
        if authenticator.verifies_next:
            # Back-off after failures of this user or address, before the check and whatever its
            # outcome; only this connection waits, the event loop serves the others.
            wait = throttle.wait(user, address)
            if wait > 0:
                await self.flush()
                await asyncio.sleep(wait)
        try:
            self.send(authenticator.step(message.data))
        except InvalidPassword:
            throttle.failed(user, address)
            raise
        if authenticator.done:
            throttle.succeeded(user, address)
            self._authenticated()

    def _authenticated(self) -> None:
        assert self.authenticator is not None
        user = self.authenticator.user
        assert user is not None
        self.conn.authenticated()
        options = _startup_options(self.startup_parameters.get("options", ""))
        startup = {k: v for k, v in self.startup_parameters.items() if k not in ("user", "database", "options")}
        startup.update(options)
        caller = user.caller("sql")
        self.session = Session(caller, startup, self.context.process_id, self.context.database)
        for name, value in self.session.reported_settings().items():
            self.send(m.parameter_status(name, value))
        self.send(m.backend_key_data(self.context.process_id, self.secret))
        self.context.backends[self.secret] = self
        self.send(m.ready_for_query(self.session.status.value))

    # -- simple query -----------------------------------------------------------------------------

    async def _simple_query(self, text: str) -> None:
        session = self._ready_session()
        try:
            routed: list[tuple[Piece, c.Command | None]] = list(route_all(text))
        except QuiverError:
            # Route one by one: the statements before the refused one still run, as in PostgreSQL.
            routed = [(piece, None) for piece in split_statements(text)]
        if not routed:
            self.send(m.empty_query_response())
        for piece, known in routed:
            try:
                command = known if known is not None else route_one(piece)
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
        self.send(m.ready_for_query(session.status.value))

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
        session = self._ready_session()
        if isinstance(command, c.Query):
            statement = PreparedStatement("", command.text, command, [])
            statement.lifecycle = self._prepare(command)
            portal = Portal("", statement, [], list(formats))
            portal.bound = self.context.statements.bind(statement.lifecycle, portal.params)
            await self._execute_portal(portal, max_rows=0, describe=describe)
            return
        if isinstance(
            command,
            c.SetVariable
            | c.ResetVariable
            | c.ShowVariable
            | c.Transaction
            | c.SessionCharacteristics
            | c.Discard
            | c.Deallocate,
        ):
            result = session.apply(command)
            for notice in result.notices:
                self.send(m.notice_response(notice, "25001" if "already" in notice else "25P01", "WARNING"))
            if result.rows is not None:
                encoder = self._encoder(result.rows.schema, formats)
                if describe:
                    self.send(m.row_description(encoder.fields()))
                for batch in result.rows.to_batches():
                    self.send(encoder.encode(batch))
            for name, value in result.reported.items():
                self.send(m.parameter_status(name, value))
            self.send(m.command_complete(result.tag))
            return
        if isinstance(command, c.DeclareCursor):
            await self._declare(command)
            return
        if isinstance(command, c.Fetch):
            await self._fetch(command, describe, formats)
            return
        if isinstance(command, c.CloseCursor):
            if command.name is None:
                for name in [n for n, p in session.portals.items() if p.cursor]:
                    session.close_portal(name)
                self.send(m.command_complete("CLOSE CURSOR ALL"))
            else:
                if command.name not in session.portals:
                    raise InvalidCursorName(f'cursor "{command.name}" does not exist')
                session.close_portal(command.name)
                self.send(m.command_complete("CLOSE CURSOR"))
            return
        if isinstance(command, c.CopyOut):
            await self._copy_out(command)
            return
        if isinstance(command, c.CreateTempTable):
            await self._create_temp(command)
            return
        if isinstance(command, c.DropTable):
            self._drop_table(command)
            return
        if isinstance(command, c.Explain):
            await self._explain(command)
            return
        if isinstance(command, c.NoOp):
            self.send(m.command_complete(command.tag))
            return
        raise FeatureNotSupported(f"unsupported statement {type(command).__name__}")

    async def _parse(self, query: c.Query) -> exp.Expression:
        try:
            return parse_statement_cached(query.text)
        except QuiverError as error:
            if error.position:
                error.position += query.offset
            raise

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
        """Send DataRows from ``running``: up to ``max_rows`` (0: all). Returns (rows sent, exhausted)."""
        sent = 0
        while True:
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

    async def _execute_portal(self, portal: Portal, *, max_rows: int, describe: bool) -> None:
        """Run (or resume) a portal's query and send its rows and completion."""
        if portal.state is None:
            await self._open_portal(portal)
            if describe:
                self.send(m.row_description(portal.state.encoder.fields()))
        running: _Running = portal.state
        try:
            sent, done = await self._stream(running, max_rows)
        finally:
            self.token = None
        portal.rows_sent += sent
        if done:
            portal.done = True
            running.close()
            self.send(m.command_complete(f"SELECT {portal.rows_sent}"))
        else:
            self.send(m.portal_suspended())

    async def _open_portal(self, portal: Portal) -> None:
        """Start a portal's query and keep its stream (Describe of a portal and Execute share it)."""
        formats = portal.result_formats

        def opened(result: Any) -> _Running:
            running = _Running(result, self._encoder(result.schema, formats, getattr(result, "origins", ())))
            running.fill(2)  # read ahead in the same thread: small results need no further hop
            return running

        portal.state = await self._start(portal.bound, then=opened)
        self.token = None
        for notice in getattr(portal.state.result, "notices", ()):
            self.send(m.notice_response(notice, "01000", "WARNING"))

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
            sent, done = await self._stream(running, limit, encoder)
            portal.done = done
        self.send(m.command_complete(f"{'MOVE' if command.move else 'FETCH'} {sent}"))

    # -- COPY, temporary tables, EXPLAIN ----------------------------------------------------------

    async def _copy_out(self, command: c.CopyOut) -> None:
        result = await self._start_query(command.query)
        try:
            encoder = CopyEncoder(command, result.schema, self._text_context())
            formats = [encoder.overall_format] * len(result.schema)
            self.send(m.copy_out_response(encoder.overall_format, formats))
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
            self.send(m.copy_done())
            self.send(m.command_complete(f"COPY {rows}"))
        finally:
            self.token = None
            result.close()

    async def _create_temp(self, command: c.CreateTempTable) -> None:
        from server.execution.scratch import empty_table

        session = self._ready_session()
        session.check_new_temp_table(command.name)
        if command.query is None:
            session.add_temp_table(command.name, empty_table(command.columns))
            self.send(m.command_complete("CREATE TABLE"))
            return
        result = await self._start_query(command.query)
        try:
            table = await self._blocking(result.read_all)
        finally:
            self.token = None
        if command.columns:
            table = table.rename_columns([name for name, _ in command.columns][: table.num_columns])
        session.add_temp_table(command.name, table)
        self.send(m.command_complete(f"SELECT {table.num_rows}"))

    def _drop_table(self, command: c.DropTable) -> None:
        self.context.statements.drop_tables(self._ready_session(), command.names, if_exists=command.if_exists)
        self.send(m.command_complete("DROP TABLE"))

    async def _explain(self, command: c.Explain) -> None:
        session = self._ready_session()
        tree = await self._parse(command.query)
        text = await self._blocking(self.context.engine.explain, tree, session.caller)
        lines = text.splitlines()
        table = pa.table({"QUERY PLAN": pa.array(lines, pa.string())})
        encoder = self._encoder(table.schema, ())
        self.send(m.row_description(encoder.fields()))
        for batch in table.to_batches():
            self.send(encoder.encode(batch))
        self.send(m.command_complete("EXPLAIN"))

    # -- extended query ---------------------------------------------------------------------------

    def _extended_error(self, error: QuiverError) -> None:
        self.send_error(error)
        self.conn.skip_until_sync()
        if self.session is not None:
            self.session.fail()

    def _sync(self) -> None:
        session = self._ready_session()
        session.end_implicit_transaction()
        self.send(m.ready_for_query(session.status.value))

    async def _extended(self, message: m.FrontendMessage) -> None:
        try:
            kind = type(message)
            if kind is m.Parse:
                self._parse_message(message)  # type: ignore[arg-type]
            elif kind is m.Bind:
                self._bind_message(message)  # type: ignore[arg-type]
            elif kind is m.Describe:
                await self._describe_message(message)  # type: ignore[arg-type]
            elif kind is m.Execute:
                await self._execute_message(message)  # type: ignore[arg-type]
            elif kind is m.Close:
                self._close_message(message)  # type: ignore[arg-type]
            else:
                raise ProtocolViolation(f"unexpected message {kind.__name__}")
        except QuiverError as error:
            self._extended_error(error)
        except Exception:
            self._extended_error(_internal_error())

    def _parse_message(self, message: m.Parse) -> None:
        session = self._ready_session()
        routed = route_all(message.query)
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


_EXTENDED = frozenset({m.Parse, m.Bind, m.Describe, m.Execute, m.Close})
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


def _startup_options(options: str) -> dict[str, str]:
    """``-c name=value`` pairs from the start-up packet's options parameter."""
    result: dict[str, str] = {}
    parts = options.replace("--", "-c ").split()
    index = 0
    while index < len(parts):
        part = parts[index]
        if part == "-c" and index + 1 < len(parts):
            part = parts[index + 1]
            index += 1
        elif part.startswith("-c"):
            part = part[2:]
        if "=" in part:
            key, value = part.split("=", 1)
            result[key.replace("-", "_")] = value.replace("\\ ", " ")
        index += 1
    return result

"""The sans-IO PostgreSQL protocol: bytes in, events out; events in, bytes out; the state kept between.

In the manner of h11 and asyncpg, this object never touches a socket, a task or
a clock (tests feed it byte strings). :meth:`PgConnection.receive` frames and
decodes what the client sent and passes each message through one table,
``_RECEIVE``, keyed by (state, message type): the handler there moves the state
and hands the message on as an event, discards it (after an extended-protocol
error, up to Sync), or refuses it as a protocol violation (08P01). What the
server sends back goes through the ``send`` side (:meth:`PgConnection.ready_for_query`,
:meth:`~PgConnection.error`, :meth:`~PgConnection.copy_out`, ...), which encodes
the message and moves the state the same way.

What a message means (running a query, checking a password) is the caller's:
the connection only knows which messages may come when, and how long they may be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from server.errors import ProtocolViolation, QuiverError
from server.protocol.pgwire import messages as m
from server.protocol.pgwire.framing import DEFAULT_MAX_MESSAGE, MAX_AUTH_MESSAGE, MAX_STARTUP_PACKET, Framer
from server.protocol.pgwire.states import State, TransactionStatus

# What a receive handler does with a message: returns it as the event to hand on, or None to drop it.
Handler = Callable[["PgConnection", m.FrontendMessage], m.FrontendMessage | None]


class PgConnection:
    """One connection's protocol state; call :meth:`receive` with bytes as they arrive."""

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE) -> None:
        self.max_message_size = max_message_size
        self.state = State.STARTUP
        self.transaction = TransactionStatus.IDLE  # as the last ReadyForQuery reported it
        self._framer = Framer()
        self._before_copy = State.READY  # the state a COPY OUT returns to

    # -- receiving: bytes -> events -------------------------------------------------------------

    def receive(self, data: bytes) -> Iterator[m.FrontendMessage]:
        """Append ``data`` and yield every message it completes that the caller must answer.

        Messages are decoded as they are consumed, so what the caller sends in answer
        to one (an error in an extended batch) decides the fate of the next.
        """
        if self.closed:
            return
        if data and self.state is State.TLS_HANDSHAKE:
            raise ProtocolViolation("received unencrypted data after SSL request")
        self._framer.feed(data)
        while not self.closed:  # a handler closes the connection (Terminate, CancelRequest)
            message = self._next()
            if message is None:
                return
            handler = _RECEIVE.get((self.state, type(message)))
            if handler is None:
                handler = _UNLISTED.get(self.state, _violation)
            event = handler(self, message)
            if event is not None:
                yield event

    def _next(self) -> m.FrontendMessage | None:
        framer = self._framer
        if self.state is State.STARTUP:
            body = framer.startup_packet()
            return None if body is None else m.decode_startup(body)
        if self.state is State.AUTHENTICATING:
            frame = framer.message(min(MAX_AUTH_MESSAGE, self.max_message_size), authenticating=True)
        else:
            frame = framer.message(self.max_message_size)
        return None if frame is None else m.decode(*frame)

    @property
    def closed(self) -> bool:
        """Nothing more is read or answered: Terminate, CancelRequest, or the server ended the session.

        A method, not a comparison at each call site: the state changes inside the calls
        between two checks (a handler, a dispatch), which a type checker's narrowing of
        ``state`` would not see.
        """
        return self.state is State.CLOSED

    @property
    def buffered(self) -> int:
        """Bytes received and not yet consumed as messages."""
        return self._framer.buffered

    # -- sending: events -> bytes, and the transitions they make --------------------------------

    def ssl_response(self, accept: bool) -> bytes:
        """The one-byte answer to an SSLRequest: 'S' (then a TLS handshake) or 'N' (go on in clear)."""
        if self.state is not State.STARTUP:
            raise ProtocolViolation("unexpected SSL response outside start-up")
        if not accept:
            return b"N"
        self.state = State.TLS_HANDSHAKE
        return b"S"

    def tls_started(self) -> None:
        """The TLS handshake may begin: refused if the client already sent clear bytes after SSLRequest."""
        if self.state is not State.TLS_HANDSHAKE:
            raise ProtocolViolation("TLS started without an accepted SSL request")
        if self.buffered:
            raise ProtocolViolation("received unencrypted data after SSL request")
        self.state = State.STARTUP  # the start-up packet follows, inside TLS

    @staticmethod
    def gssenc_response() -> bytes:
        """GSS encryption is never offered: 'N', and the client goes on with its start-up packet."""
        return b"N"

    def authenticated(self) -> None:
        """Authentication succeeded (AuthenticationOk sent): the query phase begins."""
        if self.state is State.AUTHENTICATING:
            self.state = State.READY

    def ready_for_query(self, status: TransactionStatus) -> bytes:
        """ReadyForQuery: the answer to Query, Sync or FunctionCall is complete."""
        self.transaction = status
        self.state = State.READY
        return m.ready_for_query(status.value)

    def error(self, error: QuiverError, offset: int = 0) -> bytes:
        """An ErrorResponse; in an extended batch the rest of it, up to Sync, is then discarded.

        ``offset`` is where the failing statement starts in the query text (its position is relative).
        """
        if self.state is State.COPY_OUT:
            self.state = self._before_copy  # the copy ended with the error
        if self.state is State.EXTENDED:
            self.state = State.SKIPPING
        return m.error_response(error, offset)

    def copy_out(self, overall_format: int, column_formats: Sequence[int]) -> bytes:
        """CopyOutResponse: CopyData follows until :meth:`copy_done` (or an :meth:`error`)."""
        if self.state not in (State.SIMPLE_QUERY, State.EXTENDED):
            raise ProtocolViolation(f"COPY cannot start in state {self.state.value}")
        self._before_copy = self.state
        self.state = State.COPY_OUT
        return m.copy_out_response(overall_format, column_formats)

    def copy_done(self) -> bytes:
        """CopyDone: back to the query or batch the COPY ran in."""
        if self.state is State.COPY_OUT:
            self.state = self._before_copy
        return m.copy_done()

    def close(self) -> None:
        """The session ends (the server's decision, or after Terminate): nothing more is read."""
        self.state = State.CLOSED


# -- the receive table: (state, message type) -> handler ------------------------------------------


def _hand_on(conn: PgConnection, message: m.FrontendMessage) -> m.FrontendMessage:
    """Legal here, and the state stays: the caller answers it."""
    return message


def _begin_authentication(conn: PgConnection, message: m.FrontendMessage) -> m.FrontendMessage:
    conn.state = State.AUTHENTICATING  # everything after a start-up packet is in the normal framing
    return message


def _close(conn: PgConnection, message: m.FrontendMessage) -> m.FrontendMessage:
    conn.state = State.CLOSED  # Terminate or CancelRequest: the last message of the connection
    return message


def _simple_query(conn: PgConnection, message: m.FrontendMessage) -> m.FrontendMessage:
    conn.state = State.SIMPLE_QUERY
    return message


def _extended(conn: PgConnection, message: m.FrontendMessage) -> m.FrontendMessage:
    conn.state = State.EXTENDED
    return message


def _sync(conn: PgConnection, message: m.FrontendMessage) -> m.FrontendMessage:
    conn.state = State.READY  # the batch ends; the caller answers ReadyForQuery
    return message


def _discard(conn: PgConnection, message: m.FrontendMessage) -> None:
    """Skipping after an extended-protocol error: PostgreSQL ignores everything up to Sync."""
    return None


def _violation(conn: PgConnection, message: m.FrontendMessage) -> None:
    raise ProtocolViolation(f"unexpected message {type(message).__name__} in state {conn.state.value}")


def _not_a_password(conn: PgConnection, message: m.FrontendMessage) -> None:
    raise ProtocolViolation(f"expected password response, got message type {type(message).__name__}")


def _late_password(conn: PgConnection, message: m.FrontendMessage) -> None:
    raise ProtocolViolation("unexpected password message")


_QUERY_PHASE: dict[type, Handler] = {
    m.Query: _simple_query,
    m.FunctionCall: _simple_query,  # answered like a query: an error, then ReadyForQuery
    m.Parse: _extended,
    m.Bind: _extended,
    m.Describe: _extended,
    m.Execute: _extended,
    m.Close: _extended,
    m.Sync: _sync,
    m.Flush: _hand_on,
    m.Terminate: _close,
    m.CopyFromClient: _hand_on,  # refused by the caller with an error; the state stays
    m.PasswordMessage: _late_password,
}

_RECEIVE: dict[tuple[State, type], Handler] = {
    (State.STARTUP, m.SSLRequest): _hand_on,
    (State.STARTUP, m.GSSENCRequest): _hand_on,
    (State.STARTUP, m.CancelRequest): _close,
    (State.STARTUP, m.StartupMessage): _begin_authentication,
    (State.AUTHENTICATING, m.PasswordMessage): _hand_on,
    (State.AUTHENTICATING, m.Terminate): _close,
    **{(State.READY, kind): handler for kind, handler in _QUERY_PHASE.items()},
    **{(State.EXTENDED, kind): handler for kind, handler in _QUERY_PHASE.items()},
    (State.SKIPPING, m.Sync): _sync,
    (State.SKIPPING, m.Terminate): _close,
}

# What a state does with a message its rows above do not list.
_UNLISTED: dict[State, Handler] = {
    State.AUTHENTICATING: _not_a_password,
    State.SKIPPING: _discard,
}

__all__ = ["DEFAULT_MAX_MESSAGE", "MAX_AUTH_MESSAGE", "MAX_STARTUP_PACKET", "PgConnection", "State"]

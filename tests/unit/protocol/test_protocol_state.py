"""The pgwire protocol state machine fed byte strings only: no socket, no asyncio, no engine.

Each test plays the client with frames from ``pgclient`` and the server with the
connection's send side (and the handshake for start-up and authentication), then
checks the events handed on, the bytes produced and the state reached.
"""

from __future__ import annotations

import struct
import typing

import pytest

from server.config import DEMO_USERS
from server.errors import InvalidPassword, ProtocolViolation, SqlState
from server.policy.throttle import AuthThrottle
from server.policy.users import UserStore
from server.protocol.pgwire import messages as m
from server.protocol.pgwire.auth import AuthMethod, AuthStep
from server.protocol.pgwire.connection import _RECEIVE, PgConnection
from server.protocol.pgwire.framing import MAX_AUTH_MESSAGE
from server.protocol.pgwire.handshake import Handshake
from server.protocol.pgwire.states import State, TransactionStatus
from tests.unit.protocol.pgclient import (
    FLUSH,
    SYNC,
    TERMINATE,
    ScramClient,
    bind,
    describe,
    execute,
    frame,
    parse,
    parse_replies,
    query,
    startup,
)

USERS = UserStore.load(DEMO_USERS)


def events(conn: PgConnection, data: bytes) -> list[m.FrontendMessage]:
    return list(conn.receive(data))


def ready(max_message_size: int = 64 * 1024 * 1024) -> PgConnection:
    """A connection past start-up and authentication, ReadyForQuery sent."""
    conn = PgConnection(max_message_size)
    events(conn, startup(user="admin", database="quiver"))
    conn.authenticated()
    conn.ready_for_query(TransactionStatus.IDLE)
    return conn


def handshake(method: AuthMethod = AuthMethod.SCRAM) -> Handshake:
    return Handshake(method, USERS, "quiver", AuthThrottle(), "10.0.0.1")


def auth_code(reply: m.FrontendMessage | bytes) -> list[int]:
    """The Authentication* request codes in a reply's bytes."""
    assert isinstance(reply, bytes)
    return [struct.unpack("!i", r.body[:4])[0] for r in parse_replies(reply) if r.kind == "R"]


# -- start-up ------------------------------------------------------------------------------------


def test_startup_packet_is_an_event_and_authentication_begins() -> None:
    conn = PgConnection()
    assert conn.state is State.STARTUP
    [event] = events(conn, startup(user="admin", database="quiver"))
    assert event == m.StartupMessage(m.PROTOCOL_3_0, {"user": "admin", "database": "quiver"})
    assert conn.state is State.AUTHENTICATING


def test_ssl_request_refused_with_n_then_start_up_in_clear() -> None:
    conn = PgConnection()
    assert events(conn, struct.pack("!ii", 8, m.SSL_REQUEST)) == [m.SSLRequest()]
    assert conn.ssl_response(accept=False) == b"N"
    assert conn.state is State.STARTUP
    assert isinstance(events(conn, startup(user="a"))[0], m.StartupMessage)


def test_ssl_request_accepted_waits_for_tls_and_refuses_clear_bytes() -> None:
    conn = PgConnection()
    events(conn, struct.pack("!ii", 8, m.SSL_REQUEST))
    assert conn.ssl_response(accept=True) == b"S"
    assert conn.state is State.TLS_HANDSHAKE
    with pytest.raises(ProtocolViolation, match="unencrypted data after SSL request"):
        events(conn, startup(user="a"))


def test_clear_bytes_sent_along_with_the_ssl_request_are_refused_when_tls_starts() -> None:
    conn = PgConnection()
    events(conn, struct.pack("!ii", 8, m.SSL_REQUEST) + startup(user="a")[:6])  # a client that did not wait
    conn.ssl_response(accept=True)
    with pytest.raises(ProtocolViolation):
        conn.tls_started()


def test_after_the_tls_handshake_the_start_up_packet_follows() -> None:
    conn = PgConnection()
    events(conn, struct.pack("!ii", 8, m.SSL_REQUEST))
    conn.ssl_response(accept=True)
    conn.tls_started()
    assert conn.state is State.STARTUP
    assert isinstance(events(conn, startup(user="a"))[0], m.StartupMessage)


def test_gss_encryption_is_refused_with_n() -> None:
    conn = PgConnection()
    assert events(conn, struct.pack("!ii", 8, m.GSSENC_REQUEST)) == [m.GSSENCRequest()]
    assert conn.gssenc_response() == b"N"
    assert conn.state is State.STARTUP


def test_cancel_request_is_the_last_message() -> None:
    conn = PgConnection()
    data = struct.pack("!iiii", 16, m.CANCEL_REQUEST, 77, 99)
    assert events(conn, data + query("SELECT 1")) == [m.CancelRequest(77, 99)]
    assert conn.state is State.CLOSED
    assert events(conn, query("SELECT 1")) == []


# -- authentication ------------------------------------------------------------------------------


def test_scram_exchange_step_by_step() -> None:
    conn, shake, client = PgConnection(), handshake(), ScramClient("admin", "admin-pass")
    [packet] = events(conn, startup(user="admin", database="quiver"))
    assert isinstance(packet, m.StartupMessage)
    request = shake.start(packet, draining=False, connections=0, max_connections=10)
    assert auth_code(request) == [10] and b"SCRAM-SHA-256" in request  # AuthenticationSASL
    assert shake.authenticator is not None and shake.authenticator.step_expected is AuthStep.SASL_INITIAL
    assert shake.delay() == 0.0  # the first SCRAM message checks nothing: no back-off before it

    [first] = events(conn, client.first())
    assert isinstance(first, m.PasswordMessage)
    challenge = shake.step(first.data)
    assert auth_code(challenge) == [11]  # AuthenticationSASLContinue
    assert shake.authenticator.step_expected is AuthStep.SASL_RESPONSE
    assert conn.state is State.AUTHENTICATING

    [final] = events(conn, client.final(parse_replies(challenge)[0].body[4:].decode()))
    assert isinstance(final, m.PasswordMessage)
    outcome = shake.step(final.data)
    assert auth_code(outcome) == [12, 0]  # AuthenticationSASLFinal, AuthenticationOk
    assert parse_replies(outcome)[0].body[4:].decode() == f"v={client.expected_server_signature()}"
    assert shake.done

    conn.authenticated()
    session = shake.session(process_id=7)
    welcome = parse_replies(shake.welcome(session, 7, 1234))
    assert {r.kind for r in welcome} == {"S", "K"}
    assert struct.unpack("!ii", welcome[-1].body) == (7, 1234)
    assert conn.ready_for_query(session.status) == b"Z\x00\x00\x00\x05I"
    assert conn.state is State.READY


class CountingThrottle(AuthThrottle):
    """The back-off, recording the failures it is told of."""

    def __init__(self) -> None:
        super().__init__()
        self.failures: list[tuple[str, str | None]] = []

    def failed(self, user: str, address: str | None) -> None:
        self.failures.append((user, address))
        super().failed(user, address)


def test_wrong_scram_proof_is_28p01_and_counts_for_the_back_off() -> None:
    throttle = CountingThrottle()
    conn, client = PgConnection(), ScramClient("admin", "not-the-password")
    shake = Handshake(AuthMethod.SCRAM, USERS, "quiver", throttle, "10.0.0.1")
    [packet] = events(conn, startup(user="admin", database="quiver"))
    assert isinstance(packet, m.StartupMessage)
    shake.start(packet, draining=False, connections=0, max_connections=10)
    [first] = events(conn, client.first())
    assert isinstance(first, m.PasswordMessage)
    challenge = shake.step(first.data)
    [final] = events(conn, client.final(parse_replies(challenge)[0].body[4:].decode()))
    assert isinstance(final, m.PasswordMessage)
    with pytest.raises(InvalidPassword) as caught:
        shake.step(final.data)
    assert caught.value.sqlstate is SqlState.INVALID_PASSWORD
    assert not shake.done
    assert throttle.failures == [("admin", "10.0.0.1")]


@pytest.mark.parametrize(
    ("parameters", "draining", "connections", "expected"),
    [
        ({"database": "quiver"}, False, 0, "no PostgreSQL user name specified in startup packet"),
        ({"user": "admin"}, True, 0, "the database system is shutting down"),
        ({"user": "admin"}, False, 10, "sorry, too many clients already"),
        ({"user": "admin", "database": "other"}, False, 0, 'database "other" does not exist'),
    ],
    ids=["no-user", "draining", "full", "wrong-database"],
)
def test_start_up_packets_refused_before_authentication(
    parameters: dict[str, str], draining: bool, connections: int, expected: str
) -> None:
    packet = m.StartupMessage(m.PROTOCOL_3_0, parameters)
    with pytest.raises(Exception) as caught:
        handshake().start(packet, draining=draining, connections=connections, max_connections=10)
    assert getattr(caught.value, "message", None) == expected


def test_newer_minor_version_and_unknown_options_are_negotiated_down() -> None:
    packet = m.StartupMessage(m.PROTOCOL_3_0 + 2, {"user": "admin", "database": "quiver", "_pq_.compression": "on"})
    replies = parse_replies(handshake().start(packet, draining=False, connections=0, max_connections=10))
    assert [r.kind for r in replies] == ["v", "R"]  # NegotiateProtocolVersion, then the SASL request


def test_only_password_messages_while_authenticating() -> None:
    conn = PgConnection()
    events(conn, startup(user="admin"))
    with pytest.raises(ProtocolViolation, match="expected password response, got message type Query") as caught:
        events(conn, query("SELECT 1"))
    assert caught.value.sqlstate is SqlState.PROTOCOL_VIOLATION


def test_terminate_while_authenticating_closes() -> None:
    conn = PgConnection()
    events(conn, startup(user="admin"))
    assert events(conn, TERMINATE) == [m.Terminate()]
    assert conn.state is State.CLOSED


# -- simple query ----------------------------------------------------------------------------------


def test_simple_query_runs_until_ready_for_query() -> None:
    conn = ready()
    assert events(conn, query("SELECT 1")) == [m.Query("SELECT 1")]
    assert conn.state is State.SIMPLE_QUERY
    assert conn.ready_for_query(TransactionStatus.IN_TRANSACTION) == b"Z\x00\x00\x00\x05T"
    assert conn.state is State.READY
    assert conn.transaction is TransactionStatus.IN_TRANSACTION


def test_an_error_in_a_simple_query_skips_nothing() -> None:
    conn = ready()
    events(conn, query("SELEC 1"))
    error = conn.error(ProtocolViolation("x"))
    assert parse_replies(error)[0].kind == "E"
    assert conn.state is State.SIMPLE_QUERY
    conn.ready_for_query(TransactionStatus.IDLE)
    assert events(conn, query("SELECT 1")) == [m.Query("SELECT 1")]


def test_function_call_is_answered_like_a_query() -> None:
    conn = ready()
    assert events(conn, frame(b"F", b"\0\0\0\0")) == [m.FunctionCall()]
    assert conn.state is State.SIMPLE_QUERY


# -- extended query --------------------------------------------------------------------------------


def test_extended_batch_parse_bind_describe_execute_sync() -> None:
    conn = ready()
    batch = parse("", "SELECT $1") + bind("", "", (b"1",)) + describe("P", "") + execute("", 0)
    got = events(conn, batch)
    assert [type(e) for e in got] == [m.Parse, m.Bind, m.Describe, m.Execute]
    assert conn.state is State.EXTENDED
    assert events(conn, SYNC) == [m.Sync()]
    assert conn.state is State.READY
    assert conn.ready_for_query(TransactionStatus.IDLE) == b"Z\x00\x00\x00\x05I"


def test_error_in_a_batch_skips_everything_until_sync() -> None:
    conn = ready()
    events(conn, parse("", "SELEC 1"))
    conn.error(ProtocolViolation("boom"))
    assert conn.state is State.SKIPPING
    skipped = bind("", "", ()) + describe("P", "") + execute("", 0) + FLUSH + query("SELECT 2") + frame(b"d", b"x")
    assert events(conn, skipped) == []
    assert events(conn, SYNC + query("SELECT 3")) == [m.Sync(), m.Query("SELECT 3")]


def test_skipping_still_frames_and_refuses_malformed_messages() -> None:
    conn = ready()
    events(conn, parse("", "SELEC 1"))
    conn.error(ProtocolViolation("boom"))
    with pytest.raises(ProtocolViolation):
        events(conn, frame(b"Z"))  # no frontend message has this type: the stream cannot be trusted


def test_flush_is_handed_on_and_the_batch_goes_on() -> None:
    conn = ready()
    events(conn, parse("s", "SELECT 1") + describe("S", "s"))
    assert events(conn, FLUSH) == [m.Flush()]  # asyncpg waits for the Describe answer here
    assert conn.state is State.EXTENDED
    assert events(conn, bind("", "s", ()) + execute() + SYNC)[-1] == m.Sync()


def test_a_query_inside_a_batch_is_answered_and_the_batch_ends() -> None:
    conn = ready()
    events(conn, parse("", "BEGIN") + bind("", "", ()) + execute())
    assert events(conn, query("SELECT 1")) == [m.Query("SELECT 1")]
    assert conn.state is State.SIMPLE_QUERY
    conn.ready_for_query(TransactionStatus.IN_TRANSACTION)
    assert conn.state is State.READY


# -- COPY OUT ----------------------------------------------------------------------------------


def test_copy_out_in_a_query_and_back() -> None:
    conn = ready()
    events(conn, query("COPY (SELECT 1) TO STDOUT"))
    response = conn.copy_out(0, [0])
    assert parse_replies(response)[0].kind == "H"
    assert conn.state is State.COPY_OUT
    assert parse_replies(conn.copy_done())[0].kind == "c"
    assert conn.state is State.SIMPLE_QUERY


def test_an_error_during_copy_out_in_a_batch_skips_to_sync() -> None:
    conn = ready()
    events(conn, parse("", "COPY (SELECT 1) TO STDOUT") + bind("", "", ()) + execute())
    conn.copy_out(0, [0])
    conn.error(ProtocolViolation("stream failed"))
    assert conn.state is State.SKIPPING


def test_copy_out_cannot_begin_outside_a_query() -> None:
    with pytest.raises(ProtocolViolation):
        ready().copy_out(0, [0])


def test_copy_data_from_the_client_is_handed_on_to_be_refused() -> None:
    conn = ready()
    assert events(conn, frame(b"d", b"1\n")) == [m.CopyFromClient("d")]
    assert conn.state is State.READY


# -- Terminate, wrong messages ---------------------------------------------------------------------


def test_terminate_ends_the_connection_and_later_bytes_are_ignored() -> None:
    conn = ready()
    assert events(conn, TERMINATE + query("SELECT 1")) == [m.Terminate()]
    assert conn.state is State.CLOSED
    assert events(conn, query("SELECT 1")) == []


def test_terminate_is_honoured_while_skipping() -> None:
    conn = ready()
    events(conn, parse("", "x"))
    conn.error(ProtocolViolation("boom"))
    assert events(conn, TERMINATE) == [m.Terminate()]
    assert conn.state is State.CLOSED


@pytest.mark.parametrize(
    ("prepare", "data", "expected"),
    [
        ("ready", frame(b"p", b"secret\0"), "unexpected password message"),
        ("simple", query("SELECT 2"), "unexpected message Query in state simple query"),
        ("simple", SYNC, "unexpected message Sync in state simple query"),
        ("copy", parse("", "SELECT 1"), "unexpected message Parse in state copy out"),
    ],
    ids=["password-after-login", "query-before-answer", "sync-before-answer", "parse-during-copy"],
)
def test_a_message_not_allowed_in_the_state_is_08p01(prepare: str, data: bytes, expected: str) -> None:
    conn = ready()
    if prepare in ("simple", "copy"):
        events(conn, query("SELECT 1"))
    if prepare == "copy":
        conn.copy_out(0, [0])
    with pytest.raises(ProtocolViolation) as caught:
        events(conn, data)
    assert caught.value.message == expected
    assert caught.value.sqlstate is SqlState.PROTOCOL_VIOLATION


def test_every_query_phase_message_has_a_handler_in_ready_and_in_a_batch() -> None:
    for state in (State.READY, State.EXTENDED):
        for kind in (m.Query, m.Parse, m.Bind, m.Describe, m.Execute, m.Close, m.Sync, m.Flush, m.Terminate):
            assert (state, kind) in _RECEIVE


# -- framing: short, long and split frames ---------------------------------------------------------


@pytest.mark.parametrize(
    ("prepare", "data", "expected"),
    [
        ("startup", struct.pack("!i", 7), "invalid length of startup packet"),
        ("startup", struct.pack("!i", 10_001), "invalid length of startup packet"),
        ("ready", b"Q" + struct.pack("!i", 3), "invalid message length 3"),
        ("ready", b"Q" + struct.pack("!i", 1025), "message of 1025 bytes exceeds the limit of 1024 bytes"),
        (
            "auth",
            b"p" + struct.pack("!i", MAX_AUTH_MESSAGE + 1),
            f"authentication message of {MAX_AUTH_MESSAGE + 1} bytes exceeds the limit of {MAX_AUTH_MESSAGE} bytes",
        ),
    ],
    ids=["startup-short", "startup-long", "message-short", "message-long", "auth-long"],
)
def test_bad_lengths_are_refused_on_the_header(prepare: str, data: bytes, expected: str) -> None:
    if prepare == "startup":
        conn = PgConnection()
    elif prepare == "auth":
        conn = PgConnection()
        events(conn, startup(user="a"))
    else:
        conn = ready(max_message_size=1024)
    with pytest.raises(ProtocolViolation) as caught:
        events(conn, data)  # the header alone: no body is waited for
    assert caught.value.message == expected


def test_a_message_split_anywhere_waits_for_its_last_byte() -> None:
    conn = ready()
    data = parse("s", "SELECT 42") + SYNC
    got: list[m.FrontendMessage] = []
    for index in range(len(data)):
        got += events(conn, data[index : index + 1])
    assert got == [m.Parse("s", "SELECT 42", ()), m.Sync()]
    assert conn.buffered == 0


def test_the_backend_has_a_handler_for_every_frontend_message_type() -> None:
    from server.protocol.pgwire.backend import _DISPATCH

    assert set(typing.get_args(m.FrontendMessage)) == set(_DISPATCH)

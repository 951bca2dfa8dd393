"""Before authentication a message may be only as long as an authentication message needs to be.

Issue 9: four unfinished 59 MB password messages added 270 MiB to the server,
because the 64 MiB limit meant for queries also applied to a client nobody had
authenticated yet. The framing now refuses such a message as soon as its length
header is read, without waiting for (or buffering) its body.
"""

from __future__ import annotations

import struct

import pytest

from server.errors import ProtocolViolation, SqlState
from server.protocol.pgwire import messages as m
from server.protocol.pgwire.connection import MAX_AUTH_MESSAGE, MAX_STARTUP_PACKET, PgConnection, State


def startup(**params: str) -> bytes:
    body = struct.pack("!i", m.PROTOCOL_3_0)
    body += b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items()) + b"\0"
    return struct.pack("!i", len(body) + 4) + body


def frame(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def authenticating() -> PgConnection:
    conn = PgConnection()  # the default post-authentication limit: 64 MiB
    (message,) = conn.receive(startup(user="a"))
    assert isinstance(message, m.StartupMessage) and dict(message.parameters) == {"user": "a"}
    assert conn.state is State.AUTHENTICATING
    return conn


def test_the_bound_is_postgresqls_auth_token_limit() -> None:
    # PostgreSQL reads password and SASL messages with a 65,535-byte cap (PG_MAX_AUTH_TOKEN_LENGTH);
    # the length word counts itself, hence the 4.
    assert MAX_AUTH_MESSAGE == 65_535 + 4
    assert MAX_STARTUP_PACKET == 10_000


def test_a_59_mb_password_message_is_refused_at_its_header() -> None:
    conn = authenticating()
    header = b"p" + struct.pack("!i", 59_000_000)
    with pytest.raises(ProtocolViolation) as caught:
        list(conn.receive(header + b"x" * 1000))  # the header and the first bytes of the body
    assert caught.value.sqlstate is SqlState.PROTOCOL_VIOLATION
    assert caught.value.message == "authentication message of 59000000 bytes exceeds the limit of 65539 bytes"


def test_the_header_alone_is_enough_to_refuse() -> None:
    conn = authenticating()
    with pytest.raises(ProtocolViolation):
        list(conn.receive(b"p" + struct.pack("!i", MAX_AUTH_MESSAGE + 1)))


def test_an_auth_message_at_the_bound_is_accepted() -> None:
    conn = authenticating()
    body = b"x" * (MAX_AUTH_MESSAGE - 4)
    assert list(conn.receive(frame(b"p", body))) == [m.PasswordMessage(body)]


def test_any_message_kind_is_bounded_before_authentication() -> None:
    # A query is refused while authenticating anyway, but it must not be buffered first.
    conn = authenticating()
    with pytest.raises(ProtocolViolation) as caught:
        list(conn.receive(b"Q" + struct.pack("!i", 1_000_000)))
    assert "exceeds the limit of 65539 bytes" in caught.value.message


def test_after_authentication_the_configured_limit_applies() -> None:
    conn = authenticating()
    conn.authenticated()
    text = b"SELECT '" + b"x" * 200_000 + b"'\0"
    assert list(conn.receive(frame(b"Q", text))) == [m.Query(text[:-1].decode())]


def test_the_configured_limit_still_refuses_after_authentication() -> None:
    conn = PgConnection(max_message_size=100_000)
    list(conn.receive(startup(user="a")))
    conn.authenticated()
    with pytest.raises(ProtocolViolation) as caught:
        list(conn.receive(b"Q" + struct.pack("!i", 100_001)))
    assert caught.value.hint == "Raise QUIVER_PG_MAX_MESSAGE_BYTES, or send a shorter statement."


def test_a_smaller_configured_limit_wins_before_authentication_too() -> None:
    conn = PgConnection(max_message_size=1_000)
    list(conn.receive(startup(user="a")))
    with pytest.raises(ProtocolViolation):
        list(conn.receive(b"p" + struct.pack("!i", 1_001)))

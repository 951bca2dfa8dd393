"""The sans-IO connection fed byte strings: framing, phases, illegal messages, limits, garbage."""

from __future__ import annotations

import struct

import pytest

from server.errors import ProtocolViolation
from server.protocol.pgwire import messages as m
from server.protocol.pgwire.connection import PgConnection, State
from server.protocol.pgwire.states import TransactionStatus


def startup(**params: str) -> bytes:
    body = (
        struct.pack("!i", m.PROTOCOL_3_0)
        + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items())
        + b"\0"
    )
    return struct.pack("!i", len(body) + 4) + body


def frame(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def list_(conn: PgConnection, data: bytes) -> list[m.FrontendMessage]:
    return list(conn.receive(data))


def ready() -> PgConnection:
    conn = PgConnection()
    list_(conn, startup(user="admin", database="quiver"))
    conn.authenticated()
    return conn


def test_startup_message_is_decoded_and_moves_to_authentication() -> None:
    conn = PgConnection()
    [message] = list_(conn, startup(user="admin", database="quiver", application_name="psql"))
    assert message == m.StartupMessage(
        m.PROTOCOL_3_0, {"user": "admin", "database": "quiver", "application_name": "psql"}
    )
    assert conn.state is State.AUTHENTICATING


def test_startup_packet_split_across_reads() -> None:
    conn = PgConnection()
    data = startup(user="admin")
    assert list_(conn, data[:3]) == []
    assert list_(conn, data[3:10]) == []
    assert len(list_(conn, data[10:])) == 1


def test_ssl_and_gssenc_requests_stay_in_startup() -> None:
    conn = PgConnection()
    assert list_(conn, struct.pack("!ii", 8, m.GSSENC_REQUEST)) == [m.GSSENCRequest()]
    assert list_(conn, struct.pack("!ii", 8, m.SSL_REQUEST)) == [m.SSLRequest()]
    assert conn.state is State.STARTUP
    assert isinstance(list_(conn, startup(user="a"))[0], m.StartupMessage)


def test_cancel_request_closes() -> None:
    conn = PgConnection()
    assert list_(conn, struct.pack("!iiii", 16, m.CANCEL_REQUEST, 1234, 5678)) == [m.CancelRequest(1234, 5678)]
    assert conn.state is State.CLOSED
    assert list_(conn, frame(b"Q", b"SELECT 1\0")) == []


@pytest.mark.parametrize(
    "data",
    [
        struct.pack("!i", 4),  # shorter than a header
        struct.pack("!i", 1_000_000),  # longer than any start-up packet
        struct.pack("!ii", 8, 2 << 16),  # protocol 2.0
        struct.pack("!ii", 12, m.PROTOCOL_3_0) + b"ab",  # parameters without terminators
    ],
    ids=["too-short", "too-long", "protocol-2", "unterminated"],
)
def test_bad_startup_packets_are_protocol_violations(data: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        list_(PgConnection(), data + b"\0" * 8)


def test_only_password_messages_while_authenticating() -> None:
    conn = PgConnection()
    list_(conn, startup(user="admin"))
    assert list_(conn, frame(b"p", b"secret\0")) == [m.PasswordMessage(b"secret\0")]
    with pytest.raises(ProtocolViolation):
        list_(conn, frame(b"Q", b"SELECT 1\0"))


def test_every_frontend_message_type_decodes() -> None:
    conn = ready()
    assert list_(conn, frame(b"Q", b"SELECT 1\0")) == [m.Query("SELECT 1")]
    conn.ready_for_query(TransactionStatus.IDLE)  # the query answered: the next may come
    data = (
        frame(b"P", b"s1\0SELECT $1\0" + struct.pack("!hI", 1, 23))
        + frame(
            b"B", b"p1\0s1\0" + struct.pack("!hh", 1, 0) + struct.pack("!hi", 1, 1) + b"7" + struct.pack("!hh", 1, 1)
        )
        + frame(b"D", b"Pp1\0")
        + frame(b"E", b"p1\0" + struct.pack("!i", 10))
        + frame(b"C", b"Ss1\0")
        + frame(b"H")
        + frame(b"S")
    )
    messages = list_(conn, data)
    assert messages == [
        m.Parse("s1", "SELECT $1", (23,)),
        m.Bind("p1", "s1", (0,), (b"7",), (1,)),
        m.Describe("P", "p1"),
        m.Execute("p1", 10),
        m.Close("S", "s1"),
        m.Flush(),
        m.Sync(),
    ]


def test_null_parameter_in_bind() -> None:
    conn = ready()
    [bind] = list_(conn, frame(b"B", b"\0\0" + struct.pack("!h", 0) + struct.pack("!hi", 1, -1) + struct.pack("!h", 0)))
    assert bind == m.Bind("", "", (), (None,), ())


@pytest.mark.parametrize(
    "data",
    [
        frame(b"Q", b"SELECT 1"),  # missing terminator
        frame(b"B", b"\0\0" + struct.pack("!h", 5)),  # counts more formats than present
        frame(b"B", b"\0\0" + struct.pack("!h", 0) + struct.pack("!hi", 1, 100) + b"x"),  # value longer than body
        frame(b"D", b"X\0"),  # bad describe subtype
        frame(b"E", b"p\0"),  # missing row limit
        frame(b"S", b"junk"),  # Sync with a body
        frame(b"Z"),  # a backend message type from a client
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # garbage after start-up (an HTTP request)
    ],
    ids=[
        "unterminated-query",
        "bind-formats",
        "bind-value",
        "describe-kind",
        "execute-short",
        "sync-body",
        "unknown-type",
        "garbage",
    ],
)
def test_malformed_messages_are_protocol_violations(data: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        list_(ready(), data)


def test_invalid_length_is_rejected() -> None:
    with pytest.raises(ProtocolViolation) as caught:
        list_(ready(), b"Q" + struct.pack("!i", 2))
    assert caught.value.message == "invalid message length 2"


def test_oversized_message_is_rejected_before_it_is_read() -> None:
    conn = PgConnection(max_message_size=1024)
    list_(conn, startup(user="a"))
    conn.authenticated()
    with pytest.raises(ProtocolViolation) as caught:
        list_(conn, b"Q" + struct.pack("!i", 10_000))  # only the header has arrived
    assert "exceeds the limit of 1024 bytes" in caught.value.message


def test_truncated_message_waits_for_the_rest() -> None:
    conn = ready()
    data = frame(b"Q", b"SELECT 42\0")
    assert list_(conn, data[:7]) == []
    assert list_(conn, data[7:]) == [m.Query("SELECT 42")]


def failed_batch() -> PgConnection:
    """A connection whose extended batch just failed: a Parse, answered with an ErrorResponse."""
    conn = ready()
    assert list_(conn, frame(b"P", b"\0SELECT x\0\0\0")) == [m.Parse("", "SELECT x", ())]
    conn.error(ProtocolViolation("boom"))
    assert conn.state is State.SKIPPING
    return conn


def test_after_an_error_everything_until_sync_is_discarded() -> None:
    conn = failed_batch()
    skipped = list_(conn, frame(b"B", b"\0\0\0\0\0\0\0\0") + frame(b"E", b"\0\0\0\0\0") + frame(b"H"))
    assert skipped == []
    assert list_(conn, frame(b"S")) == [m.Sync()]
    assert conn.state is State.READY
    assert list_(conn, frame(b"Q", b"SELECT 1\0")) == [m.Query("SELECT 1")]


def test_terminate_is_honoured_even_while_skipping() -> None:
    conn = failed_batch()
    assert list_(conn, frame(b"X")) == [m.Terminate()]
    assert conn.state is State.CLOSED


def test_backend_messages_encode_as_postgresql_expects() -> None:
    assert m.ready_for_query("I") == b"Z\x00\x00\x00\x05I"
    assert m.command_complete("SELECT 1") == b"C\x00\x00\x00\x0dSELECT 1\x00"
    assert m.parameter_status("TimeZone", "UTC") == b"S\x00\x00\x00\x11TimeZone\x00UTC\x00"
    assert m.backend_key_data(7, 9) == b"K\x00\x00\x00\x0c\x00\x00\x00\x07\x00\x00\x00\x09"
    description = m.row_description([m.FieldDescription("n", 23, 4, -1, 1234, 2, 0)])
    assert description == (b"T\x00\x00\x00\x1a\x00\x01n\x00" + struct.pack("!IhIhih", 1234, 2, 23, 4, -1, 0))

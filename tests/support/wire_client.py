"""A minimal raw PostgreSQL v3 client over a real socket, for fuzz, abuse and soak runs.

Unlike a driver it never refuses to send what a test asks for: any byte string can
go out at any point of the conversation (a start-up packet with a wrong length, a
Bind with the wrong number of parameters, half a message). It can also do what a
well-behaved client does (start-up, SCRAM-SHA-256 login, simple and extended
queries), so a test reaches the state it wants to fuzz before it starts lying.

Every ErrorResponse the server sends is kept in :attr:`WireClient.errors`, so the
caller can judge all of them (SQLSTATE present, no internal error, no traceback).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import select
import socket
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

PROTOCOL_3_0 = 196608  # 3 << 16
SSL_REQUEST_CODE = 80877103
CANCEL_REQUEST_CODE = 80877102

# Authentication request codes (the int32 after an 'R' message's length).
AUTH_OK = 0
AUTH_SASL = 10
AUTH_SASL_CONTINUE = 11
AUTH_SASL_FINAL = 12


# -- message builders ---------------------------------------------------------------------------------


def frame(kind: bytes, body: bytes = b"") -> bytes:
    """A typed message: one kind byte, an int32 length counting itself, the body."""
    return kind + struct.pack("!i", len(body) + 4) + body


def cstr(text: str | bytes) -> bytes:
    return (text.encode() if isinstance(text, str) else text) + b"\0"


def startup_packet(version: int = PROTOCOL_3_0, **parameters: str) -> bytes:
    body = struct.pack("!i", version) + b"".join(cstr(k) + cstr(v) for k, v in parameters.items()) + b"\0"
    return struct.pack("!i", len(body) + 4) + body


def ssl_request() -> bytes:
    return struct.pack("!ii", 8, SSL_REQUEST_CODE)


def cancel_request(process_id: int, secret: int) -> bytes:
    return struct.pack("!iiii", 16, CANCEL_REQUEST_CODE, process_id, secret)


def query(text: str | bytes) -> bytes:
    return frame(b"Q", cstr(text))


def parse(name: str, text: str | bytes, types: Iterable[int] = ()) -> bytes:
    oids = tuple(types)
    return frame(
        b"P", cstr(name) + cstr(text) + struct.pack("!H", len(oids)) + b"".join(struct.pack("!I", t) for t in oids)
    )


def bind(
    portal: str,
    statement: str,
    params: Iterable[bytes | None] = (),
    param_formats: Iterable[int] = (),
    result_formats: Iterable[int] = (),
) -> bytes:
    values, formats, results = tuple(params), tuple(param_formats), tuple(result_formats)
    body = cstr(portal) + cstr(statement)
    body += struct.pack("!H", len(formats)) + b"".join(struct.pack("!h", f) for f in formats)
    body += struct.pack("!H", len(values))
    for value in values:
        body += struct.pack("!i", -1) if value is None else struct.pack("!i", len(value)) + value
    body += struct.pack("!H", len(results)) + b"".join(struct.pack("!h", f) for f in results)
    return frame(b"B", body)


def describe(kind: str, name: str) -> bytes:
    return frame(b"D", kind.encode() + cstr(name))


def execute(portal: str = "", max_rows: int = 0) -> bytes:
    return frame(b"E", cstr(portal) + struct.pack("!i", max_rows))


def close(kind: str, name: str) -> bytes:
    return frame(b"C", kind.encode() + cstr(name))


def password(data: bytes) -> bytes:
    return frame(b"p", data)


SYNC = frame(b"S")
FLUSH = frame(b"H")
TERMINATE = frame(b"X")


# -- backend messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    kind: str
    body: bytes

    def fields(self) -> dict[str, str]:
        """ErrorResponse / NoticeResponse fields by their one-letter code."""
        result: dict[str, str] = {}
        for part in self.body.split(b"\0"):
            if part:
                result[chr(part[0])] = part[1:].decode("utf-8", errors="replace")
        return result

    def auth_code(self) -> int:
        return int(struct.unpack_from("!i", self.body, 0)[0]) if self.kind == "R" and len(self.body) >= 4 else -1

    def row(self) -> list[bytes | None]:
        (count,) = struct.unpack_from("!h", self.body, 0)
        pos, values = 2, []
        for _ in range(count):
            (length,) = struct.unpack_from("!i", self.body, pos)
            pos += 4
            if length < 0:
                values.append(None)
            else:
                values.append(self.body[pos : pos + length])
                pos += length
        return values

    def text_row(self) -> list[str | None]:
        return [None if v is None else v.decode("utf-8", errors="replace") for v in self.row()]


class ServerClosed(ConnectionError):
    """The server closed the connection (after what was read so far)."""


class LoginFailed(Exception):
    def __init__(self, error: dict[str, str] | None, messages: list[Message]) -> None:
        super().__init__(f"login failed: {error}")
        self.error = error
        self.messages = messages


@dataclass
class Result:
    """What one round trip (up to ReadyForQuery, or the end of the connection) brought back."""

    messages: list[Message] = field(default_factory=list)
    closed: bool = False  # the server closed the connection
    timed_out: bool = False  # the server said nothing more within the timeout

    @property
    def errors(self) -> list[dict[str, str]]:
        return [m.fields() for m in self.messages if m.kind == "E"]

    @property
    def rows(self) -> list[list[str | None]]:
        return [m.text_row() for m in self.messages if m.kind == "D"]

    @property
    def ready(self) -> bool:
        return any(m.kind == "Z" for m in self.messages)


# -- the client ---------------------------------------------------------------------------------------


class WireClient:
    """One TCP connection to a PostgreSQL-protocol server, at the byte level."""

    def __init__(self, host: str, port: int, *, source: str | None = None, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.sock = socket.create_connection(
            (host, port), timeout=timeout, source_address=(source, 0) if source else None
        )
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = bytearray()
        self.eof = False
        self.errors: list[dict[str, str]] = []  # every ErrorResponse seen on this connection
        self.process_id = 0
        self.secret = 0

    # -- bytes ----------------------------------------------------------------------------------------

    def send(self, data: bytes) -> bool:
        """Send ``data``; False when the server had already closed (a reset is an answer too)."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def half_close(self) -> None:
        """No more bytes from us: the server sees end-of-file after what was sent."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self) -> WireClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _fill(self, deadline: float) -> bool:
        """Read more bytes before ``deadline``; False on timeout; sets :attr:`eof` at end of stream."""
        remaining = max(0.0, deadline - time.monotonic())  # 0: a poll
        readable, _, _ = select.select([self.sock], [], [], remaining)
        if not readable:
            return False
        try:
            chunk = self.sock.recv(1 << 16)
        except OSError:  # reset by the server: treated as a close
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self._buffer += chunk
        return True

    def read_message(self, timeout: float | None = None) -> Message | None:
        """The next backend message; None at end of stream or after ``timeout`` seconds of silence."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if len(self._buffer) >= 5:
                (length,) = struct.unpack_from("!i", self._buffer, 1)
                if length < 4:
                    raise ValueError(f"server sent a message with length {length}")
                if len(self._buffer) >= length + 1:
                    message = Message(chr(self._buffer[0]), bytes(self._buffer[5 : length + 1]))
                    del self._buffer[: length + 1]
                    self._note(message)
                    return message
            if self.eof or not self._fill(deadline):
                return None

    def read_byte(self, timeout: float | None = None) -> bytes:
        """One unframed byte (the answer to an SSLRequest); empty at end of stream or on timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self._buffer:
            if self.eof or not self._fill(deadline):
                return b""
        byte = bytes(self._buffer[:1])
        del self._buffer[:1]
        return byte

    def _note(self, message: Message) -> None:
        if message.kind == "E":
            self.errors.append(message.fields())
        elif message.kind == "K" and len(message.body) == 8:
            self.process_id, self.secret = struct.unpack("!ii", message.body)

    def read_until_ready(self, timeout: float | None = None) -> Result:
        """Messages up to and including ReadyForQuery, or up to the server closing or going quiet."""
        result = Result()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            message = self.read_message(max(0.0, deadline - time.monotonic()))
            if message is None:
                result.closed = self.eof
                result.timed_out = not self.eof
                return result
            result.messages.append(message)
            if message.kind == "Z":
                return result

    def drain(self, timeout: float | None = None) -> Result:
        """Every message until the server closes the connection (or ``timeout`` passes)."""
        result = Result()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            message = self.read_message(max(0.0, deadline - time.monotonic()))
            if message is None:
                result.closed = self.eof
                result.timed_out = not self.eof
                return result
            result.messages.append(message)

    def closed_by_server(self, timeout: float = 0.0) -> bool:
        """True once the server has closed its side (reads pending bytes; waits up to ``timeout``)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._fill(deadline) and not self.eof:
                return False
        return True

    # -- conversations --------------------------------------------------------------------------------

    def login(self, user: str, secret: str, database: str = "quiver", **parameters: str) -> Result:
        """Start-up and SCRAM-SHA-256 (or cleartext) authentication, up to ReadyForQuery."""
        self.send(startup_packet(user=user, database=database, **parameters))
        first = self.read_message()
        if first is None or first.kind == "E":
            raise LoginFailed(first.fields() if first else None, [first] if first else [])
        messages = [first]
        if first.kind == "v":  # NegotiateProtocolVersion comes before the authentication request
            first = self.read_message()
            if first is None or first.kind == "E":
                raise LoginFailed(first.fields() if first else None, messages)
            messages.append(first)
        code = first.auth_code()
        if code == AUTH_SASL:
            scram = Scram(user, secret)
            self.send(password(scram.initial()))
            challenge = self._expect_auth(AUTH_SASL_CONTINUE, messages)
            self.send(password(scram.final(challenge.body[4:].decode())))
            self._expect_auth(AUTH_SASL_FINAL, messages)
        elif code == 3:  # cleartext
            self.send(password(cstr(secret)))
        elif code != AUTH_OK:
            raise LoginFailed(None, messages)
        result = self.read_until_ready()
        result.messages[:0] = messages
        if not result.ready:
            raise LoginFailed(result.errors[0] if result.errors else None, result.messages)
        return result

    def _expect_auth(self, code: int, messages: list[Message]) -> Message:
        message = self.read_message()
        if message is None or message.auth_code() != code:
            raise LoginFailed(message.fields() if message and message.kind == "E" else None, messages)
        messages.append(message)
        return message

    def simple(self, sql: str | bytes, timeout: float | None = None) -> Result:
        """A simple Query, up to ReadyForQuery."""
        self.send(query(sql))
        return self.read_until_ready(timeout)

    def extended(self, *messages: bytes, timeout: float | None = None) -> Result:
        """Send extended-protocol messages followed by Sync, up to ReadyForQuery."""
        self.send(b"".join(messages) + SYNC)
        return self.read_until_ready(timeout)


class Scram:
    """The client side of SCRAM-SHA-256 (RFC 5802/7677), without channel binding."""

    def __init__(self, user: str, secret: str) -> None:
        self.secret = secret
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"

    def initial(self) -> bytes:
        data = ("n,," + self.first_bare).encode()
        return cstr("SCRAM-SHA-256") + struct.pack("!i", len(data)) + data

    def final(self, server_first: str) -> bytes:
        attributes = dict(part.split("=", 1) for part in server_first.split(","))
        salt = base64.b64decode(attributes["s"])
        salted = hashlib.pbkdf2_hmac("sha256", self.secret.encode(), salt, int(attributes["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={attributes['r']}"
        auth_message = f"{self.first_bare},{server_first},{without_proof}".encode()
        signature = hmac.new(stored, auth_message, hashlib.sha256).digest()
        proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature, strict=True))).decode()
        return f"{without_proof},p={proof}".encode()

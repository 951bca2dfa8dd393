"""A minimal in-memory PostgreSQL client for driving :class:`Backend` with byte strings in tests.

It builds frontend messages, parses backend ones, and computes the client side
of SCRAM-SHA-256, so whole conversations are tested without sockets.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass, field

from server.protocol.pgwire import messages as m


def startup(**params: str) -> bytes:
    body = struct.pack("!i", m.PROTOCOL_3_0)
    body += b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items()) + b"\0"
    return struct.pack("!i", len(body) + 4) + body


def frame(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def query(text: str) -> bytes:
    return frame(b"Q", text.encode() + b"\0")


def parse(name: str, text: str, types: tuple[int, ...] = ()) -> bytes:
    return frame(
        b"P",
        name.encode()
        + b"\0"
        + text.encode()
        + b"\0"
        + struct.pack("!h", len(types))
        + b"".join(struct.pack("!I", t) for t in types),
    )


def bind(
    portal: str,
    statement: str,
    params: tuple[bytes | None, ...] = (),
    result_formats: tuple[int, ...] = (),
    param_formats: tuple[int, ...] = (),
) -> bytes:
    body = portal.encode() + b"\0" + statement.encode() + b"\0"
    body += struct.pack("!h", len(param_formats)) + b"".join(struct.pack("!h", f) for f in param_formats)
    body += struct.pack("!h", len(params))
    for value in params:
        body += struct.pack("!i", -1) if value is None else struct.pack("!i", len(value)) + value
    body += struct.pack("!h", len(result_formats)) + b"".join(struct.pack("!h", f) for f in result_formats)
    return frame(b"B", body)


def describe(kind: str, name: str) -> bytes:
    return frame(b"D", kind.encode() + name.encode() + b"\0")


def execute(portal: str = "", max_rows: int = 0) -> bytes:
    return frame(b"E", portal.encode() + b"\0" + struct.pack("!i", max_rows))


def close(kind: str, name: str) -> bytes:
    return frame(b"C", kind.encode() + name.encode() + b"\0")


SYNC = frame(b"S")
FLUSH = frame(b"H")
TERMINATE = frame(b"X")


@dataclass
class Reply:
    kind: str
    body: bytes

    def fields(self) -> dict[str, str]:
        """Error/Notice fields by code."""
        result = {}
        for part in self.body.split(b"\0"):
            if part:
                result[chr(part[0])] = part[1:].decode()
        return result

    def cstrings(self) -> list[str]:
        return [p.decode() for p in self.body.split(b"\0")[:-1]]

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
        return [None if v is None else v.decode() for v in self.row()]

    def column_names(self) -> list[str]:
        (count,) = struct.unpack_from("!h", self.body, 0)
        pos, names = 2, []
        for _ in range(count):
            end = self.body.index(b"\0", pos)
            names.append(self.body[pos:end].decode())
            pos = end + 1 + 18
        return names

    def columns(self) -> list[tuple[str, int, int, int, int]]:
        """(name, table oid, attnum, type oid, format) per RowDescription field."""
        (count,) = struct.unpack_from("!h", self.body, 0)
        pos, out = 2, []
        for _ in range(count):
            end = self.body.index(b"\0", pos)
            name = self.body[pos:end].decode()
            table, attnum, type_oid, _size, _mod, fmt = struct.unpack_from("!IhIhih", self.body, end + 1)
            out.append((name, table, attnum, type_oid, fmt))
            pos = end + 1 + 18
        return out


def parse_replies(data: bytes) -> list[Reply]:
    replies, pos = [], 0
    while pos < len(data):
        if data[pos : pos + 1] in (b"N", b"S") and pos == 0 and len(data) == 1:
            return [Reply(data[:1].decode(), b"")]
        kind = data[pos : pos + 1].decode()
        (length,) = struct.unpack_from("!i", data, pos + 1)
        replies.append(Reply(kind, data[pos + 5 : pos + 1 + length]))
        pos += 1 + length
    return replies


class MemoryWriter:
    """The subset of asyncio.StreamWriter a Backend uses, collecting bytes."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def write(self, data: bytes) -> None:
        self.data += data

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def can_write_eof(self) -> bool:
        return False  # as a TLS stream: the backend closes without the lingering read

    async def wait_closed(self) -> None:
        return None

    def get_extra_info(self, name: str) -> object:
        return None

    def take(self) -> bytes:
        out = bytes(self.data)
        self.data.clear()
        return out


@dataclass
class ScramClient:
    user: str
    password: str
    nonce: str = field(default_factory=lambda: base64.b64encode(os.urandom(18)).decode())
    server_first: str = ""
    auth_message: bytes = b""
    salted: bytes = b""

    def first(self) -> bytes:
        self.client_first_bare = f"n=,r={self.nonce}"
        data = ("n,," + self.client_first_bare).encode()
        return frame(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(data)) + data)

    def final(self, server_first: str) -> bytes:
        attributes = dict(part.split("=", 1) for part in server_first.split(","))
        salt = base64.b64decode(attributes["s"])
        self.salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, int(attributes["i"]))
        client_key = hmac.new(self.salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={attributes['r']}"
        self.auth_message = f"{self.client_first_bare},{server_first},{without_proof}".encode()
        signature = hmac.new(stored, self.auth_message, hashlib.sha256).digest()
        proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature, strict=True))).decode()
        return frame(b"p", f"{without_proof},p={proof}".encode())

    def expected_server_signature(self) -> str:
        server_key = hmac.new(self.salted, b"Server Key", hashlib.sha256).digest()
        return base64.b64encode(hmac.new(server_key, self.auth_message, hashlib.sha256).digest()).decode()

"""PostgreSQL protocol v3 messages: frontend messages decoded into frozen dataclasses, backend ones encoded.

Decoding never trusts a length or a count: every read is bounds-checked and a
malformed body raises :class:`ProtocolViolation` (08P01).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.errors import ProtocolViolation, QuiverError

PROTOCOL_3_0 = 196608  # 3 << 16
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102

_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")
_U32 = struct.Struct("!I")
_HEADER = struct.Struct("!ci")


# -- frontend ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartupMessage:
    version: int
    parameters: Mapping[str, str]


@dataclass(frozen=True)
class SSLRequest:
    pass


@dataclass(frozen=True)
class GSSENCRequest:
    pass


@dataclass(frozen=True)
class CancelRequest:
    process_id: int
    secret: int


@dataclass(frozen=True)
class Query:
    text: str


@dataclass(frozen=True)
class Parse:
    name: str
    query: str
    param_types: tuple[int, ...]


@dataclass(frozen=True)
class Bind:
    portal: str
    statement: str
    param_formats: tuple[int, ...]
    params: tuple[bytes | None, ...]
    result_formats: tuple[int, ...]


@dataclass(frozen=True)
class Describe:
    kind: str  # "S" statement or "P" portal
    name: str


@dataclass(frozen=True)
class Execute:
    portal: str
    max_rows: int  # 0: no limit


@dataclass(frozen=True)
class Close:
    kind: str
    name: str


@dataclass(frozen=True)
class Sync:
    pass


@dataclass(frozen=True)
class Flush:
    pass


@dataclass(frozen=True)
class Terminate:
    pass


@dataclass(frozen=True)
class PasswordMessage:
    """'p': a password, a SASLInitialResponse or a SASLResponse, told apart by the auth state."""

    data: bytes


@dataclass(frozen=True)
class CopyFromClient:
    """CopyData, CopyDone or CopyFail from the client (Quiver never asks for them)."""

    kind: str


@dataclass(frozen=True)
class FunctionCall:
    pass


FrontendMessage = (
    StartupMessage
    | SSLRequest
    | GSSENCRequest
    | CancelRequest
    | Query
    | Parse
    | Bind
    | Describe
    | Execute
    | Close
    | Sync
    | Flush
    | Terminate
    | PasswordMessage
    | CopyFromClient
    | FunctionCall
)


class Reader:
    """Bounds-checked reads from one message body."""

    def __init__(self, body: bytes, what: str) -> None:
        self.body = body
        self.pos = 0
        self.what = what

    def _fail(self) -> ProtocolViolation:
        return ProtocolViolation(f"invalid {self.what} message format")

    def int16(self) -> int:
        if self.pos + 2 > len(self.body):
            raise self._fail()
        (value,) = _I16.unpack_from(self.body, self.pos)
        self.pos += 2
        return int(value)

    def int32(self) -> int:
        if self.pos + 4 > len(self.body):
            raise self._fail()
        (value,) = _I32.unpack_from(self.body, self.pos)
        self.pos += 4
        return int(value)

    def uint32(self) -> int:
        if self.pos + 4 > len(self.body):
            raise self._fail()
        (value,) = _U32.unpack_from(self.body, self.pos)
        self.pos += 4
        return int(value)

    def cstring(self) -> str:
        end = self.body.find(b"\x00", self.pos)
        if end < 0:
            raise self._fail()
        raw = self.body[self.pos : end]
        self.pos = end + 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolViolation(f"invalid UTF-8 in {self.what} message") from None

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.body):
            raise self._fail()
        raw = self.body[self.pos : self.pos + n]
        self.pos += n
        return raw

    def byte(self) -> str:
        return self.take(1).decode("latin-1")

    def count(self, limit: int) -> int:
        n = self.int16()
        if n < 0 or n > limit:
            raise self._fail()
        return n

    def end(self) -> None:
        if self.pos != len(self.body):
            raise self._fail()


def decode_startup(body: bytes) -> FrontendMessage:
    """A message of the start-up phase (no type byte): startup, SSL/GSS request or cancel."""
    reader = Reader(body, "startup packet")
    code = reader.int32()
    if code == SSL_REQUEST:
        reader.end()
        return SSLRequest()
    if code == GSSENC_REQUEST:
        reader.end()
        return GSSENCRequest()
    if code == CANCEL_REQUEST:
        process_id = reader.int32()
        secret = reader.int32()
        reader.end()
        return CancelRequest(process_id, secret)
    if code >> 16 != 3:
        raise ProtocolViolation(
            f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}: server supports 3.0 to 3.0"
        )
    parameters: dict[str, str] = {}
    while True:
        key = reader.cstring()
        if not key:
            break
        parameters[key] = reader.cstring()
    reader.end()
    return StartupMessage(code, parameters)


def decode(kind: bytes, body: bytes) -> FrontendMessage:
    """A message of the normal phase, from its type byte and body."""
    if kind == b"Q":
        reader = Reader(body, "Query")
        text = reader.cstring()
        reader.end()
        return Query(text)
    if kind == b"P":
        reader = Reader(body, "Parse")
        name = reader.cstring()
        query = reader.cstring()
        types = tuple(reader.uint32() for _ in range(reader.count(65535)))
        reader.end()
        return Parse(name, query, types)
    if kind == b"B":
        reader = Reader(body, "Bind")
        portal = reader.cstring()
        statement = reader.cstring()
        formats = tuple(reader.int16() for _ in range(reader.count(65535)))
        params: list[bytes | None] = []
        for _ in range(reader.count(65535)):
            length = reader.int32()
            params.append(None if length == -1 else reader.take(length))
        result_formats = tuple(reader.int16() for _ in range(reader.count(65535)))
        reader.end()
        if any(f not in (0, 1) for f in (*formats, *result_formats)):
            raise ProtocolViolation("unsupported format code")
        return Bind(portal, statement, formats, tuple(params), result_formats)
    if kind in (b"D", b"C"):
        what = "Describe" if kind == b"D" else "Close"
        reader = Reader(body, what)
        target = reader.byte()
        name = reader.cstring()
        reader.end()
        if target not in ("S", "P"):
            raise ProtocolViolation(f"invalid {what.upper()} message subtype {ord(target)}")
        return Describe(target, name) if kind == b"D" else Close(target, name)
    if kind == b"E":
        reader = Reader(body, "Execute")
        portal = reader.cstring()
        max_rows = reader.int32()
        reader.end()
        return Execute(portal, max(max_rows, 0))
    if kind in (b"S", b"H", b"X"):
        Reader(body, "Sync").end()
        return Sync() if kind == b"S" else Flush() if kind == b"H" else Terminate()
    if kind == b"p":
        return PasswordMessage(body)
    if kind in (b"d", b"c", b"f"):
        return CopyFromClient(kind.decode())
    if kind == b"F":
        return FunctionCall()
    shown = kind.decode("latin-1")
    raise ProtocolViolation(
        f'invalid frontend message type {ord(shown)} ("{shown}")'
        if shown.isprintable()
        else f"invalid frontend message type {ord(shown)}"
    )


# -- backend ----------------------------------------------------------------------------------


def message(kind: bytes, body: bytes = b"") -> bytes:
    return _HEADER.pack(kind, len(body) + 4) + body


def cstring(text: str) -> bytes:
    return text.encode("utf-8") + b"\x00"


def authentication_ok() -> bytes:
    return message(b"R", _I32.pack(0))


def authentication_cleartext() -> bytes:
    return message(b"R", _I32.pack(3))


def authentication_md5(salt: bytes) -> bytes:
    return message(b"R", _I32.pack(5) + salt)


def authentication_sasl(mechanisms: Sequence[str]) -> bytes:
    return message(b"R", _I32.pack(10) + b"".join(cstring(m) for m in mechanisms) + b"\x00")


def authentication_sasl_continue(data: bytes) -> bytes:
    return message(b"R", _I32.pack(11) + data)


def authentication_sasl_final(data: bytes) -> bytes:
    return message(b"R", _I32.pack(12) + data)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstring(name) + cstring(value))


def backend_key_data(process_id: int, secret: int) -> bytes:
    return message(b"K", _I32.pack(process_id) + _I32.pack(secret))


def ready_for_query(status: str) -> bytes:
    return message(b"Z", status.encode("ascii"))


def negotiate_protocol_version(newest_minor: int, unrecognized: Sequence[str]) -> bytes:
    body = _I32.pack(newest_minor) + _I32.pack(len(unrecognized)) + b"".join(cstring(o) for o in unrecognized)
    return message(b"v", body)


def command_complete(tag: str) -> bytes:
    return message(b"C", cstring(tag))


def empty_query_response() -> bytes:
    return message(b"I")


def parse_complete() -> bytes:
    return message(b"1")


def bind_complete() -> bytes:
    return message(b"2")


def close_complete() -> bytes:
    return message(b"3")


def no_data() -> bytes:
    return message(b"n")


def portal_suspended() -> bytes:
    return message(b"s")


def parameter_description(type_oids: Sequence[int]) -> bytes:
    return message(b"t", _I16.pack(len(type_oids)) + b"".join(_U32.pack(oid) for oid in type_oids))


@dataclass(frozen=True)
class FieldDescription:
    """One column of a RowDescription."""

    name: str
    type_oid: int
    type_size: int = -1
    type_modifier: int = -1
    table_oid: int = 0
    column_number: int = 0
    format: int = 0


def row_description(fields: Sequence[FieldDescription]) -> bytes:
    parts = [_I16.pack(len(fields))]
    for f in fields:
        parts.append(cstring(f.name))
        parts.append(
            struct.pack("!IhIhih", f.table_oid, f.column_number, f.type_oid, f.type_size, f.type_modifier, f.format)
        )
    return message(b"T", b"".join(parts))


def copy_out_response(overall_format: int, column_formats: Sequence[int]) -> bytes:
    body = bytes([overall_format]) + _I16.pack(len(column_formats)) + b"".join(_I16.pack(f) for f in column_formats)
    return message(b"H", body)


def copy_data(data: bytes) -> bytes:
    return message(b"d", data)


def copy_done() -> bytes:
    return message(b"c")


SEVERITY = {"ERROR": "ERROR", "FATAL": "FATAL", "PANIC": "PANIC", "WARNING": "WARNING", "NOTICE": "NOTICE"}


def _fields(severity: str, code: str, text: str, detail: str | None, hint: str | None, position: int | None) -> bytes:
    parts = [b"S" + cstring(severity), b"V" + cstring(severity), b"C" + cstring(code), b"M" + cstring(text)]
    if detail:
        parts.append(b"D" + cstring(detail))
    if hint:
        parts.append(b"H" + cstring(hint))
    if position:
        parts.append(b"P" + cstring(str(position)))
    return b"".join(parts) + b"\x00"


def error_response(error: QuiverError, position_offset: int = 0) -> bytes:
    """ErrorResponse with S, V, C, M and, when known, D, H and P."""
    position = error.position + position_offset if error.position else None
    return message(
        b"E", _fields(error.severity, str(error.sqlstate), error.message, error.detail, error.hint, position)
    )


def notice_response(text: str, code: str = "00000", severity: str = "NOTICE", detail: str | None = None) -> bytes:
    return message(b"N", _fields(severity, code, text, detail, None, None))

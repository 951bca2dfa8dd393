"""Message framing: a byte stream cut into PostgreSQL messages, every length checked before it is trusted.

Two framings share one buffer: the start-up packet (a length word, no type byte)
and the normal one (a type byte, then a length word that counts itself). A
length is refused on the header, so a client never makes the server wait for,
or buffer, a body longer than the caller's limit.
"""

from __future__ import annotations

import struct

from server.errors import ProtocolViolation

DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024
MAX_STARTUP_PACKET = 10_000  # PostgreSQL's own limit for the start-up packet
# Before authentication only password, SASLInitialResponse and SASLResponse messages are
# legitimate, and none needs more than a few hundred bytes (a SCRAM message is ~100). 65,535
# bytes of body is PostgreSQL's own cap on them (PG_MAX_AUTH_TOKEN_LENGTH), room enough for
# a long cleartext password or a GSS token; the length word counts itself, hence the + 4.
# A client nobody has authenticated can so make the server hold at most 64 KiB per
# connection, not QUIVER_PG_MAX_MESSAGE_BYTES (issue 9: four unfinished 59 MB messages
# cost 270 MiB).
MAX_AUTH_MESSAGE = 65_535 + 4

_LENGTH = struct.Struct("!i")


class Framer:
    """Holds the bytes received so far and cuts complete frames off their front."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def startup_packet(self) -> bytes | None:
        """The body of the next start-up packet (after its length word), or None until it is complete."""
        buffer = self._buffer
        if len(buffer) < 4:
            return None
        (length,) = _LENGTH.unpack_from(buffer, 0)
        if length < 8 or length > MAX_STARTUP_PACKET:
            raise ProtocolViolation("invalid length of startup packet")
        if len(buffer) < length:
            return None
        body = bytes(buffer[4:length])
        del buffer[:length]
        return body

    def message(self, limit: int, *, authenticating: bool = False) -> tuple[bytes, bytes] | None:
        """The next (type byte, body), or None until it is complete; longer than ``limit`` is refused.

        ``authenticating`` names the limit in the error as the authentication bound it is.
        """
        buffer = self._buffer
        if len(buffer) < 5:
            return None
        (length,) = _LENGTH.unpack_from(buffer, 1)
        if length < 4:
            raise ProtocolViolation(f"invalid message length {length}")
        if length > limit:
            if authenticating:
                raise ProtocolViolation(f"authentication message of {length} bytes exceeds the limit of {limit} bytes")
            raise ProtocolViolation(
                f"message of {length} bytes exceeds the limit of {limit} bytes",
                hint="Raise QUIVER_PG_MAX_MESSAGE_BYTES, or send a shorter statement.",
            )
        if len(buffer) <= length:
            return None
        kind = bytes(buffer[:1])
        body = bytes(buffer[5 : length + 1])
        del buffer[: length + 1]
        return kind, body

"""The sans-IO half of a PostgreSQL connection: bytes in, messages out, protocol phase tracked.

It never touches a socket (tests feed it byte strings) and knows the rules that
are about the protocol rather than the query: which messages a phase accepts,
how long a message may be, and that after an error in the extended protocol
every message up to the next Sync is discarded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from enum import Enum

from server.errors import ProtocolViolation
from server.protocol.pgwire import messages as m

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


class Phase(Enum):
    STARTUP = "startup"  # expecting a start-up packet (or SSL/GSS request, or cancel)
    AUTHENTICATING = "authenticating"  # expecting password / SASL messages
    READY = "ready"  # normal operation
    SKIPPING = "skipping"  # an extended-protocol error happened: discard until Sync
    CLOSED = "closed"


# Messages allowed while authenticating; everything else there is a protocol violation.
_AUTH_MESSAGES = (m.PasswordMessage, m.Terminate)


class PgConnection:
    """Frames and decodes frontend messages; call :meth:`receive` with bytes as they arrive."""

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE) -> None:
        self.max_message_size = max_message_size
        self.phase = Phase.STARTUP
        self._buffer = bytearray()

    # -- transitions the handler drives --------------------------------------------------------

    def start_authentication(self) -> None:
        self.phase = Phase.AUTHENTICATING

    def authenticated(self) -> None:
        self.phase = Phase.READY

    def skip_until_sync(self) -> None:
        """After an error in an extended-protocol batch: ignore everything up to Sync."""
        if self.phase is Phase.READY:
            self.phase = Phase.SKIPPING

    def close(self) -> None:
        self.phase = Phase.CLOSED

    # -- decoding -------------------------------------------------------------------------------

    def receive(self, data: bytes) -> Iterator[m.FrontendMessage]:
        """Append ``data`` and yield every complete message it finishes (possibly none).

        Messages are decoded as they are consumed, so an error the consumer reports
        (:meth:`skip_until_sync`) discards the rest of the batch up to its Sync.
        """
        if self.phase is Phase.CLOSED:
            return
        self._buffer += data
        while self.phase is not Phase.CLOSED:
            decoded = self._next()
            if decoded is None:
                return
            if self.phase is Phase.SKIPPING:
                if isinstance(decoded, m.Sync):
                    self.phase = Phase.READY
                    yield decoded
                elif isinstance(decoded, m.Terminate):
                    self.phase = Phase.CLOSED
                    yield decoded
                continue
            if self.phase is Phase.AUTHENTICATING and not isinstance(decoded, _AUTH_MESSAGES):
                raise ProtocolViolation(f"expected password response, got message type {type(decoded).__name__}")
            if isinstance(decoded, m.StartupMessage):
                # Everything after a start-up packet is in the normal framing.
                self.phase = Phase.AUTHENTICATING
            if isinstance(decoded, m.CancelRequest | m.Terminate):
                self.phase = Phase.CLOSED
            yield decoded

    def _next(self) -> m.FrontendMessage | None:
        buffer = self._buffer
        if self.phase is Phase.STARTUP:
            if len(buffer) < 4:
                return None
            (length,) = struct.unpack_from("!i", buffer, 0)
            if length < 8 or length > MAX_STARTUP_PACKET:
                raise ProtocolViolation("invalid length of startup packet")
            if len(buffer) < length:
                return None
            body = bytes(buffer[4:length])
            del buffer[:length]
            return m.decode_startup(body)
        if len(buffer) < 5:
            return None
        kind = bytes(buffer[:1])
        (length,) = struct.unpack_from("!i", buffer, 1)
        if length < 4:
            raise ProtocolViolation(f"invalid message length {length}")
        if self.phase is Phase.AUTHENTICATING and length > min(MAX_AUTH_MESSAGE, self.max_message_size):
            # Refused on the header: the body is never waited for nor buffered.
            raise ProtocolViolation(
                f"authentication message of {length} bytes exceeds the limit of "
                f"{min(MAX_AUTH_MESSAGE, self.max_message_size)} bytes"
            )
        if length > self.max_message_size:
            raise ProtocolViolation(
                f"message of {length} bytes exceeds the limit of {self.max_message_size} bytes",
                hint="Raise QUIVER_PG_MAX_MESSAGE_BYTES, or send a shorter statement.",
            )
        if len(buffer) < length + 1:
            return None
        body = bytes(buffer[5 : length + 1])
        del buffer[: length + 1]
        return m.decode(kind, body)

    @property
    def buffered(self) -> int:
        return len(self._buffer)

"""Statement tickets: the SQL to run, signed by this server process, bound to who got it, expiring.

A ticket must stay stateless (a client may never come back for it, so nothing is
stored) and yet mean something only to the identity it was issued to: anyone
holding a copy of another user's ticket, or a ticket that was altered, expired or
issued by another server process, is refused before anything runs. So a ticket
carries its statement and its owner, and an HMAC-SHA-256 over both under a key
drawn at random when the server process starts (a restart invalidates every
ticket, which a client answers by calling GetFlightInfo again).

Layout (all integers big-endian)::

    version (1) | expires, ms of the monotonic clock (8) | nonce (8) | owner (16) | SQL (UTF-8) | MAC (32)

``owner`` is a digest of the caller's policy fingerprint (user name, roles,
attributes, channel): the same user with other roles or attributes is another
owner, since the statement would not mean the same for them. The nonce makes every
ticket distinct, so a cancel names exactly one stream.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
import time
from collections.abc import Callable

from server.errors import CharacterNotInRepertoire, InsufficientPrivilege, InvalidAuthorization
from server.policy.identity import Caller

VERSION = 1
_HEADER = struct.Struct(">BQ8s16s")
_MAC_BYTES = 32
DEFAULT_LIFETIME = 3600.0


class TicketRefused(InvalidAuthorization):
    """28000 for one call: the ticket is refused, the client's session (its bearer token) stays good."""

    severity = "ERROR"


def owner_digest(caller: Caller) -> bytes:
    """Who a ticket belongs to: everything that decides what its statement means for the caller."""
    return hashlib.sha256(caller.fingerprint.encode()).digest()[:16]


class TicketSigner:
    """Issues and opens statement tickets for one server process."""

    def __init__(
        self,
        lifetime: float = DEFAULT_LIFETIME,
        *,
        key: bytes | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not lifetime > 0:
            raise ValueError(f"QUIVER_FLIGHT_TICKET_LIFETIME must be a positive number of seconds, not {lifetime}")
        self.lifetime = lifetime
        self._key = key or secrets.token_bytes(32)
        self._clock = clock

    def issue(self, caller: Caller, sql: str) -> bytes:
        """A ticket that runs ``sql`` for ``caller`` until ``lifetime`` seconds from now."""
        expires = int((self._clock() + self.lifetime) * 1000)
        body = _HEADER.pack(VERSION, expires, secrets.token_bytes(8), owner_digest(caller)) + sql.encode()
        return body + self._mac(body)

    def open(self, caller: Caller, ticket: bytes, *, check_expiry: bool = True) -> str:
        """The statement of ``ticket`` if it is genuine, ``caller``'s and (unless asked not to) current.

        Refusals: altered, truncated or foreign tickets 28000; another owner's 42501;
        expired 28000. A cancel skips the expiry check: a stream may outlive its ticket.
        """
        if len(ticket) < _HEADER.size + _MAC_BYTES:
            raise _invalid()
        body, mac = ticket[:-_MAC_BYTES], ticket[-_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(body)):
            raise _invalid()
        version, expires, _nonce, owner = _HEADER.unpack_from(body)
        if version != VERSION:
            raise _invalid()
        if not hmac.compare_digest(owner, owner_digest(caller)):
            raise InsufficientPrivilege(
                "this Flight ticket was issued to another user",
                hint="A ticket runs only for the identity that got it: call GetFlightInfo as this user.",
            )
        if check_expiry and self._clock() * 1000 > expires:
            raise TicketRefused(
                "this Flight ticket has expired",
                hint=f"Tickets are valid for {self.lifetime:g} s: call GetFlightInfo again for a fresh one.",
            )
        try:
            return body[_HEADER.size :].decode("utf-8")
        except UnicodeDecodeError:  # signed by us, so unreachable unless the key leaked
            raise CharacterNotInRepertoire('invalid byte sequence for encoding "UTF8"') from None

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()


def _invalid() -> TicketRefused:
    return TicketRefused(
        "invalid Flight ticket",
        hint="Use a ticket this server issued (GetFlightInfo or ListFlights), unaltered; "
        "tickets do not survive a server restart.",
    )

"""Authentication back-off: failed logins make the next attempt for the same user or address wait.

Issue 9 measured 605 wrong-password guesses per second, so a password was only
as strong as the time it took to try them all. Here every failure is recorded
twice, against the user name and against the client address, and the next
attempt on either waits until ``last failure + back-off(failures)``. The back-off
doubles from :attr:`Backoff.base` to :attr:`Backoff.cap`; a success forgets the
user's failures and a quiet period (:attr:`Backoff.forget_after`) forgets both.

Why these choices:

* The wait comes *before* the credentials are checked, for every attempt, and
  the same whether it will succeed or fail: delaying only failures would let a
  client time out after a few milliseconds and read "no answer yet" as "wrong".
* A success forgets the user's failures but not the address's: otherwise an
  attacker holding one valid account would clear the address's record with it
  between guesses at others.
* The address has a small allowance (a few failures cost nothing) because many
  people may share one (NAT, a BI server); the user has none.
* The table is bounded: keys are fixed-size digests and the oldest records are
  dropped past :data:`MAX_ENTRIES`, so a flood of random user names or
  addresses costs at most a few megabytes.
* It only computes; the caller waits (``await asyncio.sleep`` on the wire,
  so other connections go on; a bounded sleep in a gRPC thread on Flight).

The table is per process: with several wire workers each keeps its own, so a
client spreading connections over N workers gets N times the rate of one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_ENTRIES = 10_000  # per table (users, addresses): about 2.5 MB each when full


@dataclass(frozen=True)
class Backoff:
    """How long the attempt after ``failures`` consecutive failures waits."""

    base: float = 0.1  # seconds after the first counted failure
    cap: float = 5.0  # never more; below the 10 s start-up deadline, so a patient client still gets an answer
    allowance: int = 0  # failures that cost nothing
    forget_after: float = 60.0  # a key with no failure for this long starts afresh

    def wait(self, failures: int) -> float:
        counted = failures - self.allowance
        if counted <= 0:
            return 0.0
        return min(self.cap, self.base * 2.0 ** min(counted - 1, 32))


USER_BACKOFF = Backoff()
ADDRESS_BACKOFF = Backoff(allowance=4)


def _digest(text: str) -> bytes:
    """A fixed-size key, so a 10 kB user name costs the table what a short one does."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def address_key(host: str | None) -> str:
    """The unit an address is throttled by: an IPv4 address, or an IPv6 /64 (what one client usually holds)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class FailureTable:
    """Consecutive failures and the time of the last one, per key; least recently failed dropped first."""

    def __init__(self, backoff: Backoff, max_entries: int = MAX_ENTRIES) -> None:
        self.backoff = backoff
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[int, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _current(self, key: bytes, now: float) -> tuple[int, float]:
        entry = self._entries.get(key)
        if entry is None:
            return 0, now
        failures, last = entry
        if now - last > self.backoff.forget_after:
            del self._entries[key]
            return 0, now
        return failures, last

    def wait(self, key: bytes, now: float) -> float:
        failures, last = self._current(key, now)
        return max(0.0, last + self.backoff.wait(failures) - now) if failures else 0.0

    def failed(self, key: bytes, now: float) -> int:
        failures, _ = self._current(key, now)
        self._entries[key] = (failures + 1, now)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return failures + 1

    def forget(self, key: bytes) -> None:
        self._entries.pop(key, None)


class AuthThrottle:
    """Back-off per user name and per client address; thread-safe (Flight calls arrive on gRPC threads)."""

    def __init__(
        self,
        user_backoff: Backoff = USER_BACKOFF,
        address_backoff: Backoff = ADDRESS_BACKOFF,
        *,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = FailureTable(user_backoff, max_entries)
        self.addresses = FailureTable(address_backoff, max_entries)
        self._clock = clock
        self._lock = threading.Lock()

    def wait(self, user: str, address: str | None) -> float:
        """Seconds to wait before checking the next attempt of ``user`` from ``address`` (0: go ahead)."""
        now = self._clock()
        with self._lock:
            return max(
                self.users.wait(_digest(user), now),
                self.addresses.wait(_digest(address_key(address)), now),
            )

    def failed(self, user: str, address: str | None) -> None:
        now = self._clock()
        with self._lock:
            self.users.failed(_digest(user), now)
            self.addresses.failed(_digest(address_key(address)), now)

    def succeeded(self, user: str, address: str | None) -> None:
        """The user proved who they are: forget their failures (the address keeps its record)."""
        with self._lock:
            self.users.forget(_digest(user))

"""The only state the Flight service keeps between calls, each kind bounded and owned.

* :class:`PreparedStatements`: Flight SQL prepared statements, at most ``limit``
  open per user, dropped after ``idle`` seconds unused by a sweep that runs on
  every create and periodically, not only when a handle is looked up;
* :class:`RunningQueries`: the streams being sent, by owner and ticket, so a cancel
  reaches only the caller's own queries; an entry lives exactly as long as its stream;
* :class:`CallWatch`: notices that a client went away while its call waits on the
  engine (gRPC tells only whoever asks) and cancels that query.
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from connectors.base import CancelToken
from server.errors import ConfigurationLimitExceeded, InvalidStatementName

DEFAULT_MAX_PREPARED = 64
DEFAULT_IDLE = 3600.0


class Owned(Protocol):
    user: str
    used: float


P = TypeVar("P", bound=Owned)


class PreparedStatements(Generic[P]):
    """Prepared statements by handle: random 16-byte handles, each usable only by its creator."""

    def __init__(
        self,
        limit: int = DEFAULT_MAX_PREPARED,
        idle: float = DEFAULT_IDLE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.idle = idle
        self._clock = clock
        self._items: dict[bytes, P] = {}
        self._per_user: dict[str, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def count(self, user: str) -> int:
        return self._per_user.get(user, 0)

    def check_room(self, user: str) -> None:
        """Refuse early (before the statement is compiled) when ``user`` has no slot left."""
        self.sweep()
        with self._lock:
            self._refuse_if_full(user)

    def add(self, item: P) -> bytes:
        """Store ``item`` under a new handle; 53400 when its user already holds ``limit`` statements."""
        self.sweep()
        handle = secrets.token_bytes(16)
        with self._lock:
            self._refuse_if_full(item.user)
            item.used = self._clock()
            self._items[handle] = item
            self._per_user[item.user] = self._per_user.get(item.user, 0) + 1
        return handle

    def get(self, user: str, handle: bytes) -> P:
        """``user``'s statement ``handle`` (and it counts as used now); 26000 for anything else."""
        now = self._clock()
        with self._lock:
            item = self._items.get(handle)
            if item is not None and now - item.used >= self.idle:
                self._remove(handle)
                item = None
            if item is None or item.user != user:
                raise InvalidStatementName(
                    "prepared statement does not exist",
                    detail="It was closed, expired after being unused, or belongs to another user.",
                )
            item.used = now
            return item

    def close(self, user: str, handle: bytes) -> bool:
        """Drop ``user``'s statement ``handle``; another user's handle is left alone."""
        with self._lock:
            item = self._items.get(handle)
            if item is None or item.user != user:
                return False
            self._remove(handle)
            return True

    def sweep(self) -> int:
        """Drop every statement unused for ``idle`` seconds; how many were dropped."""
        now = self._clock()
        with self._lock:
            stale = [h for h, item in self._items.items() if now - item.used >= self.idle]
            for handle in stale:
                self._remove(handle)
        return len(stale)

    def _refuse_if_full(self, user: str) -> None:
        if self._per_user.get(user, 0) >= self.limit:
            raise ConfigurationLimitExceeded(
                f'too many open prepared statements for user "{user}" (at most {self.limit})',
                hint="Close prepared statements that are no longer needed; "
                "the limit per user is QUIVER_FLIGHT_MAX_PREPARED.",
            )

    def _remove(self, handle: bytes) -> None:
        item = self._items.pop(handle)
        left = self._per_user[item.user] - 1
        if left:
            self._per_user[item.user] = left
        else:
            del self._per_user[item.user]


class RunningQueries:
    """The streams being sent, by (owner, ticket): a cancel names a ticket and finds only the caller's."""

    def __init__(self) -> None:
        self._streams: dict[tuple[str, bytes], list[CancelToken]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(tokens) for tokens in self._streams.values())

    def add(self, user: str, ticket: bytes, token: CancelToken) -> None:
        with self._lock:
            self._streams.setdefault((user, ticket), []).append(token)

    def remove(self, user: str, ticket: bytes, token: CancelToken) -> None:
        with self._lock:
            tokens = self._streams.get((user, ticket), [])
            if token in tokens:
                tokens.remove(token)
            if not tokens:
                self._streams.pop((user, ticket), None)

    def cancel(self, user: str, ticket: bytes) -> int:
        """Cancel ``user``'s streams of ``ticket``; how many there were."""
        with self._lock:
            tokens = list(self._streams.get((user, ticket), []))
        for token in tokens:
            token.cancel()
        return len(tokens)


class CallContext(Protocol):
    def is_cancelled(self) -> bool: ...


class CallWatch:
    """Cancels the engine query of a call whose client disconnected while the call waits on the engine.

    A handler thread blocked in the engine (computing an aggregate before its first
    batch) cannot ask gRPC whether the client is still there, so this thread asks for
    it, every ``poll`` seconds, for the calls registered with :meth:`waiting`. A call
    is registered only while its own thread is inside the ``with`` block, and its
    context is read only under the lock that the block's exit takes: the context is
    never touched after the call returns. The same thread runs ``every`` (the idle
    sweep) each ``every_seconds``.
    """

    def __init__(
        self,
        poll: float = 0.1,
        every: Callable[[], Any] | None = None,
        every_seconds: float = 60.0,
    ) -> None:
        self.poll = poll
        self._every = every
        self._every_seconds = every_seconds
        self._calls: dict[int, tuple[CallContext, CancelToken]] = {}
        self._keys = itertools.count()
        self._condition = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="flight-call-watch", daemon=True)
        self._thread.start()

    def __len__(self) -> int:
        with self._condition:
            return len(self._calls)

    @contextlib.contextmanager
    def waiting(self, context: CallContext, token: CancelToken) -> Iterator[None]:
        """While the block runs, a disconnect of ``context``'s client cancels ``token``."""
        with self._condition:
            key = next(self._keys)
            self._calls[key] = (context, token)
            self._condition.notify()
        try:
            yield
        finally:
            with self._condition:
                self._calls.pop(key, None)

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()
        self._thread.join(5)

    def _run(self) -> None:
        next_sweep = time.monotonic() + self._every_seconds
        while True:
            with self._condition:
                if self._stopped:
                    return
                if not self._calls:
                    self._condition.wait(max(0.0, next_sweep - time.monotonic()))
                else:
                    self._condition.wait(self.poll)
                if self._stopped:
                    return
                gone = [token for context, token in self._calls.values() if _is_cancelled(context)]
            for token in gone:
                token.cancel()
            if self._every is not None and time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self._every_seconds
                with contextlib.suppress(Exception):  # a failed sweep must not end the watch
                    self._every()


def _is_cancelled(context: CallContext) -> bool:
    try:
        return bool(context.is_cancelled())
    except Exception:
        return False

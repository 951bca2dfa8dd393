"""Per-user query concurrency: a counter per user, refused (53400) past the limit rather than queued.

Refusing is deliberate: a BI tool that opens twenty queries at once gets a clear
error for the excess at once, instead of timeouts that look like a slow server.
Counts are per server process (each wire worker keeps its own).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from server.errors import ConfigurationLimitExceeded


class ConcurrencySlots:
    def __init__(self) -> None:
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, user: str, limit: int | None) -> Callable[[], None]:
        """Take a slot for ``user`` (raising when ``limit`` are running); returns the release function."""
        with self._lock:
            running = self._running.get(user, 0)
            if limit is not None and running >= limit:
                raise ConfigurationLimitExceeded(
                    f'user "{user}" already runs {running} queries, the most allowed at once',
                    hint="Wait for a query to finish, or ask for a higher max_concurrent_queries.",
                )
            self._running[user] = running + 1
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                left = self._running.get(user, 1) - 1
                if left:
                    self._running[user] = left
                else:
                    self._running.pop(user, None)

        return release

    def running(self, user: str) -> int:
        with self._lock:
            return self._running.get(user, 0)

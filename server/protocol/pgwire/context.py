"""What every connection of one worker process shares: the engine, the users, the caps, the drain.

Admission (the caps on connections that have not authenticated yet), the cancel
keys of the open sessions, and the drain at shutdown live here, apart from any
one connection: the listener and the supervisor drive them, each backend only
registers itself.
"""

from __future__ import annotations

import ssl
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from server.engine import Engine
from server.errors import TooManyConnections
from server.execution.scheduler import FairScheduler
from server.policy.throttle import AuthThrottle
from server.policy.users import UserStore
from server.protocol.pgwire.auth import AuthMethod
from server.statement import StatementService


class Connection(Protocol):
    """What the worker asks of each of its connections (the backend implements it).

    Declared here so the shared state needs nothing from the backend module: the
    backend depends on the context, never the other way round.
    """

    @property
    def authenticated(self) -> bool: ...

    def end_if_idle(self) -> None: ...

    def terminate(self) -> None: ...

    def cancel_running(self) -> None: ...


@dataclass
class ServerContext:
    """What every connection of a worker process shares."""

    engine: Engine
    users: UserStore
    auth_method: AuthMethod = AuthMethod.SCRAM
    database: str = "quiver"
    tls: ssl.SSLContext | None = None
    max_message_size: int = 64 * 1024 * 1024
    max_connections: int = 100
    idle_timeout: float = 0.0  # seconds; 0: none
    process_id: int = 0
    backends: dict[int, Connection] = field(default_factory=dict)  # by cancel secret
    throttle: AuthThrottle = field(default_factory=AuthThrottle)  # authentication back-off of this worker
    scheduler: FairScheduler = field(default_factory=FairScheduler)  # blocking work, users taken in turn
    forward_cancel: Callable[[int, int], None] | None = None  # (process id, secret) -> another worker
    auth_timeout: float = 10.0  # seconds from accept to AuthenticationOk; 0: none
    max_unauthenticated: int = 64  # connections not yet authenticated in this worker; 0: no cap
    max_unauthenticated_per_address: int = 16  # the same, from one client address; 0: no cap
    unauthenticated: Counter[str] = field(default_factory=Counter)  # by client address
    live: set[Connection] = field(default_factory=set)  # every open connection, authenticated or not
    draining: bool = False  # SIGTERM: no new statements; idle connections end with 57P01
    statements: StatementService = field(init=False)  # the lifecycle every channel shares, over ``engine``

    def __post_init__(self) -> None:
        self.statements = StatementService(self.engine)

    @property
    def connections(self) -> int:
        return len(self.backends)

    def admit(self, address: str) -> None:
        """Count a new connection as not yet authenticated, or refuse it (53300) over a cap.

        Authentication costs the server a connection slot, a read buffer and a PBKDF2
        check; without these caps, slow start-ups held by one address starve everyone.
        """
        waiting = self.unauthenticated.total()
        if self.max_unauthenticated and waiting >= self.max_unauthenticated:
            raise TooManyConnections(
                "sorry, too many clients already",
                detail=f"{waiting} connections of this server process are still authenticating.",
            )
        from_address = self.unauthenticated[address]
        if self.max_unauthenticated_per_address and from_address >= self.max_unauthenticated_per_address:
            raise TooManyConnections(
                "sorry, too many clients already",
                detail=f"{from_address} connections from this address are still authenticating.",
            )
        self.unauthenticated[address] += 1

    def authenticated_or_gone(self, address: str) -> None:
        """A connection admitted by :meth:`admit` authenticated or closed: it no longer counts."""
        left = self.unauthenticated[address] - 1
        if left > 0:
            self.unauthenticated[address] = left
        else:
            del self.unauthenticated[address]

    def begin_drain(self) -> None:
        """Shutting down: idle sessions end now (FATAL 57P01), busy ones after their statement.

        Connections still in start-up are left to send their start-up packet, which is
        answered with 57P03 (see :meth:`end_idle_startups` for those that never do).
        """
        self.draining = True
        for backend in list(self.live):
            if backend.authenticated:
                backend.end_if_idle()

    def end_idle_startups(self) -> None:
        """Late in a drain: connections that never finished their start-up end now (FATAL 57P01)."""
        for backend in list(self.live):
            if not backend.authenticated:
                backend.end_if_idle()

    def terminate_all(self) -> None:
        """The grace period is over: cancel what still runs and end every connection (FATAL 57P01)."""
        self.draining = True
        for backend in list(self.live):
            backend.terminate()

    def cancel(self, process_id: int, secret: int) -> None:
        if process_id != self.process_id:
            if self.forward_cancel is not None:
                self.forward_cancel(process_id, secret)
            return
        backend = self.backends.get(secret)
        if backend is not None:
            backend.cancel_running()

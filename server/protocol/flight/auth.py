"""Who is calling over Flight: basic credentials traded for a bearer token, or an API key.

Every Flight call carries an ``authorization`` header, read by a server
middleware before the call's handler runs:

* ``Basic base64(user:password)`` (the Flight handshake of ``authenticate_basic_token``
  and the ADBC driver's first call): the password is checked against the user's
  SCRAM verifier, and a fresh bearer token is sent back in the response's
  ``authorization`` header;
* ``Bearer <token>``: a token this server issued and that has not expired, or
  an API key from the users file (``quiver user key``).

Anything else is refused with UNAUTHENTICATED, with the same message whether
the user exists or not, after the same work (one PBKDF2, against a dummy
verifier for an unknown name). Tokens are random, kept in memory, and expire.

Failed logins slow the next ones (:mod:`server.policy.throttle`): a Basic
attempt first waits out the back-off of its user name and of the Flight
endpoint as a whole, then is checked. The whole endpoint stands in for the
client address because pyarrow's server middleware is not told the peer; it
has a larger allowance so a few failures somewhere do not slow everyone. A
failed bearer token (tokens and API keys are too long to guess) is answered
after the back-off of bearer failures, which never delays a valid token. The
wait is a sleep in the call's gRPC thread, so at most :data:`MAX_WAITING`
calls wait at once; beyond that a throttled attempt is refused unchecked
with UNAVAILABLE.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyarrow import flight

from server.policy.throttle import USER_BACKOFF, AuthThrottle, Backoff
from server.policy.users import User, UserStore

TOKEN_LIFETIME = 8 * 3600.0
MAX_TOKENS_PER_USER = 1_000  # live tokens one user may hold; a new login past that retires the oldest
MIDDLEWARE = "auth"
MAX_WAITING = 32  # gRPC threads that may sleep in back-off at once
ENDPOINT_BACKOFF = Backoff(allowance=16)  # the whole endpoint, standing in for the unknown peer address
BEARER = "\0bearer"  # the one key bearer failures are counted under


@dataclass(frozen=True)
class Session:
    user: User
    expires: float


class TokenStore:
    """Bearer tokens issued by this server: random, in memory, expiring, at most ``per_user`` live per user.

    Every Basic login issues a token, so without the per-user bound a client logging in
    in a loop would grow the store for the tokens' whole lifetime.
    """

    def __init__(self, lifetime: float = TOKEN_LIFETIME, per_user: int = MAX_TOKENS_PER_USER) -> None:
        self.lifetime = lifetime
        self.per_user = per_user
        self._tokens: dict[str, Session] = {}  # in issue order
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tokens)

    def issue(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._tokens = {t: s for t, s in self._tokens.items() if s.expires > now}
            held = [t for t, s in self._tokens.items() if s.user.name == user.name]
            for oldest in held[: max(0, len(held) - self.per_user + 1)]:
                del self._tokens[oldest]
            self._tokens[token] = Session(user, now + self.lifetime)
        return token

    def user(self, token: str) -> User | None:
        with self._lock:
            session = self._tokens.get(token)
        if session is None or session.expires < time.monotonic():
            return None
        return session.user


class CallerMiddleware(flight.ServerMiddleware):
    """The authenticated user of one call (and the token to hand back after a basic login)."""

    def __init__(self, user: User, token: str | None = None) -> None:
        self.user = user
        self.token = token

    def sending_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"} if self.token else {}


class AuthMiddlewareFactory(flight.ServerMiddlewareFactory):
    def __init__(
        self,
        users: UserStore,
        tokens: TokenStore,
        *,
        throttle: AuthThrottle | None = None,
        bearer_throttle: AuthThrottle | None = None,
        max_waiting: int = MAX_WAITING,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.users = users
        self.tokens = tokens
        self.throttle = throttle or AuthThrottle(USER_BACKOFF, ENDPOINT_BACKOFF)
        self.bearer_throttle = bearer_throttle or AuthThrottle(ENDPOINT_BACKOFF, ENDPOINT_BACKOFF)
        self.max_waiting = max_waiting
        self._sleep = sleep
        self._waiting = 0
        self._lock = threading.Lock()

    def start_call(self, info: Any, headers: dict[str, list[str]]) -> CallerMiddleware:
        values = headers.get("authorization") or headers.get("Authorization") or []
        if not values:
            raise flight.FlightUnauthenticatedError("authentication required: send basic credentials or a token")
        scheme, _, credential = values[0].partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            known = self._basic(credential.strip())
            return CallerMiddleware(known, self.tokens.issue(known))
        if scheme == "bearer":
            token = credential.strip()
            user = self.tokens.user(token) or self.users.by_api_key(token)
            if user is None:
                wait = self.bearer_throttle.wait(BEARER, None)
                self.bearer_throttle.failed(BEARER, None)
                self._wait(wait)
                raise flight.FlightUnauthenticatedError("invalid or expired token")
            return CallerMiddleware(user)
        raise flight.FlightUnauthenticatedError(f"unsupported authorization scheme {scheme!r}")

    def _basic(self, credential: str) -> User:
        try:
            padded = credential + "=" * (-len(credential) % 4)  # the Go driver leaves the padding out
            name, _, password = base64.b64decode(padded, validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            raise flight.FlightUnauthenticatedError("malformed basic credentials") from None
        self._wait(self.throttle.wait(name, None))
        user = self.users.verify_password(name, password)
        if user is None:
            self.throttle.failed(name, None)
            raise flight.FlightUnauthenticatedError(f'password authentication failed for user "{name}"')
        self.throttle.succeeded(name, None)
        return user

    def _wait(self, seconds: float) -> None:
        """Sleep out a back-off in this gRPC thread, unless too many threads already do."""
        if seconds <= 0:
            return
        with self._lock:
            if self._waiting >= self.max_waiting:
                raise flight.FlightUnavailableError("too many authentication attempts are waiting; retry later")
            self._waiting += 1
        try:
            self._sleep(seconds)
        finally:
            with self._lock:
                self._waiting -= 1


class NoHandshake(flight.ServerAuthHandler):
    """The handshake RPC carries the basic credentials in its headers; the middleware did the work."""

    def authenticate(self, outgoing: Any, incoming: Any) -> None:
        return None

    def is_valid(self, token: bytes) -> str:
        return ""

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
the user exists or not. Tokens are random, kept in memory, and expire.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from pyarrow import flight

from server.policy.users import User, UserStore

TOKEN_LIFETIME = 8 * 3600.0
MIDDLEWARE = "auth"


@dataclass(frozen=True)
class Session:
    user: User
    expires: float


class TokenStore:
    """Bearer tokens issued by this server: random, in memory, expiring."""

    def __init__(self, lifetime: float = TOKEN_LIFETIME) -> None:
        self.lifetime = lifetime
        self._tokens: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._tokens = {t: s for t, s in self._tokens.items() if s.expires > now}
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
    def __init__(self, users: UserStore, tokens: TokenStore) -> None:
        self.users = users
        self.tokens = tokens

    def start_call(self, info: Any, headers: dict[str, list[str]]) -> CallerMiddleware:
        values = headers.get("authorization") or headers.get("Authorization") or []
        if not values:
            raise flight.FlightUnauthenticatedError("authentication required: send basic credentials or a token")
        scheme, _, credential = values[0].partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            user = self._basic(credential.strip())
            return CallerMiddleware(user, self.tokens.issue(user))
        if scheme == "bearer":
            token = credential.strip()
            user = self.tokens.user(token) or self.users.by_api_key(token)
            if user is None:
                raise flight.FlightUnauthenticatedError("invalid or expired token")
            return CallerMiddleware(user)
        raise flight.FlightUnauthenticatedError(f"unsupported authorization scheme {scheme!r}")

    def _basic(self, credential: str) -> User:
        try:
            padded = credential + "=" * (-len(credential) % 4)  # the Go driver leaves the padding out
            name, _, password = base64.b64decode(padded, validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            raise flight.FlightUnauthenticatedError("malformed basic credentials") from None
        user = self.users.get(name)
        if user is None or user.scram is None or not user.scram.matches_password(password):
            raise flight.FlightUnauthenticatedError(f'password authentication failed for user "{name}"')
        return user


class NoHandshake(flight.ServerAuthHandler):
    """The handshake RPC carries the basic credentials in its headers; the middleware did the work."""

    def authenticate(self, outgoing: Any, incoming: Any) -> None:
        return None

    def is_valid(self, token: bytes) -> str:
        return ""

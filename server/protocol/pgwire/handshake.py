"""Start-up and authentication, driven without I/O: a start-up packet and password messages in, replies out.

The checks PostgreSQL makes on a start-up packet (a user named, the server not
shutting down, a free slot, the right database), the exchange of the configured
authentication method (:class:`~server.protocol.pgwire.auth.Authenticator`), the
back-off after failed attempts (:class:`~server.policy.throttle.AuthThrottle`:
this object says how long to wait, the caller waits), and the session that
begins once the user is known, with the ParameterStatus and BackendKeyData
messages that announce it.
"""

from __future__ import annotations

from collections.abc import Mapping

from server.errors import CannotConnectNow, InvalidCatalogName, InvalidPassword, ProtocolViolation, TooManyConnections
from server.policy.throttle import AuthThrottle
from server.policy.users import UserStore
from server.protocol.pgwire import messages as m
from server.protocol.pgwire.auth import Authenticator, AuthMethod
from server.session.session import Session


class Handshake:
    """One connection's start-up: call :meth:`start`, then :meth:`step` per password message until :attr:`done`."""

    def __init__(
        self,
        method: AuthMethod,
        users: UserStore,
        database: str,
        throttle: AuthThrottle,
        address: str | None,
    ) -> None:
        self.method = method
        self.users = users
        self.database = database
        self.throttle = throttle
        self.address = address  # the client's IP address, counted by the back-off (None: unknown)
        self.parameters: dict[str, str] = {}
        self.authenticator: Authenticator | None = None

    def start(self, message: m.StartupMessage, *, draining: bool, connections: int, max_connections: int) -> bytes:
        """Check the start-up packet and return what to send: the first authentication request (or Ok)."""
        parameters = dict(message.parameters)
        user = parameters.get("user")
        if not user:
            raise InvalidPassword("no PostgreSQL user name specified in startup packet")
        if draining:  # as PostgreSQL: told once its start-up packet is read, never cut off
            raise CannotConnectNow("the database system is shutting down")
        if connections >= max_connections:
            raise TooManyConnections("sorry, too many clients already")
        database = parameters.get("database") or user
        if database != self.database:
            raise InvalidCatalogName(
                f'database "{database}" does not exist',
                hint=f'This server serves the database "{self.database}".',
            )
        reply = b""
        unrecognized = [key for key in parameters if key.startswith("_pq_.")]
        if message.version & 0xFFFF > 0 or unrecognized:
            reply = m.negotiate_protocol_version(0, unrecognized)
        self.parameters = parameters
        self.authenticator = Authenticator(self.method, user, self.users)
        return reply + self.authenticator.start()

    @property
    def done(self) -> bool:
        return self.authenticator is not None and self.authenticator.done

    def delay(self) -> float:
        """Seconds to wait before the next password message is checked (0: none).

        The back-off follows failures of this user or address and applies before the
        check, whatever its outcome, so waiting tells a guesser nothing.
        """
        authenticator = self._authenticator()
        if not authenticator.verifies_next:
            return 0.0
        return self.throttle.wait(authenticator.user_name, self.address)

    def step(self, data: bytes) -> bytes:
        """One password message's body in, the reply out; a wrong password raises 28P01 and counts."""
        authenticator = self._authenticator()
        try:
            reply = authenticator.step(data)
        except InvalidPassword:
            self.throttle.failed(authenticator.user_name, self.address)
            raise
        if authenticator.done:
            self.throttle.succeeded(authenticator.user_name, self.address)
        return reply

    def session(self, process_id: int) -> Session:
        """The session of the authenticated user, with the start-up packet's settings and ``-c`` options."""
        authenticator = self._authenticator()
        user = authenticator.user
        assert user is not None, "session() before authentication succeeded"
        startup = {k: v for k, v in self.parameters.items() if k not in ("user", "database", "options")}
        startup.update(startup_options(self.parameters.get("options", "")))
        return Session(user.caller("sql"), startup, process_id, self.database)

    @staticmethod
    def welcome(session: Session, process_id: int, secret: int) -> bytes:
        """ParameterStatus for every reported setting, then BackendKeyData (ReadyForQuery follows)."""
        reported = b"".join(m.parameter_status(name, value) for name, value in session.reported_settings().items())
        return reported + m.backend_key_data(process_id, secret)

    def _authenticator(self) -> Authenticator:
        if self.authenticator is None:
            raise ProtocolViolation("unexpected password message")
        return self.authenticator


def startup_options(options: str) -> Mapping[str, str]:
    """``-c name=value`` pairs from the start-up packet's options parameter."""
    result: dict[str, str] = {}
    parts = options.replace("--", "-c ").split()
    index = 0
    while index < len(parts):
        part = parts[index]
        if part == "-c" and index + 1 < len(parts):
            part = parts[index + 1]
            index += 1
        elif part.startswith("-c"):
            part = part[2:]
        if "=" in part:
            key, value = part.split("=", 1)
            result[key.replace("-", "_")] = value.replace("\\ ", " ")
        index += 1
    return result

"""Server side of PostgreSQL authentication: SCRAM-SHA-256 (default), md5, cleartext, trust.

Sans-IO: :meth:`Authenticator.start` gives the first request to send and
:meth:`Authenticator.step` consumes each password message, returning what to
send next; :attr:`Authenticator.verifies_next` tells the caller that the next
message is the one checked against the credentials, where the back-off waits.

Nothing in an exchange tells whether the user exists: an unknown user goes
through the same steps doing the same work (a made-up SCRAM verifier with a
salt stable per name, one PBKDF2 against a dummy verifier for cleartext, an
md5 digest of a dummy for md5), every comparison is ``hmac.compare_digest``,
and it fails at the end with the same 28P01 message as a wrong password, as
PostgreSQL does. Only ``trust`` says 'role does not exist': it asks for no
secret, so there is nothing to guess and nothing to hide.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from enum import Enum, StrEnum

from server.errors import InvalidPassword, ProtocolViolation
from server.policy.users import ScramVerifier, User, UserStore, hmac_sha256, md5_verifier
from server.protocol.pgwire import messages as m

MECHANISM = "SCRAM-SHA-256"


class AuthStep(Enum):
    """Where an exchange is: which password message the method expects next."""

    START = "start"  # nothing requested yet
    PASSWORD = "password"  # cleartext or md5: the one PasswordMessage
    SASL_INITIAL = "sasl initial"  # SCRAM: SASLInitialResponse (mechanism and client-first message)
    SASL_RESPONSE = "sasl response"  # SCRAM: SASLResponse (client-final message with the proof)
    DONE = "done"  # AuthenticationOk sent


class AuthMethod(StrEnum):
    SCRAM = "scram-sha-256"
    MD5 = "md5"
    PASSWORD = "password"
    TRUST = "trust"


MD5_WARNING = (
    "md5 authentication is enabled (QUIVER_AUTH=md5): md5 is pass-the-hash, knowing the md5 entry of the "
    "users file is enough to log in without the password, and an md5 digest of a password is cheap to "
    "guess offline. Use scram-sha-256 (the default) unless a client cannot speak it."
)
CLEARTEXT_WARNING = (
    "cleartext password authentication without TLS (QUIVER_AUTH=password): passwords cross the network "
    "readable. Give --tls-cert/--tls-key, or use scram-sha-256 (the default)."
)
TRUST_WARNING = "trust authentication (QUIVER_AUTH=trust): anyone who reaches the port is any user they name"


def method_warnings(method: AuthMethod, *, tls: bool) -> list[str]:
    """What to log at start for an authentication method weaker than SCRAM (nothing for SCRAM)."""
    if method is AuthMethod.MD5:
        return [MD5_WARNING]
    if method is AuthMethod.PASSWORD and not tls:
        return [CLEARTEXT_WARNING]
    if method is AuthMethod.TRUST:
        return [TRUST_WARNING]
    return []


def _failed(user: str) -> InvalidPassword:
    return InvalidPassword(f'password authentication failed for user "{user}"')


_DUMMY_MD5 = "md5" + "0" * 32  # what an unknown user's md5 answer is computed against


def _attributes(message: str) -> dict[str, str]:
    result = {}
    for part in message.split(","):
        if len(part) >= 2 and part[1] == "=":
            result[part[0]] = part[2:]
    return result


class Authenticator:
    """Runs one authentication exchange for the user named in the start-up packet."""

    def __init__(self, method: AuthMethod, user_name: str, store: UserStore) -> None:
        self.method = method
        self.user_name = user_name
        self.store = store
        self.user: User | None = None  # set once authentication succeeds
        self.step_expected = AuthStep.START
        self._salt = os.urandom(4)
        self._client_first_bare = ""
        self._server_first = ""
        self._nonce = ""
        self._verifier: ScramVerifier | None = None
        self._real = False

    @property
    def done(self) -> bool:
        return self.step_expected is AuthStep.DONE

    @property
    def verifies_next(self) -> bool:
        """Is the next password message the one checked against the credentials (not SCRAM's first)?"""
        return self.step_expected in (AuthStep.PASSWORD, AuthStep.SASL_RESPONSE)

    def start(self) -> bytes:
        if self.method is AuthMethod.TRUST:
            user = self.store.get(self.user_name)
            if user is None:
                raise InvalidPassword(f'role "{self.user_name}" does not exist')
            self.user = user
            self.step_expected = AuthStep.DONE
            return m.authentication_ok()
        if self.method is AuthMethod.SCRAM:
            self.step_expected = AuthStep.SASL_INITIAL
            return m.authentication_sasl([MECHANISM])
        self.step_expected = AuthStep.PASSWORD
        if self.method is AuthMethod.MD5:
            return m.authentication_md5(self._salt)
        return m.authentication_cleartext()

    def step(self, data: bytes) -> bytes:
        """Consume one PasswordMessage body; return the message(s) to send."""
        if self.step_expected is AuthStep.DONE:
            raise ProtocolViolation("unexpected password message after authentication")
        if self.step_expected is AuthStep.START:
            raise ProtocolViolation("unexpected password message before authentication was requested")
        if self.method is AuthMethod.PASSWORD:
            return self._cleartext(data)
        if self.method is AuthMethod.MD5:
            return self._md5(data)
        if self.step_expected is AuthStep.SASL_INITIAL:
            return self._scram_first(data)
        return self._scram_final(data)

    # -- cleartext and md5 ----------------------------------------------------------------------

    def _cleartext(self, data: bytes) -> bytes:
        # Checked against the SCRAM verifier only: a stored md5 or SCRAM string sent as the
        # password is just a wrong password.
        password = data.rstrip(b"\x00").decode("utf-8", "replace")
        user = self.store.verify_password(self.user_name, password)
        if user is None:
            raise _failed(self.user_name)
        self.user = user
        self.step_expected = AuthStep.DONE
        return m.authentication_ok()

    def _md5(self, data: bytes) -> bytes:
        answer = data.rstrip(b"\x00")
        user = self.store.get(self.user_name)
        stored = user.md5 if user is not None and user.md5 else None
        expected = "md5" + hashlib.md5((stored or _DUMMY_MD5)[3:].encode("ascii") + self._salt).hexdigest()
        if not hmac.compare_digest(answer, expected.encode("ascii")) or stored is None:
            raise _failed(self.user_name)
        self.user = user
        self.step_expected = AuthStep.DONE
        return m.authentication_ok()

    # -- SCRAM-SHA-256 (RFC 5802 / 7677, as PostgreSQL runs it) ----------------------------------

    def _scram_first(self, data: bytes) -> bytes:
        reader = m.Reader(data, "SASLInitialResponse")
        mechanism = reader.cstring()
        if mechanism != MECHANISM:
            raise ProtocolViolation("client selected an invalid SASL authentication mechanism")
        length = reader.int32()
        client_first = reader.take(length).decode("utf-8", "replace") if length >= 0 else ""
        if client_first.startswith("p="):
            raise ProtocolViolation(
                "channel binding is not supported", hint="Connect with channel_binding=disable or prefer."
            )
        if not client_first.startswith(("n,", "y,")):
            raise ProtocolViolation("malformed SCRAM message")
        parts = client_first.split(",", 2)
        if len(parts) < 3:
            raise ProtocolViolation("malformed SCRAM message")
        self._client_first_bare = parts[2]
        client_nonce = _attributes(self._client_first_bare).get("r")
        # RFC 5802: a nonce is printable ASCII without commas (it is echoed in an ASCII message).
        if not client_nonce or not all("!" <= ch <= "~" and ch != "," for ch in client_nonce):
            raise ProtocolViolation("malformed SCRAM message", detail="The client nonce is not printable ASCII.")
        # An unknown user gets a believable verifier (salt stable per name) and fails at the proof.
        self._verifier, self._real = self.store.scram_challenge(self.user_name)
        self._nonce = client_nonce + base64.b64encode(os.urandom(18)).decode("ascii")
        salt = base64.b64encode(self._verifier.salt).decode("ascii")
        self._server_first = f"r={self._nonce},s={salt},i={self._verifier.iterations}"
        self.step_expected = AuthStep.SASL_RESPONSE
        return m.authentication_sasl_continue(self._server_first.encode("ascii"))

    def _scram_final(self, data: bytes) -> bytes:
        client_final = data.decode("utf-8", "replace")
        attributes = _attributes(client_final)
        if (
            attributes.get("r") != self._nonce
            or "p" not in attributes
            or "c" not in attributes
            or ",p=" not in client_final
        ):
            raise ProtocolViolation("malformed SCRAM message")
        without_proof = client_final[: client_final.rindex(",p=")]
        auth_message = f"{self._client_first_bare},{self._server_first},{without_proof}".encode()
        verifier = self._verifier
        assert verifier is not None
        try:
            proof = base64.b64decode(attributes["p"], validate=True)
        except ValueError:
            raise ProtocolViolation("malformed SCRAM message") from None
        signature = hmac_sha256(verifier.stored_key, auth_message)
        if len(proof) != len(signature):
            raise _failed(self.user_name)
        client_key = bytes(a ^ b for a, b in zip(proof, signature, strict=True))
        matches = hmac.compare_digest(hashlib.sha256(client_key).digest(), verifier.stored_key)
        user = self.store.get(self.user_name) if self._real else None
        if not matches or user is None or user.scram != verifier:
            raise _failed(self.user_name)
        self.user = user
        server_signature = base64.b64encode(hmac_sha256(verifier.server_key, auth_message)).decode("ascii")
        self.step_expected = AuthStep.DONE
        return m.authentication_sasl_final(f"v={server_signature}".encode("ascii")) + m.authentication_ok()


__all__ = ["AuthMethod", "AuthStep", "Authenticator", "md5_verifier", "method_warnings"]

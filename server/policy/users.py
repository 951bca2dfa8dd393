"""Users: names, password verifiers (never plaintext), roles and attributes, from a YAML file.

A user's attributes (``region: EU``, ``tenant_id: 42``) and roles feed group
matching and row filters. Passwords are stored as PostgreSQL-format SCRAM-SHA-256
verifiers (``SCRAM-SHA-256$4096:salt$StoredKey:ServerKey``), from which
SCRAM and cleartext authentication can both be checked; an md5 verifier is
kept only when a deployment asks for md5 authentication.

    users:
      - name: eu_analyst
        password: SCRAM-SHA-256$4096:...
        roles: [analyst]
        attributes: {region: EU}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from server.errors import InvalidParameterValue
from server.policy.identity import NO_LIMITS, Caller, QueryLimits

DEFAULT_ITERATIONS = 4096


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def salted_password(password: str, salt: bytes, iterations: int) -> bytes:
    # PostgreSQL applies SASLprep; for the ASCII passwords it accepts that is the identity.
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


@dataclass(frozen=True)
class ScramVerifier:
    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    @classmethod
    def from_password(
        cls, password: str, *, salt: bytes | None = None, iterations: int = DEFAULT_ITERATIONS
    ) -> ScramVerifier:
        salt = salt if salt is not None else os.urandom(16)
        salted = salted_password(password, salt, iterations)
        client_key = hmac_sha256(salted, b"Client Key")
        return cls(iterations, salt, hashlib.sha256(client_key).digest(), hmac_sha256(salted, b"Server Key"))

    @classmethod
    def parse(cls, text: str) -> ScramVerifier:
        try:
            method, rest = text.split("$", 1)
            head, keys = rest.split("$", 1)
            iterations, salt = head.split(":", 1)
            stored, server = keys.split(":", 1)
            if method != "SCRAM-SHA-256":
                raise ValueError(method)
            return cls(int(iterations), base64.b64decode(salt), base64.b64decode(stored), base64.b64decode(server))
        except (ValueError, TypeError):
            raise InvalidParameterValue("invalid SCRAM-SHA-256 verifier in the users file") from None

    def __str__(self) -> str:
        return f"SCRAM-SHA-256${self.iterations}:{_b64(self.salt)}${_b64(self.stored_key)}:{_b64(self.server_key)}"

    def matches_password(self, password: str) -> bool:
        salted = salted_password(password, self.salt, self.iterations)
        client_key = hmac_sha256(salted, b"Client Key")
        return hmac.compare_digest(hashlib.sha256(client_key).digest(), self.stored_key)


def md5_verifier(name: str, password: str) -> str:
    return "md5" + hashlib.md5((password + name).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class User:
    name: str
    scram: ScramVerifier | None = None
    md5: str | None = None
    roles: tuple[str, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    api_keys: tuple[str, ...] = ()  # sha256 hex of API keys (HTTP and Flight)
    limits: QueryLimits = NO_LIMITS

    def caller(self, channel: str) -> Caller:
        """This user as the policy stage sees it, on ``channel``."""
        return Caller(self.name, roles=self.roles, attributes=self.attributes, channel=channel, limits=self.limits)


class UserStore:
    """Users loaded from a file; thread-safe lookups, atomic rewrites.

    Checking a password costs the same whether the user exists or not
    (:meth:`verify_password` runs PBKDF2 against a dummy verifier for an unknown
    name), and :meth:`scram_challenge` gives an unknown name a salt and iteration
    count that look like a real user's: stable for the name, the same in every
    worker and across restarts, and not computable without the users file.
    """

    def __init__(self, users: Mapping[str, User] | None = None, path: Path | None = None) -> None:
        self._users = dict(users or {})
        self.path = path
        self._lock = threading.Lock()
        self._mock_key = b""
        self._dummy = ScramVerifier(DEFAULT_ITERATIONS, b"", b"", b"")
        self._derive_mock()

    def _derive_mock(self) -> None:
        """Key and iteration count of made-up verifiers, from the secrets of the users file.

        Derived rather than random so every worker process (and the next start) tells an
        unknown name the same salt, as a real user's stays the same; derived from the
        verifiers' keys, which never leave the server, so nobody can compute it and
        compare. PostgreSQL keeps a random nonce in its control file for the same purpose.
        """
        secrets_ = [
            name.encode() + user.scram.stored_key + user.scram.server_key
            for name, user in sorted(self._users.items())
            if user.scram is not None
        ]
        self._mock_key = (
            hashlib.sha256(b"quiver mock verifier\0" + b"\0".join(secrets_)).digest() if secrets_ else os.urandom(32)
        )
        counts = Counter(user.scram.iterations for user in self._users.values() if user.scram is not None)
        iterations = counts.most_common(1)[0][0] if counts else DEFAULT_ITERATIONS
        self._dummy = ScramVerifier(iterations, os.urandom(16), os.urandom(32), os.urandom(32))

    def scram_challenge(self, name: str) -> tuple[ScramVerifier, bool]:
        """The verifier to run SCRAM with for ``name`` and whether it is real.

        An unknown name (or a user without a SCRAM verifier) gets a made-up one whose
        salt is an HMAC of the name, so the exchange runs to the proof and fails there.
        """
        material = hmac_sha256(self._mock_key, b"salt\0" + name.encode("utf-8", "surrogatepass"))
        mock = ScramVerifier(self._dummy.iterations, material[:16], self._dummy.stored_key, self._dummy.server_key)
        user = self.get(name)
        if user is not None and user.scram is not None:
            return user.scram, True
        return mock, False

    def verify_password(self, name: str, password: str) -> User | None:
        """The user ``name`` if ``password`` is theirs; the same work (one PBKDF2) whether or not ``name`` exists."""
        user = self.get(name)
        real = user.scram if user is not None else None
        matches = (real or self._dummy).matches_password(password)
        return user if matches and real is not None else None

    @classmethod
    def load(cls, path: Path | str) -> UserStore:
        path = Path(path)
        if not path.exists():
            return cls({}, path)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        users = {}
        for entry in data.get("users", []):
            name = str(entry["name"])
            password = entry.get("password")
            users[name] = User(
                name=name,
                scram=ScramVerifier.parse(password) if password else None,
                md5=entry.get("md5"),
                roles=tuple(entry.get("roles", ())),
                attributes=MappingProxyType(dict(entry.get("attributes", {}) or {})),
                api_keys=tuple(entry.get("api_keys", ())),
                limits=QueryLimits.parse(entry.get("limits")),
            )
        return cls(users, path)

    def get(self, name: str) -> User | None:
        with self._lock:
            return self._users.get(name)

    def by_api_key(self, key: str) -> User | None:
        """The user holding API key ``key`` (HTTP and Flight bearer tokens); keys are stored as SHA-256."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        found = None
        with self._lock:
            for user in self._users.values():  # every key compared, so the time does not tell which matched
                for stored in user.api_keys:
                    if hmac.compare_digest(digest, stored) and found is None:
                        found = user
        return found

    def new_api_key(self, name: str) -> str:
        """Give user ``name`` a fresh API key; returns it (only its hash is kept)."""
        key = "qk_" + base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        with self._lock:
            user = self._users.get(name)
            if user is None:
                raise InvalidParameterValue(f'user "{name}" does not exist')
            self._users[name] = replace(user, api_keys=(*user.api_keys, digest))
        return key

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._users)

    def add(
        self,
        name: str,
        password: str,
        *,
        roles: tuple[str, ...] = (),
        attributes: Mapping[str, Any] | None = None,
        with_md5: bool = False,
        salt: bytes | None = None,
    ) -> User:
        user = User(
            name=name,
            scram=ScramVerifier.from_password(password, salt=salt),
            md5=md5_verifier(name, password) if with_md5 else None,
            roles=roles,
            attributes=MappingProxyType(dict(attributes or {})),
        )
        with self._lock:
            self._users[name] = user
            self._derive_mock()
        return user

    def save(self, path: Path | str | None = None) -> Path:
        target = Path(path or self.path or "users.yml")
        entries = []
        for user in (self._users[n] for n in self.names()):
            entry: dict[str, Any] = {"name": user.name}
            if user.scram is not None:
                entry["password"] = str(user.scram)
            if user.md5:
                entry["md5"] = user.md5
            if user.roles:
                entry["roles"] = list(user.roles)
            if user.attributes:
                entry["attributes"] = dict(user.attributes)
            if user.api_keys:
                entry["api_keys"] = list(user.api_keys)
            if user.limits != NO_LIMITS:
                entry["limits"] = {k: v for k, v in vars(user.limits).items() if v is not None}
            entries.append(entry)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(
            "# Quiver users: SCRAM-SHA-256 verifiers only (write them with `quiver user add`).\n"
            + yaml.safe_dump({"users": entries}, sort_keys=False),
            encoding="utf-8",
        )
        os.replace(temporary, target)
        return target

"""Authentication exchanges that tell nothing about which users exist, and what md5 gives away.

Issue 9: cleartext authentication's timing revealed which users exist (an
unknown name failed without hashing anything), the made-up SCRAM salt of an
unknown name could be computed by anyone, and md5 accepted the stored hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import statistics
import struct
import time

import pytest

from server.config import DEMO_USERS
from server.errors import InvalidPassword, QuiverError, SqlState
from server.policy import users as users_module
from server.policy.users import UserStore
from server.protocol.pgwire.auth import (
    CLEARTEXT_WARNING,
    MD5_WARNING,
    TRUST_WARNING,
    Authenticator,
    AuthMethod,
    method_warnings,
)
from tests.unit.protocol.pgclient import ScramClient

USERS = UserStore.load(DEMO_USERS)


def body(message: bytes) -> bytes:
    return message[5:]


def fail(authenticator: Authenticator, data: bytes) -> InvalidPassword:
    with pytest.raises(InvalidPassword) as caught:
        authenticator.step(data)
    return caught.value


@pytest.fixture
def pbkdf2_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = users_module.salted_password

    def counting(password: str, salt: bytes, iterations: int) -> bytes:
        calls.append(iterations)
        return real(password, salt, iterations)

    monkeypatch.setattr(users_module, "salted_password", counting)
    return calls


# -- cleartext -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "password"), [("analyst", "wrong"), ("no_such_user", "analyst-pass")])
def test_cleartext_unknown_user_and_wrong_password_look_the_same(
    user: str, password: str, pbkdf2_calls: list[int]
) -> None:
    authenticator = Authenticator(AuthMethod.PASSWORD, user, USERS)
    authenticator.start()
    assert authenticator.verifies_next
    error = fail(authenticator, password.encode() + b"\0")
    assert (error.sqlstate, error.severity) == (SqlState.INVALID_PASSWORD, "FATAL")
    assert error.message == f'password authentication failed for user "{user}"'
    assert pbkdf2_calls == [4096]  # an unknown name hashes a dummy verifier: the same work


def test_cleartext_timing_does_not_reveal_users() -> None:
    def median(user: str) -> float:
        times = []
        for _ in range(15):
            authenticator = Authenticator(AuthMethod.PASSWORD, user, USERS)
            authenticator.start()
            start = time.perf_counter()
            with pytest.raises(InvalidPassword):
                authenticator.step(b"wrong\0")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    known, unknown = median("analyst"), median("no_such_user")
    assert 0.25 < unknown / known < 4.0, f"known {known * 1e3:.2f} ms, unknown {unknown * 1e3:.2f} ms"


def test_cleartext_right_password() -> None:
    authenticator = Authenticator(AuthMethod.PASSWORD, "analyst", USERS)
    authenticator.start()
    assert authenticator.step(b"analyst-pass\0") == b"R\0\0\0\x08\0\0\0\0"
    assert authenticator.done and authenticator.user is not None and authenticator.user.name == "analyst"


@pytest.mark.parametrize("field", ["md5", "scram"])
def test_cleartext_does_not_take_a_stored_verifier_as_the_password(field: str) -> None:
    user = USERS.get("analyst")
    assert user is not None and user.md5 is not None
    stored = user.md5 if field == "md5" else str(user.scram)
    authenticator = Authenticator(AuthMethod.PASSWORD, "analyst", USERS)
    authenticator.start()
    fail(authenticator, stored.encode() + b"\0")


# -- md5 -------------------------------------------------------------------------------------------


def md5_answer(inner_hex: str, salt: bytes) -> bytes:
    return b"md5" + hashlib.md5(inner_hex.encode() + salt).hexdigest().encode() + b"\0"


def test_md5_is_pass_the_hash() -> None:
    # Reproduces the finding: the md5 entry of the users file logs in without the password. This is
    # md5's design (the stored digest is what the client proves it knows), so it cannot be fixed
    # inside md5: SCRAM is the default, and choosing md5 logs MD5_WARNING at start.
    user = USERS.get("analyst")
    assert user is not None and user.md5 is not None
    authenticator = Authenticator(AuthMethod.MD5, "analyst", USERS)
    salt = body(authenticator.start())[4:8]
    authenticator.step(md5_answer(user.md5[3:], salt))
    assert authenticator.done


@pytest.mark.parametrize("user", ["analyst", "no_such_user"])
def test_md5_unknown_user_and_wrong_password_look_the_same(user: str) -> None:
    authenticator = Authenticator(AuthMethod.MD5, user, USERS)
    salt = body(authenticator.start())[4:8]
    wrong = hashlib.md5(f"wrong{user}".encode()).hexdigest()
    error = fail(authenticator, md5_answer(wrong, salt))
    assert (error.sqlstate, error.message) == (
        SqlState.INVALID_PASSWORD,
        f'password authentication failed for user "{user}"',
    )


def test_md5_refuses_the_stored_hash_sent_unsalted_and_the_dummy() -> None:
    user = USERS.get("analyst")
    assert user is not None and user.md5 is not None
    authenticator = Authenticator(AuthMethod.MD5, "analyst", USERS)
    authenticator.start()
    fail(authenticator, user.md5.encode() + b"\0")
    # an unknown user's answer is computed against a dummy digest, which must never let anyone in
    ghost = Authenticator(AuthMethod.MD5, "no_such_user", USERS)
    salt = body(ghost.start())[4:8]
    fail(ghost, md5_answer("0" * 32, salt))


def test_md5_user_without_an_md5_entry_fails_like_a_wrong_password(tmp_path: object) -> None:
    store = UserStore({})
    store.add("scram_only", "pw")
    authenticator = Authenticator(AuthMethod.MD5, "scram_only", store)
    salt = body(authenticator.start())[4:8]
    error = fail(authenticator, md5_answer(hashlib.md5(b"pwscram_only").hexdigest(), salt))
    assert error.message == 'password authentication failed for user "scram_only"'


# -- SCRAM -----------------------------------------------------------------------------------------


def server_first(user: str, client: ScramClient) -> str:
    authenticator = Authenticator(AuthMethod.SCRAM, user, USERS)
    authenticator.start()
    assert not authenticator.verifies_next  # the first SCRAM message checks nothing
    reply = authenticator.step(client.first()[5:])
    assert authenticator.verifies_next
    return reply[9:].decode()


def attributes(message: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in message.split(","))


def test_scram_unknown_user_gets_a_plausible_challenge_stable_per_name() -> None:
    real = attributes(server_first("analyst", ScramClient("analyst", "x")))
    ghost = attributes(server_first("no_such_user", ScramClient("no_such_user", "x")))
    again = attributes(server_first("no_such_user", ScramClient("no_such_user", "x")))
    other = attributes(server_first("no_such_user2", ScramClient("no_such_user2", "x")))
    assert ghost["i"] == real["i"] == "4096"
    assert len(base64.b64decode(ghost["s"])) == len(base64.b64decode(real["s"])) == 16
    assert ghost["s"] == again["s"] != other["s"]
    assert base64.b64decode(ghost["s"]) != hashlib.sha256(b"quiver-mock-no_such_user").digest()[:16]


@pytest.mark.parametrize(("user", "password"), [("analyst", "wrong"), ("no_such_user", "x")])
def test_scram_failure_is_the_same_for_unknown_users(user: str, password: str) -> None:
    client = ScramClient(user, password)
    authenticator = Authenticator(AuthMethod.SCRAM, user, USERS)
    authenticator.start()
    first = authenticator.step(client.first()[5:])
    error = fail(authenticator, client.final(first[9:].decode())[5:])
    assert (error.sqlstate, error.message) == (
        SqlState.INVALID_PASSWORD,
        f'password authentication failed for user "{user}"',
    )


def test_the_stored_scram_verifier_is_not_enough_to_log_in() -> None:
    # Unlike md5, SCRAM stores H(ClientKey): holding the users file does not give the ClientKey
    # the proof needs. Try the best guess an attacker has: the StoredKey itself as the ClientKey.
    user = USERS.get("analyst")
    assert user is not None and user.scram is not None
    client = ScramClient("analyst", "unknown")
    authenticator = Authenticator(AuthMethod.SCRAM, "analyst", USERS)
    authenticator.start()
    server_message = authenticator.step(client.first()[5:])[9:].decode()
    nonce = attributes(server_message)["r"]
    without_proof = f"c=biws,r={nonce}"
    auth_message = f"{client.client_first_bare},{server_message},{without_proof}".encode()
    signature = hmac.new(user.scram.stored_key, auth_message, hashlib.sha256).digest()
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(user.scram.stored_key, signature, strict=True)))
    fail(authenticator, f"{without_proof},p={proof.decode()}".encode())


def test_scram_right_password_sets_the_user() -> None:
    client = ScramClient("eu_analyst", "eu-analyst-pass")
    authenticator = Authenticator(AuthMethod.SCRAM, "eu_analyst", USERS)
    authenticator.start()
    first = authenticator.step(client.first()[5:])
    final = authenticator.step(client.final(first[9:].decode())[5:])
    assert struct.unpack("!i", final[5:9])[0] == 12
    assert authenticator.done and authenticator.user is not None and authenticator.user.name == "eu_analyst"
    assert not authenticator.verifies_next


# -- start-up warnings -----------------------------------------------------------------------------


def test_weak_methods_say_why_at_start() -> None:
    assert method_warnings(AuthMethod.SCRAM, tls=False) == []
    assert method_warnings(AuthMethod.MD5, tls=True) == [MD5_WARNING]
    assert "pass-the-hash" in MD5_WARNING and "without the password" in MD5_WARNING
    assert method_warnings(AuthMethod.PASSWORD, tls=False) == [CLEARTEXT_WARNING]
    assert method_warnings(AuthMethod.PASSWORD, tls=True) == []
    assert method_warnings(AuthMethod.TRUST, tls=True) == [TRUST_WARNING]


def _sasl_initial(client_first: bytes) -> bytes:
    return b"SCRAM-SHA-256\x00" + struct.pack("!i", len(client_first)) + client_first


@pytest.mark.parametrize(
    "client_first",
    [
        "n,,n=,r=nonce\u00e9\u4e2d".encode(),  # a non-ASCII nonce was an internal error (UnicodeEncodeError)
        b"n,,n=,r=\x7f\x00",
        b"n,,n=,r=",
        b"n,,n=",
        b"\xff\xfe",
    ],
)
def test_malformed_scram_first_messages_are_protocol_violations(client_first: bytes) -> None:
    authenticator = Authenticator(AuthMethod.SCRAM, "analyst", USERS)
    authenticator.start()
    with pytest.raises(QuiverError) as caught:
        authenticator.step(_sasl_initial(client_first))
    assert caught.value.sqlstate is SqlState.PROTOCOL_VIOLATION


@pytest.mark.parametrize(
    "client_final",
    [b"p=AAAA,c=biws,r={nonce}", b"c=biws,r={nonce}", b"c=biws,r={nonce},p=!!notbase64", b"\xff,r={nonce},p=AA=="],
)
def test_malformed_scram_final_messages_are_typed_errors(client_final: bytes) -> None:
    client = ScramClient("analyst", "x")
    authenticator = Authenticator(AuthMethod.SCRAM, "analyst", USERS)
    authenticator.start()
    nonce = attributes(authenticator.step(client.first()[5:])[9:].decode())["r"]
    with pytest.raises(QuiverError) as caught:
        authenticator.step(client_final.replace(b"{nonce}", nonce.encode()))
    assert caught.value.sqlstate in (SqlState.PROTOCOL_VIOLATION, SqlState.INVALID_PASSWORD)

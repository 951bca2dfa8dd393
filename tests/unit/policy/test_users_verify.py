"""Password checks cost the same for every name, and unknown names get a believable SCRAM challenge."""

from __future__ import annotations

import hashlib
import statistics
import time
from pathlib import Path

import pytest

from server.config import DEMO_USERS
from server.policy import users as users_module
from server.policy.users import ScramVerifier, User, UserStore


@pytest.fixture
def pbkdf2_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = users_module.salted_password

    def counting(password: str, salt: bytes, iterations: int) -> bytes:
        calls.append(iterations)
        return real(password, salt, iterations)

    monkeypatch.setattr(users_module, "salted_password", counting)
    return calls


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    store = UserStore({}, tmp_path / "users.yml")
    store.add("ana", "right", roles=("analyst",))
    return store


def test_the_right_password_finds_the_user(store: UserStore) -> None:
    user = store.verify_password("ana", "right")
    assert user is not None and user.name == "ana"


@pytest.mark.parametrize(("name", "password"), [("ana", "wrong"), ("nobody", "right"), ("", "")])
def test_a_wrong_password_and_an_unknown_name_do_the_same_work(
    store: UserStore, pbkdf2_calls: list[int], name: str, password: str
) -> None:
    assert store.verify_password(name, password) is None
    assert pbkdf2_calls == [4096]  # one PBKDF2 at the real users' iteration count


def test_a_user_without_a_scram_verifier_costs_the_same(tmp_path: Path, pbkdf2_calls: list[int]) -> None:
    path = tmp_path / "users.yml"
    path.write_text("users:\n- name: old\n  md5: md5" + "a" * 32 + "\n")
    store = UserStore.load(path)
    assert store.verify_password("old", "md5" + "a" * 32) is None  # the stored md5 string is not a password
    assert pbkdf2_calls == [4096]


def test_timing_does_not_tell_known_from_unknown_names() -> None:
    store = UserStore.load(DEMO_USERS)

    def median(name: str) -> float:
        times = []
        for _ in range(15):
            start = time.perf_counter()
            store.verify_password(name, "wrong")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    known, unknown = median("admin"), median("no_such_user")
    assert 0.25 < unknown / known < 4.0, (known, unknown)


def test_the_dummy_verifier_follows_the_users_iteration_count(pbkdf2_calls: list[int]) -> None:
    store = UserStore({"a": User("a", scram=ScramVerifier.from_password("pw", iterations=8192))})
    pbkdf2_calls.clear()
    store.verify_password("nobody", "pw")
    assert pbkdf2_calls == [8192]
    assert store.scram_challenge("nobody")[0].iterations == 8192


def test_an_unknown_name_gets_a_stable_salt_in_every_process() -> None:
    first, second = UserStore.load(DEMO_USERS), UserStore.load(DEMO_USERS)  # two workers, or two starts
    verifier, real = first.scram_challenge("no_such_user")
    assert not real
    assert verifier.salt == second.scram_challenge("no_such_user")[0].salt
    assert len(verifier.salt) == 16 and verifier.iterations == 4096
    assert verifier.salt != first.scram_challenge("no_such_user2")[0].salt


def test_the_made_up_salt_cannot_be_computed_from_the_name_alone() -> None:
    # Before the fix the salt was sha256("quiver-mock-" + name): anyone could compute it, compare,
    # and so tell unknown names from real ones.
    verifier, _ = UserStore.load(DEMO_USERS).scram_challenge("no_such_user")
    assert verifier.salt != hashlib.sha256(b"quiver-mock-no_such_user").digest()[:16]


def test_the_made_up_salt_depends_on_the_users_file_secrets(tmp_path: Path) -> None:
    one, other = UserStore({}, tmp_path / "a.yml"), UserStore({}, tmp_path / "b.yml")
    one.add("x", "pw", salt=b"s" * 16)
    other.add("x", "other password", salt=b"s" * 16)
    assert one.scram_challenge("ghost")[0].salt != other.scram_challenge("ghost")[0].salt


def test_a_real_user_gets_their_own_verifier() -> None:
    store = UserStore.load(DEMO_USERS)
    verifier, real = store.scram_challenge("admin")
    admin = store.get("admin")
    assert real and admin is not None and verifier == admin.scram


def test_api_keys_are_found_by_the_key_only(tmp_path: Path) -> None:
    store = UserStore({}, tmp_path / "users.yml")
    store.add("a", "pw")
    store.add("b", "pw")
    key_a, key_b = store.new_api_key("a"), store.new_api_key("b")
    found_a, found_b = store.by_api_key(key_a), store.by_api_key(key_b)
    assert found_a is not None and found_a.name == "a"
    assert found_b is not None and found_b.name == "b"
    assert store.by_api_key("qk_" + "x" * 32) is None

"""Authentication back-off: how long, for whom, forgotten when, and bounded in memory."""

from __future__ import annotations

import threading
import tracemalloc

import pytest

from server.policy.throttle import ADDRESS_BACKOFF, USER_BACKOFF, AuthThrottle, Backoff, address_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_the_wait_doubles_from_100_ms_to_a_5_s_cap() -> None:
    assert [USER_BACKOFF.wait(n) for n in range(10)] == [0.0, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]
    assert USER_BACKOFF.wait(10_000) == 5.0  # no overflow however many failures


def test_an_address_has_an_allowance_a_user_has_none() -> None:
    assert [ADDRESS_BACKOFF.wait(n) for n in range(7)] == [0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.2]
    assert USER_BACKOFF.wait(1) == 0.1


def test_a_failure_delays_the_same_user_from_any_address(clock: Clock) -> None:
    throttle = AuthThrottle(clock=clock)
    throttle.failed("admin", "127.0.0.7")
    assert throttle.wait("admin", "127.0.0.8") == pytest.approx(0.1)
    assert throttle.wait("analyst", "127.0.0.7") == 0.0  # within the address's allowance


def test_the_wait_runs_from_the_last_failure(clock: Clock) -> None:
    throttle = AuthThrottle(clock=clock)
    for _ in range(3):
        throttle.failed("admin", "127.0.0.7")
    assert throttle.wait("admin", None) == pytest.approx(0.4)
    clock.now += 0.3
    assert throttle.wait("admin", None) == pytest.approx(0.1)
    clock.now += 0.2
    assert throttle.wait("admin", None) == 0.0  # a client that paused on its own does not wait again


def test_spraying_many_users_from_one_address_is_delayed(clock: Clock) -> None:
    throttle = AuthThrottle(clock=clock)
    for i in range(7):
        throttle.failed(f"user{i}", "127.0.0.7")
    assert throttle.wait("someone_new", "127.0.0.7") == pytest.approx(0.4)
    assert throttle.wait("someone_new", "127.0.0.9") == 0.0


def test_a_success_forgets_the_user_but_not_the_address(clock: Clock) -> None:
    throttle = AuthThrottle(clock=clock)
    for _ in range(6):
        throttle.failed("admin", "127.0.0.7")
    throttle.succeeded("admin", "127.0.0.7")
    assert throttle.wait("admin", "127.0.0.8") == 0.0
    assert throttle.wait("analyst", "127.0.0.7") == pytest.approx(0.2)  # 6 failures, 4 of them free


def test_a_quiet_period_forgets_everything(clock: Clock) -> None:
    throttle = AuthThrottle(clock=clock)
    for _ in range(8):
        throttle.failed("admin", "127.0.0.7")
    clock.now += 60.5
    assert throttle.wait("admin", "127.0.0.7") == 0.0
    throttle.failed("admin", "127.0.0.7")  # counting starts afresh
    assert throttle.wait("admin", None) == pytest.approx(0.1)


def test_a_flood_of_random_names_and_addresses_cannot_grow_the_table(clock: Clock) -> None:
    throttle = AuthThrottle(clock=clock, max_entries=1_000)
    for i in range(20_000):
        throttle.failed(f"{i:x}" * 500, f"127.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")  # 2-4 kB names
    assert len(throttle.users) == 1_000 and len(throttle.addresses) == 1_000
    # the most recent failures are the ones kept
    assert throttle.wait(f"{19_999:x}" * 500, None) == pytest.approx(0.1)


def test_a_full_table_costs_a_few_megabytes(clock: Clock) -> None:
    tracemalloc.start()
    try:
        throttle = AuthThrottle(clock=clock)
        for i in range(25_000):
            throttle.failed("x" * 1_000 + str(i), f"127.0.{i >> 8 & 255}.{i & 255}")
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(throttle.users) == 10_000
    assert used < 8 * 1024 * 1024, f"{used / 2**20:.1f} MiB"


def test_failures_from_many_threads_are_all_counted(clock: Clock) -> None:
    throttle = AuthThrottle(Backoff(base=1.0, cap=1_000.0), clock=clock)

    def fail() -> None:
        for _ in range(100):
            throttle.failed("admin", None)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert throttle.wait("admin", None) == 1_000.0  # 800 failures: capped


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("127.0.0.7", "127.0.0.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # one client's /64 is one key
        ("::ffff:127.0.0.7", "127.0.0.7"),
        ("fe80::1%eth0", "fe80::/64"),
        (None, "unknown"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_address_keys(host: str | None, key: str) -> None:
    assert address_key(host) == key

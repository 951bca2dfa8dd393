"""Fair scheduling: one user's slow work cannot hold every thread."""

from __future__ import annotations

import contextvars
import threading
import time

import pytest

from server.execution.scheduler import FairScheduler


def test_another_user_gets_a_thread_while_one_user_floods_the_pool() -> None:
    scheduler = FairScheduler(threads=4)
    release = threading.Event()
    flood = [scheduler.submit("guest", release.wait, 10) for _ in range(7)]
    time.sleep(0.1)
    started = time.monotonic()
    assert scheduler.submit("admin", lambda: 42).result(timeout=2) == 42
    assert time.monotonic() - started < 0.5
    assert scheduler.running("guest") == 2  # half the threads, however much it queued
    release.set()
    assert all(f.result(timeout=5) is True for f in flood)
    scheduler.close()


def test_users_are_served_in_turn() -> None:
    scheduler = FairScheduler(threads=1)
    order: list[str] = []
    gate = threading.Event()
    first = scheduler.submit("a", gate.wait, 5)
    while scheduler.running("a") == 0:  # the one thread is busy before the others queue
        time.sleep(0.01)
    futures = [scheduler.submit(user, order.append, user) for user in ("a", "a", "a", "b", "c")]
    gate.set()
    first.result(timeout=5)
    for future in futures:
        future.result(timeout=5)
    assert order[:3] == ["a", "b", "c"]  # b and c did not wait behind a's whole queue
    scheduler.close()


def test_errors_and_context_reach_the_caller() -> None:
    scheduler = FairScheduler(threads=2)
    variable: contextvars.ContextVar[str] = contextvars.ContextVar("variable", default="unset")
    variable.set("from the caller")
    assert scheduler.submit("u", variable.get).result(timeout=5) == "from the caller"
    with pytest.raises(ZeroDivisionError):
        scheduler.submit("u", lambda: 1 / 0).result(timeout=5)
    scheduler.close()

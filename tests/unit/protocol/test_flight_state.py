"""The Flight service's state between calls: bounded, owned, swept."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest

from connectors.base import CancelToken
from server.errors import ConfigurationLimitExceeded, InvalidStatementName
from server.protocol.flight.state import CallWatch, PreparedStatements, RunningQueries


@dataclass
class Item:
    user: str
    used: float = 0.0
    payload: bytes = field(default=b"")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_prepared_statements_per_user_are_capped_with_53400() -> None:
    store: PreparedStatements[Item] = PreparedStatements(limit=3)
    handles = [store.add(Item("admin")) for _ in range(3)]
    with pytest.raises(ConfigurationLimitExceeded, match="at most 3") as caught:
        store.add(Item("admin"))
    assert caught.value.sqlstate.value == "53400"
    assert "QUIVER_FLIGHT_MAX_PREPARED" in (caught.value.hint or "")
    with pytest.raises(ConfigurationLimitExceeded):
        store.check_room("admin")
    store.check_room("analyst")
    store.add(Item("analyst"))  # every user has their own allowance
    assert store.close("admin", handles[0])
    store.add(Item("admin"))  # a closed statement frees its slot
    assert store.count("admin") == 3 and len(store) == 4


def test_a_handle_answers_only_its_creator() -> None:
    store: PreparedStatements[Item] = PreparedStatements()
    item = Item("admin")
    handle = store.add(item)
    assert len(handle) == 16
    with pytest.raises(InvalidStatementName) as caught:
        store.get("analyst", handle)
    assert caught.value.sqlstate.value == "26000"
    assert not store.close("analyst", handle)  # another user's close does nothing
    assert store.get("admin", handle) is item
    with pytest.raises(InvalidStatementName):
        store.get("admin", b"\x00" * 16)


def test_idle_statements_are_swept_without_being_looked_up() -> None:
    clock = Clock()
    store: PreparedStatements[Item] = PreparedStatements(limit=10, idle=60, clock=clock)
    stale = [store.add(Item("admin")) for _ in range(5)]
    clock.now = 30
    fresh = store.add(Item("admin"))
    store.get("admin", stale[0])  # used: stays
    clock.now = 70
    assert store.sweep() == 4
    assert len(store) == 2 and store.count("admin") == 2
    assert store.get("admin", fresh).user == "admin"
    clock.now = 200
    with pytest.raises(InvalidStatementName):  # expired at lookup even before a sweep
        store.get("admin", fresh)
    assert store.count("admin") == 1


def test_the_call_watch_sweeps_periodically() -> None:
    clock = Clock()
    store: PreparedStatements[Item] = PreparedStatements(idle=60, clock=clock)
    for _ in range(3):
        store.add(Item("admin"))
    clock.now = 61
    watch = CallWatch(every=store.sweep, every_seconds=0.05)
    try:
        deadline = time.monotonic() + 5
        while len(store) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(store) == 0  # nobody looked anything up
    finally:
        watch.stop()


def test_a_cancel_reaches_only_the_owners_streams() -> None:
    running = RunningQueries()
    mine, theirs = CancelToken(), CancelToken()
    running.add("admin", b"ticket", mine)
    running.add("guest", b"ticket", theirs)
    assert running.cancel("guest", b"ticket") == 1
    assert theirs.cancelled and not mine.cancelled
    assert running.cancel("guest", b"other") == 0
    running.remove("admin", b"ticket", mine)
    running.remove("guest", b"ticket", theirs)
    assert len(running) == 0 and running.cancel("admin", b"ticket") == 0


class Context:
    """A call context whose client goes away on demand, and that must not be read after its call."""

    def __init__(self) -> None:
        self.gone = False
        self.finished = False
        self.late_reads = 0

    def is_cancelled(self) -> bool:
        if self.finished:
            self.late_reads += 1  # a real context would be freed memory by now
        return self.gone


def test_a_disconnect_while_waiting_cancels_the_query() -> None:
    watch = CallWatch(poll=0.01)
    try:
        context, token = Context(), CancelToken()
        released = threading.Event()
        token.bind(released.set)
        with watch.waiting(context, token):
            assert not released.wait(0.1)  # the client is there: nothing happens
            started = time.monotonic()
            context.gone = True
            assert released.wait(2)
            assert time.monotonic() - started < 1.0  # polled every 10 ms here
        assert len(watch) == 0
    finally:
        watch.stop()


def test_a_context_is_not_read_once_its_call_left_the_watch() -> None:
    watch = CallWatch(poll=0.0005)
    contexts = []
    try:
        for _ in range(300):
            context = Context()
            with watch.waiting(context, CancelToken()):
                time.sleep(0.0003)
            context.finished = True
            contexts.append(context)
        time.sleep(0.05)
    finally:
        watch.stop()
    assert sum(c.late_reads for c in contexts) == 0
    assert len(contexts) == 300

"""The shared LRU: bounded, least recently used first out, a capacity of 0 keeps nothing."""

from __future__ import annotations

import threading

from server.cache import LRUCache


def test_keeps_at_most_capacity_and_forgets_the_least_recently_used() -> None:
    cache = LRUCache[str, int](2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") == 1
    assert cache.get("c") == 3


def test_putting_an_existing_key_replaces_it_and_makes_it_recent() -> None:
    cache = LRUCache[str, int](2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (10, None, 3)


def test_capacity_zero_turns_the_cache_off() -> None:
    cache = LRUCache[str, int](0)
    cache.put("a", 1)
    assert cache.get("a") is None
    assert len(cache) == 0


def test_clear_forgets_everything() -> None:
    cache = LRUCache[int, int](4)
    cache.put(1, 1)
    cache.clear()
    assert cache.get(1) is None


def test_threads_never_push_it_past_its_capacity() -> None:
    cache = LRUCache[int, int](50)

    def fill(offset: int) -> None:
        for i in range(2000):
            cache.put(offset + i, i)
            cache.get(offset + i // 2)

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50

"""The one cache type of the server: a thread-safe map that forgets its least recently used entries.

Why one class: every cache here is keyed by something clients or operators keep producing
(statement texts, callers, model versions after each reload), so an unbounded dict is a slow
memory leak in a long-running server. Each cache states its capacity where it is created,
and the sizes that matter for memory are settings (``QUIVER_PLAN_CACHE_SIZE``,
``QUIVER_CATALOG_CACHE_SIZE``). A miss only costs recomputing the value: nothing here may
hold state that cannot be rebuilt.

It sits in the lowest import layer (beside errors and config), so every stage can use it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``capacity`` entries; reading or writing an entry makes it the most recent.

    A capacity of 0 (or less) keeps nothing, which turns the cache off.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

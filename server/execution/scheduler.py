"""Blocking work of many users on a fixed set of threads, users taken in turn.

Compiling, running and encoding a batch block, so the channels run them off the
event loop. A plain thread pool serves whoever asked first: seven slow catalog
queries from one user once held every thread of a worker, and another user's
2 ms ``count(*)`` waited 23 s behind them. Here each user has a queue, the
threads take users round-robin, and no user holds more than ``per_user``
threads at once, so one user's load cannot starve another's.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class FairScheduler:
    """Runs jobs for users on ``threads`` threads, round-robin over users, at most ``per_user`` each."""

    def __init__(self, threads: int = 8, per_user: int | None = None, name: str = "quiver-work") -> None:
        self.threads = max(1, threads)
        self.per_user = max(1, per_user if per_user is not None else self.threads // 2)
        self._name = name
        self._lock = threading.Condition()
        self._queues: dict[str, deque[tuple[Future[Any], Callable[[], Any]]]] = {}
        self._turns: deque[str] = deque()  # users with queued jobs, in the order they get a thread
        self._running: dict[str, int] = {}
        self._workers: list[threading.Thread] = []
        self._idle = 0
        self._closed = False

    def submit(self, user: str, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue ``fn(*args)`` for ``user``; it runs in the caller's context (contextvars) on a worker thread."""
        future: Future[T] = Future()
        context = contextvars.copy_context()
        with self._lock:
            if self._closed:
                raise RuntimeError("the scheduler is closed")
            queue = self._queues.get(user)
            if queue is None:
                queue = self._queues[user] = deque()
                self._turns.append(user)
            queue.append((future, lambda: context.run(fn, *args)))
            if self._idle == 0 and len(self._workers) < self.threads:
                worker = threading.Thread(target=self._work, name=f"{self._name}-{len(self._workers)}", daemon=True)
                self._workers.append(worker)
                worker.start()
            else:
                self._lock.notify()
        return future

    def running(self, user: str) -> int:
        with self._lock:
            return self._running.get(user, 0)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def _next(self) -> tuple[str, Future[Any], Callable[[], Any]] | None:
        """The first job of the first user in turn who is under the per-user cap (lock held)."""
        for _ in range(len(self._turns)):
            user = self._turns[0]
            self._turns.rotate(-1)
            if self._running.get(user, 0) >= self.per_user:
                continue
            queue = self._queues[user]
            future, job = queue.popleft()
            if not queue:
                del self._queues[user]
                self._turns.remove(user)
            self._running[user] = self._running.get(user, 0) + 1
            return user, future, job
        return None

    def _work(self) -> None:
        while True:
            with self._lock:
                picked = self._next()
                while picked is None:
                    if self._closed:
                        return
                    self._idle += 1
                    self._lock.wait()
                    self._idle -= 1
                    picked = self._next()
            user, future, job = picked
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(job())
                    except BaseException as exc:
                        future.set_exception(exc)
            finally:
                with self._lock:
                    left = self._running[user] - 1
                    if left:
                        self._running[user] = left
                    else:
                        del self._running[user]
                    if self._queues:
                        self._lock.notify()

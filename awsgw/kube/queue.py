"""A work queue of keys with client-go semantics.

- An ``add`` of a key already waiting collapses into it.
- An ``add`` of a key being processed marks it dirty: it runs once more after ``done``.
- ``add_after`` delays a key (the earliest time wins); ``add_rate_limited`` delays it by a
  per-key exponential backoff that ``forget`` resets.
- ``get`` hands out keys no faster than a global token bucket (``qps``, ``burst``), so a
  storm of events cannot turn into a storm of AWS calls.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable

from awsgw.token_bucket import TokenBucket


class WorkQueue:
    def __init__(
        self,
        qps: float = 10.0,
        burst: int = 100,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.clock = clock
        self._cond = threading.Condition()
        self._queue: deque[str] = deque()
        self._dirty: set[str] = set()
        self._processing: set[str] = set()
        self._waiting: dict[str, float] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._failures: dict[str, int] = {}
        self._bucket = TokenBucket(qps, burst, clock)
        self._shutdown = False
        self.adds = 0
        self.retries = 0

    # ------------------------------------------------------------------ adding
    def add(self, key: str) -> None:
        with self._cond:
            self._add(key)

    def _add(self, key: str) -> None:
        if self._shutdown or key in self._dirty:
            return
        self.adds += 1
        self._dirty.add(key)
        if key not in self._processing:
            self._queue.append(key)
            self._cond.notify()

    def add_after(self, key: str, delay: float) -> None:
        with self._cond:
            if delay <= 0:
                self._add(key)
                return
            when = self.clock() + delay
            if key in self._waiting and self._waiting[key] <= when:
                return
            self._waiting[key] = when
            heapq.heappush(self._heap, (when, next(self._seq), key))
            self._cond.notify()

    def add_rate_limited(self, key: str) -> float:
        """Retry a failed key after its backoff (base × 2^failures, capped); the delay."""
        with self._cond:
            failures = self._failures.get(key, 0)
            self._failures[key] = failures + 1
            self.retries += 1
        delay = min(self.backoff_base * 2.0**failures, self.backoff_max)
        self.add_after(key, delay)
        return delay

    def forget(self, key: str) -> None:
        with self._cond:
            self._failures.pop(key, None)

    def failures(self, key: str) -> int:
        with self._cond:
            return self._failures.get(key, 0)

    # ------------------------------------------------------------------ taking
    def get(self, timeout: float | None = None) -> str | None:
        """The next key (now marked as processing), or None after ``timeout`` or shutdown."""
        deadline = None if timeout is None else self.clock() + timeout
        with self._cond:
            while True:
                if self._shutdown:
                    return None
                now = self.clock()
                self._promote(now)
                wait = self._next_due(now)
                if self._queue:
                    until_token = self._bucket.try_take()
                    if not until_token:
                        key = self._queue.popleft()
                        self._processing.add(key)
                        self._dirty.discard(key)
                        return key
                    wait = min(wait, until_token)
                if deadline is not None:
                    if now >= deadline:
                        return None
                    wait = min(wait, deadline - now)
                self._cond.wait(wait)

    def done(self, key: str) -> None:
        with self._cond:
            self._processing.discard(key)
            if key in self._dirty:
                self._queue.append(key)
                self._cond.notify()

    def _promote(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            when, _, key = heapq.heappop(self._heap)
            if self._waiting.get(key) == when:
                del self._waiting[key]
                self._add(key)

    def _next_due(self, now: float) -> float:
        return max(self._heap[0][0] - now, 0.0) if self._heap else 3600.0

    # ------------------------------------------------------------------ state
    def __len__(self) -> int:
        """Keys ready to run (the queue depth)."""
        with self._cond:
            return len(self._queue)

    @property
    def delayed(self) -> int:
        with self._cond:
            return len(self._waiting)

    @property
    def in_flight(self) -> int:
        """Keys being processed now (by the workers)."""
        with self._cond:
            return len(self._processing)

    def shutdown(self) -> None:
        with self._cond:
            self._shutdown = True
            self._cond.notify_all()

"""A token bucket: ``rate`` tokens a second up to ``burst``. The work queue hands out keys
through one (``try_take``: it waits on its own condition), and each AWS service's client-side
rate limit is one (``take``: the caller blocks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second up to ``burst``, full at first."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._at = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def take(self) -> float:
        """Take one token, waiting for it if need be; the seconds waited."""
        with self._lock:  # reserve: later takers queue behind this one's debt
            self._refill()
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait

    def try_take(self) -> float:
        """Take a token if one is there (0.0); else take none: the seconds until one is."""
        with self._lock:
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1.0
                return 0.0
            return (1 - self._tokens) / self.rate

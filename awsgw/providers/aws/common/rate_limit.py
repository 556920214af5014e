"""A client-side rate limit per AWS service: a token bucket each, shared by every worker of
the process, taken right before each HTTP attempt is sent.

AWS throttles each account and Region with token buckets of its own (the ELB user guide's
"Request throttling": reads 40, refilled at 10 per second; EC2's: reads 100 at 20 per
second). Staying below them keeps awsgw from throttling itself and from starving every other
tool of the account. botocore's retries still own throttling: a throttled call is retried by
botocore, and each retry waits for a token here too (``before-send`` fires per attempt).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from awsgw.token_bucket import TokenBucket


@dataclass
class RateLimits:
    """The buckets of a process, by service id, and what they made callers wait."""

    limits: Mapping[str, tuple[float, int]]
    """Service id (botocore's, hyphenated) → (requests per second, burst); a service not
    named is not limited (``Settings.aws_rate_limits`` holds the defaults)."""
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    waits: Counter[str] = field(default_factory=Counter)
    """Service → requests that had to wait for a token."""
    waited: dict[str, float] = field(default_factory=dict)
    """Service → seconds spent waiting."""

    def __post_init__(self) -> None:
        self._buckets = {
            service: TokenBucket(rate, burst, self.clock, self.sleep)
            for service, (rate, burst) in self.limits.items()
        }
        self._lock = threading.Lock()

    def __call__(self, event_name: str, **_: Any) -> bool:
        """botocore ``before-send.<service-id>.<Operation>``: wait for the service's token;
        whether it waited."""
        service = event_name.split(".")[1]
        bucket = self._buckets.get(service)
        if bucket is None:
            return False
        wait = bucket.take()
        if wait > 0:
            with self._lock:
                self.waits[service] += 1
                self.waited[service] = self.waited.get(service, 0.0) + wait
        return wait > 0

    def snapshot(self) -> dict[str, tuple[int, float]]:
        """Service → (requests that waited, seconds waited)."""
        with self._lock:
            return {s: (self.waits[s], self.waited.get(s, 0.0)) for s in self._buckets}

"""The token bucket of the work queue and of each AWS service's client-side rate limit."""

from __future__ import annotations

import threading
import time

import pytest

from awsgw.token_bucket import TokenBucket
from tests.clock import Clock


def test_a_burst_passes_then_takers_wait_one_refill_each() -> None:
    t = Clock(0.0)
    bucket = TokenBucket(rate=2.0, burst=3, clock=t, sleep=t.sleep)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == 0.5
    assert bucket.take() == 0.5, "each waiter pays for its own token, none overtakes"
    assert t.slept == [0.5, 0.5]


def test_an_idle_bucket_refills_up_to_its_burst_only() -> None:
    t = Clock(0.0)
    bucket = TokenBucket(rate=10.0, burst=2, clock=t, sleep=t.sleep)
    bucket.take()
    bucket.take()
    t.now += 60.0
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.1]


def test_concurrent_takers_never_exceed_the_rate() -> None:
    bucket = TokenBucket(rate=200.0, burst=1)
    threads = [
        threading.Thread(target=lambda: [bucket.take() for _ in range(10)]) for _ in range(4)
    ]
    started = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # 40 tokens from a bucket of 1 at 200/s: at least 39 refills, 0.195 s
    assert time.monotonic() - started >= 0.19


def test_try_take_takes_nothing_while_empty_and_says_when_a_token_is_there() -> None:
    t = Clock(0.0)
    bucket = TokenBucket(rate=4.0, burst=2, clock=t, sleep=t.sleep)
    assert [bucket.try_take(), bucket.try_take()] == [0.0, 0.0]
    assert bucket.try_take() == 0.25
    assert bucket.try_take() == 0.25, "a refused try takes no token and owes none"
    t.now += 0.25
    assert bucket.try_take() == 0.0
    assert t.slept == [], "try_take never sleeps"


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_a_bucket_that_could_never_give_a_token_is_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate > 0 and burst >= 1"):
        TokenBucket(rate, burst)

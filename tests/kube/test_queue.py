"""Work queue: collapse, re-run after processing, backoff, delays, global rate limit."""

from __future__ import annotations

import threading

from awsgw.kube.queue import WorkQueue
from tests.clock import Clock


def drain(q: WorkQueue) -> list[str]:
    out = []
    while (key := q.get(timeout=0)) is not None:
        out.append(key)
        q.done(key)
    return out


def test_duplicate_adds_collapse_and_order_is_kept() -> None:
    q = WorkQueue(clock=Clock(0.0))
    for key in ["a/gw", "b/gw", "a/gw", "a/gw", "c/gw", "b/gw"]:
        q.add(key)
    assert len(q) == 3
    assert drain(q) == ["a/gw", "b/gw", "c/gw"]


def test_add_during_processing_runs_once_more_afterwards() -> None:
    q = WorkQueue(clock=Clock(0.0))
    q.add("ns/gw")
    key = q.get(timeout=0)
    assert key == "ns/gw"
    q.add("ns/gw")
    q.add("ns/gw")
    assert q.get(timeout=0) is None, "never handed out twice at once"
    q.done("ns/gw")
    assert q.get(timeout=0) == "ns/gw"
    q.done("ns/gw")
    assert q.get(timeout=0) is None


def test_keys_being_processed_count_as_in_flight_until_done() -> None:
    q = WorkQueue(clock=Clock(0.0))
    q.add("a/gw")
    q.add("b/gw")
    first, second = q.get(timeout=0), q.get(timeout=0)
    assert (len(q), q.in_flight) == (0, 2), "two workers busy, nothing waiting"
    assert first is not None and second is not None
    q.done(first)
    assert q.in_flight == 1
    q.done(second)
    assert q.in_flight == 0


def test_per_key_backoff_doubles_caps_and_resets_on_forget() -> None:
    clock = Clock(0.0)
    q = WorkQueue(backoff_base=1.0, backoff_max=5.0, clock=clock)
    delays = [q.add_rate_limited("ns/gw") for _ in range(5)]
    assert delays == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert q.add_rate_limited("other/gw") == 1.0, "backoff is per key"
    assert q.get(timeout=0) is None
    clock.now = 0.99
    assert q.get(timeout=0) is None
    clock.now = 1.0
    assert drain(q) == ["ns/gw", "other/gw"], "the earliest delay of a key wins"
    q.forget("ns/gw")
    assert q.failures("ns/gw") == 0
    assert q.add_rate_limited("ns/gw") == 1.0


def test_add_after_keeps_the_earliest_time() -> None:
    clock = Clock(0.0)
    q = WorkQueue(clock=clock)
    q.add_after("k", 10)
    q.add_after("k", 3)
    q.add_after("k", 7)
    clock.now = 3
    assert drain(q) == ["k"]
    clock.now = 20
    assert drain(q) == [], "later entries of a key that already ran are dropped"


def test_global_rate_limit_spaces_out_a_burst() -> None:
    clock = Clock(0.0)
    q = WorkQueue(qps=2.0, burst=3, clock=clock)
    for i in range(10):
        q.add(f"ns/gw{i}")
    assert len(drain(q)) == 3, "the burst"
    clock.now = 0.5
    assert len(drain(q)) == 1
    clock.now = 2.0
    assert len(drain(q)) == 3
    clock.now = 100.0
    assert len(drain(q)) == 3, "tokens never exceed the burst; the rest was left"


def test_get_blocks_until_an_add_and_shutdown_releases_waiters() -> None:
    q = WorkQueue()
    got: list[str | None] = []
    t = threading.Thread(target=lambda: got.append(q.get(timeout=5)))
    t.start()
    q.add("ns/gw")
    t.join(5)
    assert got == ["ns/gw"]
    t = threading.Thread(target=lambda: got.append(q.get(timeout=5)))
    t.start()
    q.shutdown()
    t.join(5)
    assert got == ["ns/gw", None]
    q.add("x")
    assert len(q) == 0


def test_delayed_key_wakes_a_blocked_get() -> None:
    q = WorkQueue()
    q.add_after("ns/gw", 0.05)
    assert q.delayed == 1
    assert q.get(timeout=2) == "ns/gw"

"""Shards over Leases: a stable shard per key, a fair share per live replica, surplus handed
over when a replica joins, a dead replica's shards taken over once its Leases lapse."""

from __future__ import annotations

from typing import cast

from awsgw.kube.api import KubeApi
from awsgw.kube.leader import LeaseConfig
from awsgw.kube.shards import Shards, shard_of
from tests.clock import Clock
from tests.kube.fakes import MemoryApi

COUNT = 6


def replica(
    api: MemoryApi, clock: Clock, identity: str, gained: list[set[int]] | None = None
) -> Shards:
    return replica_of(api, clock, identity, COUNT, gained)


def replica_of(
    api: MemoryApi, clock: Clock, identity: str, count: int, gained: list[set[int]] | None = None
) -> Shards:
    cfg = LeaseConfig("awsgw", "kube-system", identity, 15.0, 10.0, 2.0)
    sink = gained if gained is not None else []
    return Shards(cast(KubeApi, api), cfg, count, on_gain=sink.append, clock=clock)


def rounds(clock: Clock, *replicas: Shards, n: int = 3) -> None:
    for _ in range(n):
        for r in replicas:
            r.step()
        clock.now += 2


def test_a_key_has_the_same_shard_everywhere_and_keys_spread() -> None:
    assert shard_of("shop/web", 6) == shard_of("shop/web", 6)
    assert shard_of("shop/web", 6) == 4, "sha256, not Python's per-process hash"
    spread = {shard_of(f"team{i}/web", 6) for i in range(60)}
    assert spread == set(range(6))


def test_a_lone_replica_holds_every_shard() -> None:
    api, clock, gained = MemoryApi(), Clock(), []
    a = replica(api, clock, "a", gained)
    a.step()
    assert a.held() == set(range(COUNT))
    assert gained == [set(range(COUNT))]


def test_replicas_that_join_get_their_share_and_each_shard_has_one_holder() -> None:
    api, clock = MemoryApi(), Clock()
    a = replica(api, clock, "a")
    rounds(clock, a)
    b, c = replica(api, clock, "b"), replica(api, clock, "c")
    rounds(clock, a, b, c)
    held = [a.held(), b.held(), c.held()]
    assert [len(h) for h in held] == [2, 2, 2]
    assert set().union(*held) == set(range(COUNT)) and sum(len(h) for h in held) == COUNT


def test_a_dead_replicas_shards_are_taken_over_after_its_leases_lapse() -> None:
    api, clock = MemoryApi(), Clock()
    a, b, c = replica(api, clock, "a"), replica(api, clock, "b"), replica(api, clock, "c")
    rounds(clock, a, b, c)
    lost = c.held()
    assert len(lost) == 2
    rounds(clock, a, b, n=2)  # c is gone (no release): 4 s, its Leases still count
    assert len(a.held()) + len(b.held()) == 4
    rounds(clock, a, b, n=8)  # past the 15 s lease duration
    assert len(a.held()) == 3 and len(b.held()) == 3
    assert lost <= a.held() | b.held()


def test_a_released_replica_hands_everything_over_at_once() -> None:
    api, clock = MemoryApi(), Clock()
    a, b = replica(api, clock, "a"), replica(api, clock, "b")
    rounds(clock, a, b)
    a.release()
    assert not a.holds_any()
    rounds(clock, b, n=2)
    assert b.held() == set(range(COUNT))


def test_four_shards_over_three_replicas_leave_none_idle() -> None:
    api, clock = MemoryApi(), Clock()
    a, b = replica_of(api, clock, "a", 4), replica_of(api, clock, "b", 4)
    rounds(clock, a, b)
    c = replica_of(api, clock, "c", 4)
    rounds(clock, a, b, c, n=6)
    counts = sorted(len(r.held()) for r in (a, b, c))
    assert counts == [1, 1, 2], counts
    assert set().union(a.held(), b.held(), c.held()) == set(range(4))
    rounds(clock, a, b, c, n=4)
    assert sorted(len(r.held()) for r in (a, b, c)) == [1, 1, 2], "and it stays so"


def test_a_round_without_readable_membership_gives_nothing_up() -> None:
    api, clock = MemoryApi(), Clock()
    a = replica(api, clock, "a")
    a.step()
    assert not a._starving(0)
    assert a.held() == set(range(COUNT))

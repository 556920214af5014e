"""Gateways sharded over replicas through Kubernetes Leases (``--shards N``).

A stable hash of a Gateway's shard key picks one of N shards, each a Lease
``<lease>-shard-<i>``; a replica works on the keys of the shards it holds. Which replica
holds what is settled by Leases only, each taken and renewed as the single leader Lease is
(``LeaderElector``: free, released, or not renewed for its duration as observed locally):

- every replica holds one member Lease ``<lease>-member-<j>`` (N slots: more replicas than
  shards would have nothing to do), so each sees how many replicas are alive;
- a replica holds at most ceil(N / live replicas) shards: a replica that joins makes the
  others release their surplus, which it then takes; one that dies stops renewing, and within
  the lease duration the others may hold more and take its shards over;
- each replica tries the shards in its own order (a hash of its identity and the shard), so
  replicas starting together do not all contend for shard 0.

Every write asks ``holds(shard)`` of the key being processed right before it is sent, which
turns False at the shard's renew deadline, before anyone else may take it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from awsgw.kube.api import KubeApi
from awsgw.kube.leader import LeaderElector, LeaseConfig

log = logging.getLogger("awsgw.kube.shards")


def shard_of(key: str, count: int) -> int:
    """The shard of a key: stable across processes, versions and restarts (not ``hash``)."""
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


class Shards:
    def __init__(
        self,
        api: KubeApi,
        base: LeaseConfig,
        count: int,
        on_gain: Callable[[set[int]], None] = lambda shards: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if count < 1:
            raise ValueError("shards: at least 1")
        self.count = count
        self.config = base
        self.on_gain = on_gain
        self.shards = [
            LeaderElector(api, replace(base, name=f"{base.name}-shard-{i}"), clock)
            for i in range(count)
        ]
        self.members = [
            LeaderElector(api, replace(base, name=f"{base.name}-member-{i}"), clock)
            for i in range(count)
        ]
        rank = {i: hashlib.sha256(f"{base.identity}/{i}".encode()).digest() for i in range(count)}
        self.order = sorted(range(count), key=rank.__getitem__)
        """This replica's preference: it takes shards in this order, gives them up in reverse."""
        self._lock = threading.Lock()
        self.live_members = 0
        self._holders: dict[int, str] = {}
        """Shard → the other replica holding it, as the last round observed."""

    # ------------------------------------------------------------------ state
    def holds(self, shard: int) -> bool:
        return self.shards[shard].is_leader()

    def held(self) -> set[int]:
        return {i for i, s in enumerate(self.shards) if s.is_leader()}

    def holds_any(self) -> bool:
        return any(s.is_leader() for s in self.shards)

    # ------------------------------------------------------------------ one round
    def step(self) -> set[int]:
        """Renew membership and held shards, then give up or take shards towards this
        replica's share; the shards gained."""
        with self._lock:
            live = self._membership()
            self.live_members = live
            share = math.ceil(self.count / max(live, 1))
            held = [i for i in self.order if self.shards[i].is_leader()]
            for i in held:
                self.shards[i].try_acquire_or_renew()
            held = [i for i in self.order if self.shards[i].is_leader()]
            keep = share - 1 if len(held) == share and self._starving(live) else share
            for i in reversed(held[keep:]):  # surplus: the least preferred go first
                log.info("shard handed over", extra={"shard": i, "share": share})
                self.shards[i].release()
            room = keep - len(held[:keep])
            gained: set[int] = set()
            self._holders = {}
            for i in self.order:
                if i in held[:keep]:
                    continue
                # watch it each round: a lapse is measured from the last change seen
                holder = self.shards[i].observe_holder()
                if holder is not None:
                    self._holders[i] = holder
                elif room > 0 and self.shards[i].try_acquire_or_renew():
                    gained.add(i)
                    room -= 1
        if gained:
            log.info("shards taken", extra={"shards": sorted(gained), "share": share})
            self.on_gain(gained)
        return gained

    def _starving(self, live: int) -> bool:
        """Does a live replica hold fewer than its floor share, as the last round saw the
        other shards' holders? (N=4 over 3 replicas: 2, 2 and 0 would last for ever; the
        ceil holders each give one up, and the empty one takes them.)"""
        if live < 1:  # membership unreadable this round: nothing to judge by
            return False
        floor = self.count // live
        if floor == 0 or self.count % live == 0:  # then the share is the floor: no one gives
            return False
        counts: dict[str, int] = {}
        for holder in self._holders.values():
            counts[holder] = counts.get(holder, 0) + 1
        others = live - 1
        empty = others - len(counts)
        return empty > 0 or any(n < floor for n in counts.values())

    def _membership(self) -> int:
        """Hold one member slot; the number of replicas alive (this one included)."""
        mine = [m for m in self.members if m.is_leader()]
        if mine:
            mine[0].try_acquire_or_renew()
        else:
            for member in self.members:
                if member.try_acquire_or_renew():
                    break
        alive = 0
        for member in self.members:
            if member.is_leader() or member.observe_holder() is not None:
                alive += 1
        return alive

    # ------------------------------------------------------------------ loop
    def run(self, stop: threading.Event) -> None:
        """A round every retry period until stopped."""
        while not stop.is_set():
            self.step()
            stop.wait(self.config.retry_period)

    def release(self) -> None:
        """Hand every shard and the member slot over at once (shutdown)."""
        for elector in (*self.shards, *self.members):
            elector.release()

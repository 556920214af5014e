"""Leader election on a coordination.k8s.io/v1 Lease, in the manner of client-go.

A candidate takes the Lease when it is free, released, or has not been renewed for its
duration *as observed locally* (no trust in other clocks). The leader renews every retry
period from its own thread; every write first asks ``is_leader()``, which turns False as soon
as the last successful renewal is older than the renew deadline (shorter than the lease
duration), so a leader that cannot renew stops writing before anyone else may take over.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from awsgw.kube.api import KubeApi, KubeError
from awsgw.kube.resources import LEASES

log = logging.getLogger("awsgw.kube.leader")


def micro_time(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class LeaseConfig:
    name: str
    namespace: str
    identity: str
    duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


class LeaderElector:
    def __init__(
        self,
        api: KubeApi,
        config: LeaseConfig,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[bool], None] = lambda leading: None,
    ) -> None:
        self.api = api
        self.config = config
        self.clock = clock
        self.on_change = on_change
        self._lock = threading.Lock()
        self._leading = False
        self._renewed_at = float("-inf")
        self._observed: tuple[str, float] | None = None
        self.became_leader = threading.Event()

    # ------------------------------------------------------------------ state
    def is_leader(self) -> bool:
        """Held and renewed within the renew deadline: the check before every write."""
        with self._lock:
            return self._leading and self.clock() < self._renewed_at + self.config.renew_deadline

    def _set(self, leading: bool, renewed_at: float | None = None) -> None:
        with self._lock:
            was = self._leading
            self._leading = leading
            if renewed_at is not None:
                self._renewed_at = renewed_at
        if was != leading:
            log.info(
                "leading" if leading else "not leading",
                extra={"identity": self.config.identity, "lease": self.config.name},
            )
            if leading:
                self.became_leader.set()
            else:
                self.became_leader.clear()
            self.on_change(leading)

    # ------------------------------------------------------------------ one try
    def observe_holder(self) -> str | None:
        """Read the Lease without taking it: its holder while that one renews it (as
        observed locally), else None (free, released, lapsed, or unreadable)."""
        started = self.clock()
        try:
            lease = self.api.get(LEASES, self.config.namespace, self.config.name)
        except KubeError:
            return None
        if lease is None:
            return None
        spec: dict[str, Any] = lease.get("spec") or {}
        holder = str(spec.get("holderIdentity") or "")
        live = self._live(lease, started)
        return holder if holder and live else None

    def _live(self, lease: dict[str, Any], started: float) -> bool:
        """Has the Lease been renewed within its duration, as observed from here?"""
        spec: dict[str, Any] = lease.get("spec") or {}
        version = str((lease.get("metadata") or {}).get("resourceVersion", ""))
        if self._observed is None or self._observed[0] != version:
            self._observed = (version, started)
        duration = float(spec.get("leaseDurationSeconds") or self.config.duration)
        return started < self._observed[1] + duration

    def try_acquire_or_renew(self) -> bool:
        """Read the Lease and take or renew it if we may; whether we lead now."""
        cfg = self.config
        started = self.clock()
        now = micro_time()
        try:
            lease = self.api.get(LEASES, cfg.namespace, cfg.name)
            if lease is None:
                body = {
                    "apiVersion": LEASES.api_version,
                    "kind": "Lease",
                    "metadata": {"name": cfg.name, "namespace": cfg.namespace},
                    "spec": self._spec(now, now, 0),
                }
                self.api.create(LEASES, cfg.namespace, body, guarded=False)
                self._set(True, started)
                return True
            spec: dict[str, Any] = lease.get("spec") or {}
            holder = spec.get("holderIdentity") or ""
            if holder and holder != cfg.identity and self._live(lease, started):
                self._set(False)
                return False
            ours = holder == cfg.identity
            transitions = int(spec.get("leaseTransitions") or 0) + (0 if ours else 1)
            acquired = str(spec.get("acquireTime") or now) if ours else now
            lease["spec"] = self._spec(now, acquired, transitions)
            self.api.replace(LEASES, cfg.namespace, cfg.name, lease, guarded=False)
        except KubeError as exc:
            log.info("lease not acquired or renewed: %s", exc, extra={"lease": cfg.name})
            if not self.is_leader():
                self._set(False)
            return False
        self._set(True, started)
        return True

    def _spec(self, now: str, acquired: str, transitions: int) -> dict[str, Any]:
        return {
            "holderIdentity": self.config.identity,
            "leaseDurationSeconds": max(int(round(self.config.duration)), 1),
            "acquireTime": acquired,
            "renewTime": now,
            "leaseTransitions": transitions,
        }

    # ------------------------------------------------------------------ loop
    def run(self, stop: threading.Event) -> None:
        """Try every retry period until stopped; a lapsed lease ends leadership at once."""
        while not stop.is_set():
            self.try_acquire_or_renew()
            deadline = self.clock() + self.config.retry_period
            while not stop.is_set() and self.clock() < deadline:
                if self._leading and not self.is_leader():
                    self._set(False)
                stop.wait(min(0.1, self.config.retry_period))

    def release(self) -> None:
        """Stop leading and hand the Lease over at once (shutdown)."""
        if not self._leading:
            return
        self._set(False)
        cfg = self.config
        try:
            lease = self.api.get(LEASES, cfg.namespace, cfg.name)
            spec = (lease or {}).get("spec") or {}
            if lease is None or spec.get("holderIdentity") != cfg.identity:
                return
            spec.update(holderIdentity="", leaseDurationSeconds=1, renewTime=micro_time())
            self.api.replace(LEASES, cfg.namespace, cfg.name, lease, guarded=False)
            log.info("lease released", extra={"lease": cfg.name})
        except KubeError as exc:
            log.warning("lease not released: %s", exc)

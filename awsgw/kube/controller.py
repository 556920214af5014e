"""The controller: reflectors → cache → work queue → workers, under a leader Lease (or,
with ``--shards``, the shard Leases of ``kube/shards.py``).

Threads: one reflector per watched kind, the lease renewer, ``workers`` workers (the queue
never hands one key to two of them; ``PassLocks`` keeps a full pass alone and VPC Lattice's
passes one at a time; the AWS rate limits are shared), the periodic resync and the HTTP
server. Only the leader works; every Kubernetes write and every AWS write asks
``is_leader()`` right before it is sent.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from awsgw.core.store import Store
from awsgw.kube.api import KubeApi, KubeError, NotLeader
from awsgw.kube.cache import Cache
from awsgw.kube.events import EventRecorder
from awsgw.kube.leader import LeaderElector, LeaseConfig
from awsgw.kube.mapping import CLASSES, FULL, affected
from awsgw.kube.metrics import ControllerMetrics, Family, aws_calls
from awsgw.kube.queue import WorkQueue
from awsgw.kube.reflector import Reflector
from awsgw.kube.resources import WATCHED
from awsgw.kube.server import HealthServer
from awsgw.kube.shards import Shards, shard_of
from awsgw.kube.worker import PLANNED_TOGETHER, GatewayWorker
from awsgw.kube.writes import Writer
from awsgw.objects import Gateway, KubeObject
from awsgw.providers.registry import DEFAULT_CONTROLLER, Cloud
from awsgw.reconcilers.gateways import SHARED
from awsgw.settings import Settings

log = logging.getLogger("awsgw.kube.controller")


class Controller:
    def __init__(
        self, settings: Settings, api: KubeApi, cloud: Cloud, identity: str, lease_namespace: str
    ) -> None:
        self.settings = settings
        self.api = api
        self.cloud = cloud
        self.cluster = settings.require_cluster()
        self.identity = identity
        self.stop = threading.Event()
        self.metrics = ControllerMetrics()
        api.on_request = lambda verb, res, code: self.metrics.kube_requests.inc(
            verb=verb, resource=res, code=str(code)
        )
        self.queue = WorkQueue(
            settings.queue_qps, settings.queue_burst, settings.backoff_base, settings.backoff_max
        )
        self.cache = Cache(self._on_change)
        self.reflectors = [
            Reflector(
                api,
                resource,
                self.cache,
                self.stop,
                settings.list_page_size,
                settings.watch_timeout,
                on_error=lambda kind: self.metrics.errors.inc(component=f"reflector/{kind}"),
                absent_retry=settings.missing_crd_retry,
            )
            for resource in WATCHED
        ]
        self.leader: LeaderElector | None = None
        self.shards: Shards | None = None
        self._local = threading.local()
        lease = LeaseConfig(
            settings.lease_name,
            lease_namespace,
            identity,
            settings.lease_duration,
            settings.lease_renew_deadline,
            settings.lease_retry_period,
        )
        if settings.leader_elect and settings.shards:
            self.shards = Shards(api, lease, settings.shards, on_gain=self._gained)
        elif settings.leader_elect:
            self.leader = LeaderElector(api, lease, on_change=self._leadership)
        api.may_write = self.is_leader
        cloud.guard_writes(
            self.is_leader, lambda op: NotLeader(f"not the leader: AWS {op} refused")
        )
        self.recorder = EventRecorder(
            api,
            DEFAULT_CONTROLLER,
            identity,
            settings.event_dedupe_window,
            on_sent=lambda t, r: self.metrics.events.inc(type=t, reason=r),
        )
        self.writer = Writer(api, self.cache, lambda k: self.metrics.status_writes.inc(kind=k))
        self.worker = GatewayWorker(
            self.cache,
            self.writer,
            self.recorder,
            cloud.providers,
            self.queue.add_after,
            settings.requeue_pending,
            owns=self.owns if self.shards is not None else None,
        )
        self.server = HealthServer(
            settings.metrics_address, self.healthy, self.ready, self.metrics.registry.render
        )
        self.metrics.registry.collector(self._collect)
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ wiring
    def is_leader(self) -> bool:
        """May this replica write now? Sharded: does it hold the shard of the key its
        thread is processing (in a full pass: every shard it held when the pass began;
        outside a key: any shard)?"""
        if self.shards is not None:
            key = getattr(self._local, "key", None)
            if key == FULL:  # every shard held when the pass began must still be held
                held: set[int] = self._local.held
                return bool(held) and all(self.shards.holds(i) for i in held)
            if key is None:
                return self.shards.holds_any()
            return self.owns(key)
        return self.leader is None or self.leader.is_leader()

    def shard_key(self, key: str) -> str:
        """What a key is sharded by: a Gateway's key, except that the Gateways of a data
        plane planned together (VPC Lattice) and the work of no Gateway go with ``SHARED``
        (one replica does them all, so no two replicas plan them at once)."""
        if key.startswith("@"):
            return SHARED
        gw = self.cache.get("Gateway", key)
        if isinstance(gw, Gateway) and self.cache.controller_of(gw) in PLANNED_TOGETHER:
            return SHARED
        return key

    def owns(self, key: str) -> bool:
        """Is a key this replica's (always, unless sharded)?"""
        if self.shards is None:
            return True
        return self.shards.holds(shard_of(self.shard_key(key), self.shards.count))

    def _gained(self, shards: set[int]) -> None:
        """New shards: catch up on them (a full pass over what this replica owns now)."""
        self.queue.add(CLASSES)
        self.queue.add(FULL)

    def _on_change(
        self, kind: str, old: KubeObject | None, new: KubeObject | None, store: Store
    ) -> None:
        for key in affected(kind, old, new, store):
            self.queue.add(key)

    def _leadership(self, leading: bool) -> None:
        if leading:  # catch up on everything that happened while another replica led
            self.queue.add(CLASSES)
            self.queue.add(FULL)

    # ------------------------------------------------------------------ health
    def ready(self) -> bool:
        return all(r.synced.is_set() for r in self.reflectors)

    def healthy(self) -> bool:
        return all(t.is_alive() for t in self._threads) or self.stop.is_set()

    def _collect(self) -> list[Family]:
        depth = Family("awsgw_workqueue_depth", "Keys ready to be processed.", "gauge")
        depth.set(len(self.queue))
        delayed = Family("awsgw_workqueue_delayed", "Keys waiting for a retry or requeue.", "gauge")
        delayed.set(self.queue.delayed)
        in_flight = Family("awsgw_workqueue_in_flight", "Keys the workers process now.", "gauge")
        in_flight.set(self.queue.in_flight)
        adds = Family("awsgw_workqueue_adds_total", "Keys added to the work queue.", "counter")
        adds.set(self.queue.adds)
        retries = Family("awsgw_workqueue_retries_total", "Keys retried after backoff.", "counter")
        retries.set(self.queue.retries)
        leader = Family("awsgw_leader", "1 while this replica holds the lease.", "gauge")
        leader.set(1.0 if self.is_leader() else 0.0)
        held = Family("awsgw_shards_held", "Shards this replica holds (--shards).", "gauge")
        members = Family("awsgw_shard_members", "Replicas alive, as their Leases show.", "gauge")
        if self.shards is not None:
            held.set(float(len(self.shards.held())))
            members.set(float(self.shards.live_members))
        synced = Family("awsgw_cache_synced", "1 once a kind is listed.", "gauge", ("kind",))
        lists = Family(
            "awsgw_reflector_lists_total", "Full lists (start and 410).", "counter", ("kind",)
        )
        for r in self.reflectors:
            synced.set(1.0 if r.synced.is_set() else 0.0, kind=r.kind)
            lists.set(float(r.lists), kind=r.kind)
        waits = Family(
            "awsgw_aws_rate_limit_waits_total",
            "AWS requests that waited for the client-side rate limit.",
            "counter",
            ("service",),
        )
        waited = Family(
            "awsgw_aws_rate_limit_wait_seconds_total",
            "Seconds AWS requests waited for the client-side rate limit.",
            "counter",
            ("service",),
        )
        for service, (count, seconds) in self.cloud.rate_limited().items():
            waits.set(float(count), service=service)
            waited.set(seconds, service=service)
        workers = Family("awsgw_workers", "Workers taking keys from the queue.", "gauge")
        workers.set(float(self.settings.workers))
        return [aws_calls(self.cloud.outcomes()), depth, delayed, in_flight, adds, retries, leader,
                synced, lists, waits, waited, workers, held, members]  # fmt: skip

    # ------------------------------------------------------------------ threads
    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def run(self) -> None:
        """Serve, sync the caches, then lead (or wait to) until ``stop`` is set."""
        self.server.start()
        for r in self.reflectors:
            self._spawn(f"reflector/{r.kind}", r.run)
        while not self.ready() and not self.stop.wait(0.05):
            pass
        if self.stop.is_set():
            return
        log.info("caches synced", extra={"identity": self.identity})
        if self.shards is not None:
            self._spawn("shards", lambda: self.shards.run(self.stop) if self.shards else None)
        elif self.leader is not None:
            self._spawn("leader", lambda: self.leader.run(self.stop) if self.leader else None)
        else:
            self._leadership(True)
        for i in range(self.settings.workers):
            self._spawn(f"worker-{i}", self._work)
        self._spawn("resync", self._resync)
        self.stop.wait()

    def _resync(self) -> None:
        while not self.stop.wait(self.settings.resync_period):
            self.queue.add(FULL)

    def _work(self) -> None:
        while not self.stop.is_set():
            if not self.is_leader():
                self.stop.wait(0.1)
                continue
            key = self.queue.get(timeout=0.5)
            if key is None:
                continue
            if key != FULL and not self.owns(key):  # another replica's shard
                self.queue.forget(key)
                self.queue.done(key)
                continue
            self._local.key = key
            self._local.held = self.shards.held() if self.shards is not None else set()
            try:
                self.process(key)
            finally:
                self._local.key = None

    def process(self, key: str) -> None:
        kind = "full" if key == FULL else "classes" if key == CLASSES else "gateway"
        started = time.monotonic()
        result = "success"
        try:
            outcome = self.worker.process(key)
        except NotLeader as exc:
            log.info("stopped: %s", exc, extra={"key": key})
            result = "not_leader"
            self.queue.add(key)
        except KubeError as exc:  # the API refused or did not answer: no traceback needed
            log.warning("reconcile failed: Kubernetes API %s", exc, extra={"key": key})
            self.metrics.errors.inc(component="kube")
            result = "error"
            self.queue.add_rate_limited(key)
        except Exception:
            log.exception("reconcile failed", extra={"key": key})
            self.metrics.errors.inc(component="reconcile")
            result = "error"
            self.queue.add_rate_limited(key)
        else:
            if outcome.retry:
                result = "retry"
                self.queue.add_rate_limited(key)
            else:
                self.queue.forget(key)
                if outcome.after is not None:
                    self.queue.add_after(key, outcome.after)
        finally:
            self.queue.done(key)
            elapsed = time.monotonic() - started
            self.metrics.reconcile_duration.observe(elapsed, kind=kind)
            self.metrics.reconciles.inc(kind=kind, result=result)
            log.info(
                "reconciled",
                extra={"key": key, "result": result, "seconds": round(elapsed, 3)},
            )

    def shutdown(self) -> None:
        """Stop taking work, let the current key finish (bounded), hand the lease over."""
        self.stop.set()
        self.queue.shutdown()
        for r in self.reflectors:
            r.close()
        deadline = time.monotonic() + self.settings.shutdown_grace
        for t in self._threads:
            if t.name.startswith("worker-"):
                t.join(max(0.0, deadline - time.monotonic()))
        if self.leader is not None:
            self.leader.release()
        if self.shards is not None:
            self.shards.release()
        self.server.stop()
        log.info("stopped", extra={"identity": self.identity})

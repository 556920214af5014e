"""Process one work-queue key: a Gateway, ``@classes`` or ``@full``.

The same core and provider as ``awsgw reconcile``: a snapshot of the cache is the Store, and
``reconcile(store, providers, now, only=key)`` does the cloud work. Around it, the Kubernetes
lifecycle: the finalizer goes on before any AWS resource can be created; a Gateway being
deleted (or no longer of our class) has its AWS resources deleted first and the finalizer
removed after; statuses, and the annotations providers report for Routes (a VPC Lattice
service's DNS name), are patched only when they changed; Events say what users should know.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from awsgw.core.attach import attach
from awsgw.core.findings import Failure
from awsgw.core.status import class_statuses
from awsgw.core.store import Store
from awsgw.kube.api import NotLeader
from awsgw.kube.cache import Cache
from awsgw.kube.events import EventRecorder
from awsgw.kube.mapping import CLASSES, FULL
from awsgw.kube.pass_locks import PassLocks
from awsgw.kube.resources import GATEWAYS
from awsgw.kube.writes import FINALIZER, WriteConflict, Writer
from awsgw.objects import Gateway, GatewayClass, KubeObject
from awsgw.providers.base import Provider
from awsgw.providers.registry import CATALOG
from awsgw.reconcilers.gateways import SHARED, PassResult, reconcile

log = logging.getLogger("awsgw.kube.worker")
QUOTA_HINTS = ("TooMany", "LimitExceeded", "quota")
THROTTLE_HINTS = ("Throttl", "RequestLimitExceeded", "TooManyRequests", "SlowDown")
"""A request rate refused (passing), not a quota, though the words overlap."""
MANAGED = CATALOG.controllers
"""Controllers whose Gateways get cloud resources, hence the finalizer (ALB, NLB, VPC Lattice)."""
PLANNED_TOGETHER = frozenset(c for c, caps in CATALOG.rows.items() if caps.planned_together)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Outcome:
    retry: bool = False
    """Failed: retry with the key's backoff."""
    after: float | None = None
    """Done for now; look again after this many seconds (a load balancer still provisioning)."""


def _condition(status: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    for c in (status or {}).get("conditions") or []:
        if isinstance(c, dict) and c.get("type") == kind:
            return c
    return {}


def _deleting(doc: dict[str, Any]) -> bool:
    return bool((doc.get("metadata") or {}).get("deletionTimestamp"))


class GatewayWorker:
    def __init__(
        self,
        cache: Cache,
        writer: Writer,
        recorder: EventRecorder,
        providers: Callable[[], dict[str, Provider]],
        enqueue_after: Callable[[str, float], None],
        requeue_pending: float = 15.0,
        now: Callable[[], str] = utc_now,
        locks: PassLocks | None = None,
        owns: Callable[[str], bool] | None = None,
    ) -> None:
        self.locks = locks or PassLocks(PLANNED_TOGETHER)
        """Shared by the workers of one process: which passes may run at once."""
        self.owns = owns
        """Is a Gateway key (or ``SHARED``) this replica's? None: every key is (one leader).
        When sharded, a full pass applies, collects and reports this replica's Gateways
        only."""
        self.cache = cache
        self.writer = writer
        self.recorder = recorder
        self.providers = providers
        self.enqueue_after = enqueue_after
        self.requeue_pending = requeue_pending
        self.now = now

    def process(self, key: str) -> Outcome:
        """One key; safe to call from several threads at once with distinct keys."""
        if key == CLASSES:
            return self.classes()
        if key == FULL:
            with self.locks.full():
                return self.full_pass()
        return self.gateway(key)

    # ------------------------------------------------------------------ one Gateway
    def gateway(self, key: str) -> Outcome:
        gw = self.cache.get("Gateway", key)
        unreadable = self.cache.invalid("Gateway").get(key)
        # a Gateway gone, unreadable or being deleted may have resources in any data plane
        live = (
            isinstance(gw, Gateway)
            and unreadable is None
            and gw.metadata.deletion_timestamp is None
        )
        with self.locks.gateway(
            self.cache.controller_of(gw) if isinstance(gw, Gateway) and live else None
        ):
            if unreadable is not None:
                return self._unreadable(key, unreadable)
            if not isinstance(gw, Gateway):  # gone from the API: whatever it left in AWS goes
                return self._run(key, None, self.cache.snapshot())
            return self._gateway(key, gw)

    def _gateway(self, key: str, gw: Gateway) -> Outcome:
        ours = self.cache.controller_of(gw) in MANAGED
        if gw.metadata.deletion_timestamp is None and ours:
            try:
                gw = self.writer.finalizer(gw, present=True)
            except WriteConflict as exc:
                log.info("finalizer not added yet: %s", exc, extra={"gateway": key})
                return Outcome(retry=True)
        elif FINALIZER not in gw.metadata.finalizers and not self._status_only(gw):
            return Outcome()  # not ours and never was: nothing to do
        return self._run(key, gw, self.cache.snapshot())

    def _status_only(self, gw: Gateway) -> bool:
        """A live Gateway of a class we answer for without AWS (reserved controllers)."""
        controller = self.cache.controller_of(gw) or ""
        return gw.metadata.deletion_timestamp is None and controller.startswith("awsgw.io/")

    def _unreadable(self, key: str, doc: dict[str, Any]) -> Outcome:
        if not _deleting(doc):
            log.warning("Gateway is unreadable: AWS left as it is", extra={"gateway": key})
            return Outcome()
        store = self.cache.snapshot()
        store.remove("Gateway", key)
        result = self._reconcile(store, key, None)
        if key in result.deleted and not result.failed:
            try:
                self.writer.raw_finalizer(GATEWAYS, doc, present=False)
            except WriteConflict:
                return Outcome(retry=True)
        return Outcome(retry=bool(result.failed))

    def _run(self, key: str, gw: Gateway | None, store: Store) -> Outcome:
        result = self._reconcile(store, key, gw)
        conflicts = self._write_statuses(store, result)
        conflicts |= self._write_annotations(store, result)
        self._gateway_events(store, result)
        if gw is not None and key in result.deleted and not result.failed:
            if gw.metadata.deletion_timestamp is not None:
                note = "AWS resources deleted"
                controller = self.cache.controller_of(gw)
                self.recorder.record(gw, "Normal", "Deleted", note, "Delete", controller)
            try:
                self.writer.finalizer(gw, present=False)
            except WriteConflict:
                conflicts = True
        return self._outcome(store, result, conflicts, only=key)

    def _reconcile(self, store: Store, only: str | None, gw: Gateway | None) -> PassResult:
        try:
            result = reconcile(store, self.providers(), self.now(), only=only, owns=self.owns)
            for key in result.deleted:
                log.info("AWS resources deleted", extra={"gateway": key})
            for failure in result.failed:
                log.warning("pass failed: %s", failure, extra={"key": only or "@full"})
            return result
        except NotLeader:
            raise
        except Exception as exc:  # AWS unreachable, throttled past retries, ...
            if gw is not None:
                reason, controller = self._reason(str(exc)), self.cache.controller_of(gw)
                self.recorder.record(gw, "Warning", reason, f"AWS: {exc}", controller=controller)
            raise

    # ------------------------------------------------------------------ passes
    def full_pass(self) -> Outcome:
        """Every Gateway, then garbage collection; finalizers first, so nothing is created
        for a Gateway without one. Skipped while a Gateway is unreadable (GC would take it
        for deleted): each readable Gateway is queued on its own instead."""
        unreadable = self.cache.invalid("Gateway")
        if unreadable:
            log.warning("full pass skipped: unreadable Gateways %s", sorted(unreadable), extra={})
            for key in self.cache.keys("Gateway"):
                self.enqueue_after(key, 0)
            return Outcome()
        conflicts = False
        for gw in self.cache.snapshot().gateways():
            if self.owns is not None and not self.owns(gw.key):
                continue
            if gw.metadata.deletion_timestamp is None and self.cache.controller_of(gw) in MANAGED:
                try:
                    self.writer.finalizer(gw, present=True)
                except WriteConflict:
                    conflicts = True
        if conflicts:
            return Outcome(retry=True)
        store = self.cache.snapshot()
        result = self._reconcile(store, None, None)
        conflicts = self._write_statuses(store, result)
        conflicts |= self._write_annotations(store, result)
        self._gateway_events(store, result)
        for key in result.deleted:
            gone = store.get("Gateway", key, Gateway)
            failed = any(f.gateway == key for f in result.failed)
            if gone is not None and FINALIZER in gone.metadata.finalizers and not failed:
                try:
                    self.writer.finalizer(gone, present=False)
                except WriteConflict:
                    conflicts = True
        return self._outcome(store, result, conflicts, only=None)

    def classes(self) -> Outcome:
        """GatewayClass statuses: pure, no AWS (the ``SHARED`` owner's, when sharded)."""
        if self.owns is not None and not self.owns(SHARED):
            return Outcome()
        store = self.cache.snapshot()
        conflicts = False
        for name, status in class_statuses(attach(store, CATALOG), self.now()).items():
            gc = store.get("GatewayClass", name, GatewayClass)
            if gc is None:
                continue
            try:
                self.writer.status(gc, status)
            except WriteConflict:
                conflicts = True
        return Outcome(retry=conflicts)

    # ------------------------------------------------------------------ results
    def _write_statuses(self, store: Store, result: PassResult) -> bool:
        conflicts = False
        for (kind, key), status in sorted(result.statuses.items()):
            obj = store.get(kind, key, KubeObject)
            if obj is None:
                continue
            try:
                self.writer.status(obj, status)
            except WriteConflict as exc:
                log.info("status not written: %s", exc, extra={"object": f"{kind} {key}"})
                conflicts = True
        return conflicts

    def _write_annotations(self, store: Store, result: PassResult) -> bool:
        """The annotations providers report for Routes (merged into what the Route has).
        The object is read from the cache: a status write just before moved it on."""
        conflicts = False
        for ref, wanted in sorted(result.annotations.items()):
            obj = self.cache.get(ref.kind, ref.key) or store.get(ref.kind, ref.key, KubeObject)
            if obj is None or not wanted:
                continue
            try:
                written = self.writer.annotations(obj, wanted)
            except WriteConflict as exc:
                log.info("annotations not written: %s", exc, extra={"object": str(ref)})
                conflicts = True
                continue
            for controller, event in result.announcements.get(ref, []):
                value = wanted.get(event.annotation)
                if written and value and obj.metadata.annotations.get(event.annotation) != value:
                    self.recorder.forget(obj, event.reason)  # one Event per value
                    self.recorder.record(
                        obj, "Normal", event.reason, event.message, controller=controller
                    )
        return conflicts

    @staticmethod
    def _reason(message: str) -> str:
        """The Event reason of an exception's message (a quota, or any other AWS error)."""
        if any(h in message for h in THROTTLE_HINTS):
            return "AWSError"
        return "QuotaExceeded" if any(h in message for h in QUOTA_HINTS) else "AWSError"

    @staticmethod
    def _failure_reason(failure: Failure) -> str:
        return "QuotaExceeded" if failure.quota else "AWSError"

    def _gateway_events(self, store: Store, result: PassResult) -> None:
        for failure in result.failed:
            gw = store.get("Gateway", failure.gateway, Gateway) if failure.gateway else None
            if gw is not None:
                reason, controller = self._failure_reason(failure), self.cache.controller_of(gw)
                self.recorder.record(gw, "Warning", reason, str(failure), controller=controller)
        for key, messages in sorted(result.quota.items()):
            gw = store.get("Gateway", key, Gateway)
            if gw is not None:
                more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
                controller = self.cache.controller_of(gw)
                self.recorder.record(
                    gw, "Warning", "QuotaExceeded", messages[0] + more, controller=controller
                )
        for (kind, key), status in result.statuses.items():
            if kind != "Gateway":
                continue
            gw = store.get("Gateway", key, Gateway)
            before = gw.raw.get("status") if gw else None
            now = _condition(status, "Programmed")
            if gw is None or now.get("status") != "True":
                continue
            if _condition(before, "Programmed").get("status") != "True":
                address = ", ".join(a.get("value", "") for a in status.get("addresses", []))
                note = f"Load balancer {address} is active" if address else now.get("message", "")
                controller = self.cache.controller_of(gw)
                self.recorder.record(gw, "Normal", "Programmed", note, controller=controller)
                self.recorder.forget(gw, "AWSError")

    def _outcome(
        self, store: Store, result: PassResult, conflicts: bool, only: str | None
    ) -> Outcome:
        pending = [
            key
            for (kind, key), status in result.statuses.items()
            if kind == "Gateway" and _condition(status, "Programmed").get("reason") == "Pending"
        ]
        for key in pending:
            if key != only:
                self.enqueue_after(key, self.requeue_pending)
        if result.failed or conflicts:
            return Outcome(retry=True)
        return Outcome(after=self.requeue_pending if only in pending else None)

"""Kubernetes Events (events.k8s.io/v1) for what users should see, without floods.

One Event per (object, reason) per dedupe window: a Gateway failing every retry for an hour
gets one ``AWSError`` Event per window, not one per retry. A failure to record an Event is
logged and never fails a reconcile.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from awsgw.kube.api import KubeApi, KubeError, NotLeader
from awsgw.kube.leader import micro_time
from awsgw.kube.resources import EVENTS
from awsgw.objects import KubeObject

log = logging.getLogger("awsgw.kube.events")
NOTE_LIMIT = 1024
MAX_REMEMBERED = 10_000


class EventRecorder:
    def __init__(
        self,
        api: KubeApi,
        controller: str,
        instance: str,
        window: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        on_sent: Callable[[str, str], None] = lambda type_, reason: None,
    ) -> None:
        self.api = api
        self.controller = controller
        self.instance = instance
        self.window = window
        self.clock = clock
        self.on_sent = on_sent
        self._lock = threading.Lock()
        self._sent: dict[tuple[str, str], float] = {}

    def _due(self, key: tuple[str, str]) -> bool:
        now = self.clock()
        with self._lock:
            last = self._sent.get(key)
            if last is not None and now - last < self.window:
                return False
            if len(self._sent) >= MAX_REMEMBERED:
                self._sent = {k: t for k, t in self._sent.items() if now - t < self.window}
            self._sent[key] = now
            return True

    def forget(self, obj: KubeObject, reason: str) -> None:
        """Let the next Event of this reason through (e.g. a new failure after recovery)."""
        with self._lock:
            self._sent.pop((_identity(obj), reason), None)

    def record(
        self,
        obj: KubeObject,
        type_: str,
        reason: str,
        note: str,
        action: str = "Reconcile",
        controller: str | None = None,
    ) -> bool:
        """Create the Event unless one of this reason was sent for the object recently;
        ``controller`` names the reporting controller when it is not the default one."""
        if not self._due((_identity(obj), reason)):
            return False
        namespace = obj.metadata.namespace or "default"
        body = {
            "apiVersion": EVENTS.api_version,
            "kind": "Event",
            "metadata": {
                "name": f"{obj.name}.{secrets.token_hex(8)}",
                "namespace": namespace,
            },
            "eventTime": micro_time(),
            "reportingController": controller or self.controller,
            "reportingInstance": self.instance[:128],
            "action": action,
            "reason": reason,
            "note": note[:NOTE_LIMIT],
            "type": type_,
            "regarding": _reference(obj),
        }
        try:
            self.api.create(EVENTS, namespace, body)
        except (KubeError, NotLeader) as exc:
            log.warning("event %s not recorded: %s", reason, exc, extra={"object": obj.key})
            with self._lock:
                self._sent.pop((_identity(obj), reason), None)
            return False
        self.on_sent(type_, reason)
        return True


def _identity(obj: KubeObject) -> str:
    return obj.metadata.uid or f"{obj.kind}/{obj.key}"


def _reference(obj: KubeObject) -> dict[str, Any]:
    ref: dict[str, Any] = {"apiVersion": obj.api_version, "kind": obj.kind, "name": obj.name}
    for field, value in (
        ("namespace", obj.metadata.namespace),
        ("uid", obj.metadata.uid),
        ("resourceVersion", obj.metadata.resource_version),
    ):
        if value:
            ref[field] = value
    return ref

"""Reflector: keep the Cache's copy of one resource in step with the API server.

A paginated list (its resourceVersion is the point the watch resumes from), then watches
with bookmarks and server-side timeouts, each resumed from the last resourceVersion seen.
410 Gone (the version fell out of the server's history, as an HTTP status or an ERROR event)
re-lists; any other failure backs off exponentially with jitter and tries again.

An optional resource (a CRD that may not be installed) answering 404 is taken as empty: the
reflector counts as synced (readiness does not wait for it), says so once in the log, and
looks again every ``absent_retry`` seconds until the CRD appears.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from awsgw.kube.api import KubeApi, KubeError
from awsgw.kube.cache import Cache, resource_version
from awsgw.kube.resources import Resource

log = logging.getLogger("awsgw.kube.reflector")


class Gone(Exception):
    """The resourceVersion is too old: list again."""


class Reflector:
    def __init__(
        self,
        api: KubeApi,
        resource: Resource,
        cache: Cache,
        stop: threading.Event,
        page_size: int = 500,
        watch_timeout: float = 300.0,
        backoff: tuple[float, float] = (0.5, 30.0),
        on_error: Callable[[str], None] = lambda what: None,
        rng: random.Random | None = None,
        absent_retry: float = 60.0,
    ) -> None:
        self.api = api
        self.resource = resource
        self.cache = cache
        self.stop = stop
        self.page_size = page_size
        self.watch_timeout = watch_timeout
        self.backoff = backoff
        self.on_error = on_error
        self.rng = rng or random.Random()
        self.absent_retry = absent_retry
        self.absent = False
        """The API does not serve this (optional) resource: its CRD is not installed."""
        self.synced = threading.Event()
        self.resource_version: str | None = None
        self.lists = 0
        self.failures = 0
        self._stream_lock = threading.Lock()
        self._stream: Any = None

    @property
    def kind(self) -> str:
        return self.resource.kind

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if self.resource_version is None:
                    self.resource_version = self.list()
                started = time.monotonic()
                if self.watch() == 0 and time.monotonic() - started < 1.0:
                    self.stop.wait(self.backoff[0])  # an empty, instant watch: do not spin
                self.failures = 0
            except Gone:
                log.info("resourceVersion too old, listing again", extra={"kind": self.kind})
                self.resource_version = None
            except KubeError as exc:
                if exc.status == 404 and self.resource.optional:
                    self._absent()
                else:
                    self._failed(exc)
            except Exception as exc:
                self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        if self.stop.is_set():
            return
        self.failures += 1
        self.on_error(self.kind)
        delay = self.delay()
        log.warning(
            "list/watch failed (%s), retrying in %.1fs",
            exc,
            delay,
            extra={"kind": self.kind, "failures": self.failures},
        )
        self.stop.wait(delay)

    def _absent(self) -> None:
        """The resource is not served: none of it exists here; look again slowly."""
        if not self.absent:
            log.warning(
                "%s not served by the API (CRD not installed?): none assumed, "
                "checking again every %.0fs",
                self.resource.plural,
                self.absent_retry,
                extra={"kind": self.kind, "apiVersion": self.resource.api_version},
            )
        self.absent = True
        self.failures = 0
        self.resource_version = None
        self.cache.replace(self.resource, [])
        self.synced.set()
        self.stop.wait(self.absent_retry)

    def delay(self) -> float:
        """Exponential backoff with jitter: uniformly in [½, 1] of base × 2^(failures-1)."""
        base, cap = self.backoff
        full = min(base * 2.0 ** max(self.failures - 1, 0), cap)
        return full * (0.5 + self.rng.random() / 2)

    def list(self) -> str:
        """Every object, page by page, into the cache; the list's resourceVersion."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        version = ""
        while True:
            try:
                page = self.api.list(self.resource, self.page_size, token)
            except KubeError as exc:
                if exc.status == 410 and token:  # the continue token expired: start over
                    items, token = [], None
                    continue
                raise
            items += [i for i in page.get("items") or [] if isinstance(i, dict)]
            meta = page.get("metadata") or {}
            version = str(meta.get("resourceVersion") or version)
            token = meta.get("continue") or None
            if token is None:
                break
        self.cache.replace(self.resource, items)
        self.lists += 1
        if self.absent:
            log.info("now served by the API", extra={"kind": self.kind})
            self.absent = False
        self.synced.set()
        log.debug("listed", extra={"kind": self.kind, "count": len(items), "rv": version})
        return version

    def watch(self) -> int:
        """One watch until the server ends it; events go to the cache. How many came."""
        seconds = int(self.watch_timeout * (1 + self.rng.random()))
        try:
            stream = self.api.watch(self.resource, self.resource_version or "", max(seconds, 1))
        except KubeError as exc:
            if exc.status == 410:
                raise Gone() from exc
            raise
        with self._stream_lock:
            self._stream = stream
        count = 0
        try:
            for event in stream:
                if self.stop.is_set():
                    break
                self.handle(event)
                count += 1
            return count
        finally:
            with self._stream_lock:
                self._stream = None

    def handle(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        obj = event.get("object")
        if not isinstance(obj, dict):
            return
        if kind == "ERROR":
            code = int(obj.get("code") or 0)
            if code == 410:
                raise Gone()
            raise KubeError(code, str(obj.get("message", "watch error")))
        if kind in ("ADDED", "MODIFIED"):
            self.cache.upsert(self.resource, obj)
        elif kind == "DELETED":
            self.cache.delete(self.resource, obj)
        elif kind != "BOOKMARK":
            return
        self.resource_version = resource_version(obj) or self.resource_version

    def close(self) -> None:
        """Interrupt a watch in progress (shutdown)."""
        with self._stream_lock:
            if self._stream is not None:
                self._stream.close()

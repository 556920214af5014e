"""Cache and reflector: list then watch, 410 re-lists, backoff with jitter, unreadable
objects skipped without crashing (and without hiding the last good version)."""

from __future__ import annotations

import logging
import random
import threading
from typing import Any, cast

import pytest

from awsgw.core.store import Store
from awsgw.kube.api import KubeApi, KubeError
from awsgw.kube.cache import Cache
from awsgw.kube.reflector import Gone, Reflector
from awsgw.kube.resources import GATEWAYS, SERVICE_EXPORTS, SERVICES
from awsgw.objects import KubeObject
from tests.kube.fakes import MemoryApi


def gw(name: str, rv: str, port: Any = 80) -> dict[str, Any]:
    """A Gateway as list items come: without apiVersion and kind."""
    return {
        "metadata": {"name": name, "namespace": "shop", "resourceVersion": rv},
        "spec": {"gatewayClassName": "alb", "listeners": [{"name": "h", "port": port,
                 "protocol": "HTTP"}]},
    }  # fmt: skip


def recording_cache() -> tuple[Cache, list[tuple[str, str | None, str | None]]]:
    seen: list[tuple[str, str | None, str | None]] = []

    def on_change(kind: str, old: KubeObject | None, new: KubeObject | None, _: Store) -> None:
        seen.append((kind, old.metadata.resource_version if old else None,
                     new.metadata.resource_version if new else None))  # fmt: skip

    return Cache(on_change), seen


def reflector(api: MemoryApi, cache: Cache, stop: threading.Event | None = None) -> Reflector:
    return Reflector(cast(KubeApi, api), GATEWAYS, cache, stop or threading.Event(),
                     page_size=2, rng=random.Random(1))  # fmt: skip


def test_paginated_list_fills_the_cache_and_returns_the_list_version() -> None:
    api, (cache, seen) = MemoryApi(), recording_cache()
    first = {"resourceVersion": "10", "continue": "t1"}
    api.pages = [
        {"metadata": first, "items": [gw("a", "3"), gw("b", "4")]},
        {"metadata": {"resourceVersion": "10"}, "items": [gw("c", "5")]},
    ]
    r = reflector(api, cache)
    assert r.list() == "10"
    assert r.synced.is_set()
    assert cache.keys("Gateway") == ["shop/a", "shop/b", "shop/c"]
    assert seen == [("Gateway", None, "3"), ("Gateway", None, "4"), ("Gateway", None, "5")]


def test_relist_deletes_what_vanished_and_skips_what_did_not_change() -> None:
    api, (cache, seen) = MemoryApi(), recording_cache()
    api.pages = [
        {"metadata": {"resourceVersion": "5"}, "items": [gw("a", "1"), gw("b", "2")]},
        {"metadata": {"resourceVersion": "9"}, "items": [gw("a", "1"), gw("c", "8")]},
    ]
    r = reflector(api, cache)
    r.list()
    seen.clear()
    r.list()
    assert cache.keys("Gateway") == ["shop/a", "shop/c"]
    assert seen == [("Gateway", "2", None), ("Gateway", None, "8")]


def test_watch_events_bookmarks_and_410() -> None:
    api, (cache, _) = MemoryApi(), recording_cache()
    r = reflector(api, cache)
    r.resource_version = "10"
    api.watches = [[
        {"type": "ADDED", "object": {"apiVersion": "gateway.networking.k8s.io/v1",
                                     "kind": "Gateway", **gw("a", "11")}},
        {"type": "MODIFIED", "object": gw("a", "12", port=81)},
        {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "20"}}},
    ]]  # fmt: skip
    assert r.watch() == 3
    assert r.resource_version == "20"
    a = cache.get("Gateway", "shop/a")
    assert a is not None and a.raw["spec"]["listeners"][0]["port"] == 81
    api.watches = [[{"type": "DELETED", "object": gw("a", "21")},
                    {"type": "ERROR", "object": {"kind": "Status", "code": 410}}]]  # fmt: skip
    try:
        r.watch()
        raise AssertionError("410 must raise Gone")
    except Gone:
        pass
    assert cache.keys("Gateway") == []
    api.watches = [KubeError(410, "too old")]
    try:
        r.watch()
        raise AssertionError("an HTTP 410 must raise Gone")
    except Gone:
        pass


def test_run_relists_after_410_and_backs_off_on_errors() -> None:
    api, (cache, _) = MemoryApi(), recording_cache()
    stop = threading.Event()
    api.pages = [
        KubeError(500, "boom"),
        {"metadata": {"resourceVersion": "5"}, "items": [gw("a", "1")]},
        {"metadata": {"resourceVersion": "9"}, "items": [gw("b", "8")]},
    ]
    api.watches = [[{"type": "ERROR", "object": {"code": 410}}]]
    r = reflector(api, cache, stop)
    r.backoff = (0.01, 0.02)

    def watch_then_stop() -> int:
        if api.watches:
            return Reflector.watch(r)
        stop.set()
        return 0

    r.watch = watch_then_stop  # type: ignore[method-assign]
    r.run()
    assert r.lists == 2 and r.failures == 0
    assert cache.keys("Gateway") == ["shop/b"]


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    r = reflector(MemoryApi(), Cache())
    r.backoff = (1.0, 8.0)
    for failures, full in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        r.failures = failures
        delays = {r.delay() for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays)
        assert len(delays) > 1, "jittered"


def test_unreadable_object_is_skipped_and_the_last_good_version_kept() -> None:
    cache, seen = recording_cache()
    cache.upsert(GATEWAYS, gw("a", "1"))
    cache.upsert(GATEWAYS, gw("a", "2", port=70000))
    kept = cache.get("Gateway", "shop/a")
    assert kept is not None and kept.metadata.resource_version == "1"
    assert set(cache.invalid("Gateway")) == {"shop/a"}
    cache.upsert(GATEWAYS, gw("new", "3", port="not a port"))
    assert cache.get("Gateway", "shop/new") is None
    assert set(cache.invalid("Gateway")) == {"shop/a", "shop/new"}
    cache.upsert(GATEWAYS, gw("a", "4"))
    assert set(cache.invalid("Gateway")) == {"shop/new"}
    cache.delete(GATEWAYS, gw("new", "5"))
    assert cache.invalid("Gateway") == {}
    cache.upsert(SERVICES, {"metadata": {"name": "svc", "namespace": "shop"},
                            "spec": {"ports": "wrong"}})  # fmt: skip
    assert cache.get("Service", "shop/svc") is None
    assert [s[2] for s in seen] == ["1", "4"]


def test_write_through_only_when_the_cache_has_not_moved() -> None:
    cache = Cache()
    cache.upsert(GATEWAYS, gw("a", "1"))
    cache.write_through(GATEWAYS, gw("a", "2", port=81), based_on="1")
    a = cache.get("Gateway", "shop/a")
    assert a is not None and a.metadata.resource_version == "2"
    cache.upsert(GATEWAYS, gw("a", "3", port=82))
    cache.write_through(GATEWAYS, gw("a", "2", port=81), based_on="2")
    a = cache.get("Gateway", "shop/a")
    assert a is not None and a.metadata.resource_version == "3"


def export(name: str, rv: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "shop", "resourceVersion": rv}}


def test_an_optional_crd_that_is_not_installed_is_empty_and_synced(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """404 on list: no objects, synced (readiness does not wait), one warning, a slow retry;
    once the CRD is installed the objects arrive."""
    api, cache = MemoryApi(), Cache()
    stop = threading.Event()
    api.pages = [
        KubeError(404, "the server could not find the requested resource"),
        KubeError(404, "the server could not find the requested resource"),
        {"metadata": {"resourceVersion": "7"}, "items": [export("store", "3")]},
    ]
    waits: list[float] = []
    r = Reflector(cast(KubeApi, api), SERVICE_EXPORTS, cache, stop, absent_retry=42.0)
    r.stop = cast(threading.Event, _Recorder(stop, waits))
    r.watch = lambda: stop.set() or 0  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, logger="awsgw.kube.reflector"):
        r.run()
    assert waits[:2] == [42.0, 42.0] and 42.0 not in waits[2:], "slow retries, no backoff"
    assert r.failures == 0 and not r.absent and r.synced.is_set()
    assert cache.keys("ServiceExport") == ["shop/store"]
    warnings = [m for m in caplog.messages if "not served" in m]
    assert len(warnings) == 1, caplog.messages
    assert "now served by the API" in caplog.messages


def test_a_required_resource_answering_404_is_an_error() -> None:
    api, cache = MemoryApi(), Cache()
    stop = threading.Event()
    api.pages = [KubeError(404, "not found")]
    errors: list[str] = []

    def failed(kind: str) -> None:
        errors.append(kind)
        stop.set()

    r = Reflector(cast(KubeApi, api), GATEWAYS, cache, stop, on_error=failed)
    r.backoff = (0.01, 0.01)
    r.run()
    assert errors == ["Gateway"] and not r.synced.is_set()


class _Recorder:
    """A stop event whose waits are recorded (and return at once)."""

    def __init__(self, event: threading.Event, waits: list[float]) -> None:
        self.event = event
        self.waits = waits

    def is_set(self) -> bool:
        return self.event.is_set()

    def set(self) -> None:
        self.event.set()

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return self.event.is_set()


def test_the_cache_keeps_only_what_the_core_reads() -> None:
    """No managedFields on any object; of a Secret, its certificate and key only."""
    from awsgw.kube.resources import SECRETS

    cache = Cache()
    managed = [{"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:spec": {}}}]
    doc = gw("web", "1")
    doc["metadata"]["managedFields"] = managed
    cache.upsert(GATEWAYS, doc)
    secret = {
        "metadata": {"name": "site", "namespace": "shop", "resourceVersion": "2",
                     "managedFields": managed},
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": "Y3J0", "tls.key": "a2V5", "ca.crt": "Y2E=", "extra": "eA=="},
    }  # fmt: skip
    cache.upsert(SECRETS, secret)
    store = cache.snapshot()
    [stored_gw] = store.gateways()
    assert "managedFields" not in stored_gw.raw["metadata"]
    stored = store.secret("shop", "site")
    assert stored is not None and stored.data == {"tls.crt": "Y3J0", "tls.key": "a2V5"}
    assert "managedFields" not in stored.raw["metadata"]
    assert "managedFields" in secret["metadata"]  # the listed document is not changed

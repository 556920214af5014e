"""Status and annotation patches only when changed; finalizer patches guarded by
resourceVersion."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest

from awsgw.kube.api import KubeApi, NotLeader
from awsgw.kube.cache import Cache
from awsgw.kube.resources import GATEWAYS, HTTP_ROUTES
from awsgw.kube.writes import (
    FINALIZER,
    WriteConflict,
    Writer,
    annotations_patch,
    finalizer_patch,
    status_patch,
)
from awsgw.objects import Gateway
from tests.kube.fakes import MemoryApi

GW = {
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "Gateway",
    "metadata": {"name": "web", "namespace": "shop", "finalizers": ["other.io/keep"]},
    "spec": {"gatewayClassName": "alb", "listeners": [{"name": "h", "port": 80,
             "protocol": "HTTP"}]},
    "status": {"conditions": [{"type": "Programmed", "status": "False"}], "addresses": [{}]},
}  # fmt: skip


def setup() -> tuple[MemoryApi, Cache, Writer]:
    api, cache = MemoryApi(), Cache()
    cache.upsert(GATEWAYS, api.put(GATEWAYS, copy.deepcopy(GW)))
    return api, cache, Writer(cast(KubeApi, api), cache)


def gateway(cache: Cache) -> Gateway:
    gw = cache.get("Gateway", "shop/web")
    assert isinstance(gw, Gateway)
    return gw


def test_status_patch_is_none_when_equal_and_nulls_dropped_fields() -> None:
    status: dict[str, Any] = {"conditions": [{"type": "A", "status": "True"}]}
    assert status_patch(copy.deepcopy(status), status) is None
    assert status_patch(None, {}) is None
    assert status_patch({"conditions": [], "addresses": [1]}, {"conditions": [1]}) == {
        "conditions": [1],
        "addresses": None,
    }


def test_unchanged_status_sends_nothing_changed_status_one_patch_with_rv() -> None:
    api, cache, writer = setup()
    gw = gateway(cache)
    assert not writer.status(gw, copy.deepcopy(GW["status"]))
    assert api.writes == []
    new = {"conditions": [{"type": "Programmed", "status": "True"}]}
    assert writer.status(gw, new)
    assert api.writes == [("patch", "gateways", "web/status")]
    stored = api.get(GATEWAYS, "shop", "web")
    assert stored is not None and stored["status"] == new, "addresses removed by a null"
    fresh = gateway(cache)
    assert fresh.raw["status"] == new, "the answer is written through to the cache"
    assert not writer.status(fresh, new), "so the next pass sees no change"
    assert len(api.writes) == 1


def test_stale_status_write_is_a_conflict() -> None:
    api, cache, writer = setup()
    stale = gateway(cache)
    api.put(GATEWAYS, {**GW, "metadata": {**GW["metadata"], "labels": {"x": "y"}}})
    with pytest.raises(WriteConflict):
        writer.status(stale, {"conditions": []})


def test_finalizer_added_once_and_removed_keeping_others() -> None:
    api, cache, writer = setup()
    gw = gateway(cache)
    patch = finalizer_patch(gw.raw, present=True)
    assert patch is not None
    assert {"op": "replace", "path": "/metadata/resourceVersion",
            "value": gw.metadata.resource_version} in patch  # fmt: skip
    gw = writer.finalizer(gw, present=True)
    assert gw.metadata.finalizers == ["other.io/keep", FINALIZER]
    assert finalizer_patch(gw.raw, present=True) is None
    writer.finalizer(gw, present=True)
    assert len(api.writes) == 1
    gw = writer.finalizer(gw, present=False)
    assert gw.metadata.finalizers == ["other.io/keep"]


def test_finalizer_race_is_a_conflict_and_not_leader_refuses() -> None:
    api, cache, writer = setup()
    stale = gateway(cache)
    api.put(GATEWAYS, {**GW, "metadata": {**GW["metadata"], "labels": {"x": "y"}}})
    with pytest.raises(WriteConflict):
        writer.finalizer(stale, present=True)
    api.may_write = lambda: False
    with pytest.raises(NotLeader):
        writer.finalizer(gateway(cache), present=True)


def test_annotations_patch_only_what_differs_and_keeps_the_rest() -> None:
    assert annotations_patch({"a": "1", "b": "2"}, {"a": "1"}) is None
    assert annotations_patch({"a": "1"}, {"a": "2", "c": "3"}) == {"a": "2", "c": "3"}
    api, cache, writer = setup()
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "store", "namespace": "shop", "annotations": {"team": "a"}},
        "spec": {"parentRefs": [{"name": "web"}]},
    }
    cache.upsert(HTTP_ROUTES, api.put(HTTP_ROUTES, route))
    current = cache.get("HTTPRoute", "shop/store")
    assert current is not None
    assert writer.annotations(current, {"awsgw.io/lattice-dns": "store.example"})
    assert api.writes[-1] == ("patch", "httproutes", "store"), "metadata, not status"
    stored = api.get(HTTP_ROUTES, "shop", "store")
    assert stored is not None
    assert stored["metadata"]["annotations"] == {
        "team": "a",
        "awsgw.io/lattice-dns": "store.example",
    }
    fresh = cache.get("HTTPRoute", "shop/store")
    assert fresh is not None and not writer.annotations(fresh, {"awsgw.io/lattice-dns":
                                                                "store.example"})  # fmt: skip
    with pytest.raises(WriteConflict):  # computed from an older version
        writer.annotations(current, {"awsgw.io/lattice-dns": "other.example"})
    api.may_write = lambda: False
    with pytest.raises(NotLeader):
        writer.annotations(fresh, {"awsgw.io/lattice-dns": "other.example"})

"""The Store's lookups: indexed once, the same answers as a scan, and fresh after every put
or remove of their kind."""

from __future__ import annotations

from awsgw.core.store import Store
from tests.support import objects, service

WORLD = (
    service("shop", "web", 80, ["10.0.0.1"])
    + service("shop", "api", 80, ["10.0.0.2"])
    + service("other", "web", 80, ["10.0.0.3"])
    + """
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: shop}
spec: {from: [], to: []}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: apps}
spec:
  parentRef: {name: shared, namespace: infra}
  listeners: [{name: web, port: 80, protocol: HTTP}]
"""
)


def slice_ips(store: Store, namespace: str, name: str) -> list[str]:
    return [
        a for s in store.endpoint_slices(namespace, name) for e in s.endpoints for a in e.addresses
    ]


def test_indexed_lookups_answer_like_a_scan() -> None:
    store = Store.of(objects(WORLD))
    assert slice_ips(store, "shop", "web") == ["10.0.0.1"]
    assert slice_ips(store, "other", "web") == ["10.0.0.3"]
    assert slice_ips(store, "shop", "nowhere") == []
    assert [g.name for g in store.reference_grants("shop")] == ["g"]
    assert store.reference_grants("other") == []
    assert [ls.key for ls in store.listener_sets_naming("infra/shared")] == ["apps/team"]
    assert store.listener_sets_naming("apps/shared") == []
    assert [o.key for o in store.all("Service", object)] == ["other/web", "shop/api", "shop/web"]  # type: ignore[type-abstract]


def test_a_put_or_remove_refreshes_the_lookups_of_its_kind() -> None:
    store = Store.of(objects(WORLD))
    assert slice_ips(store, "shop", "web") == ["10.0.0.1"]
    [extra] = [
        o for o in objects(service("shop", "web2", 80, ["10.0.0.9"])) if o.kind == "EndpointSlice"
    ]
    relabelled = extra.raw | {
        "metadata": {**extra.raw["metadata"], "labels": {"kubernetes.io/service-name": "web"}}
    }
    from awsgw.manifests import parse_document

    moved = parse_document(relabelled, "test")
    assert moved is not None
    store.put(moved)
    assert sorted(slice_ips(store, "shop", "web")) == ["10.0.0.1", "10.0.0.9"]
    store.remove("EndpointSlice", moved.key)
    assert slice_ips(store, "shop", "web") == ["10.0.0.1"]
    store.remove("Service", "shop/api")
    assert [o.key for o in store.all("Service", object)] == ["other/web", "shop/web"]  # type: ignore[type-abstract]

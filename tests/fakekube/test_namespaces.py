"""Namespaces: creates need an active namespace; deleting one empties it, then it goes."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import ApiError, FakeKube

from .conftest import GW, TIMEOUT, gateway, namespace, raw, watch_events

FINALIZER = "gateway-exists-finalizer.gateway.networking.k8s.io"
GATEWAYS = f"/apis/{GW}/v1/namespaces/shop/gateways"


def conditions(ns: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in ns["status"]["conditions"]}


def test_a_create_in_a_missing_namespace_is_404(kube: FakeKube, core: client.CoreV1Api) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    with pytest.raises(ApiException) as missing:
        core.create_namespaced_config_map("shop", body, _request_timeout=TIMEOUT)
    assert missing.value.status == 404
    status, apply = raw(
        kube,
        "PATCH",
        f"{GATEWAYS}/web?fieldManager=kubectl",
        gateway("web", "shop"),
        "application/apply-patch+yaml",
    )
    assert status == 404
    assert apply["message"] == 'namespaces "shop" not found'
    assert apply["details"] == {"name": "shop", "kind": "namespaces"}
    with pytest.raises(ApiError, match='namespaces "shop" not found'):
        kube.apply(gateway("web", "shop"))


def test_a_create_in_a_terminating_namespace_is_forbidden(kube: FakeKube) -> None:
    kube.apply(namespace("shop"))
    held = gateway("held", "shop")
    held["metadata"]["finalizers"] = [FINALIZER]
    kube.apply(held)
    kube.delete("v1", "Namespace", None, "shop")
    status, body = raw(kube, "POST", GATEWAYS, gateway("web", "shop"))
    assert (status, body["reason"]) == (403, "Forbidden")
    assert body["message"] == (
        f'gateways.{GW} "web" is forbidden: unable to create new content in namespace shop '
        "because it is being terminated"
    )
    assert body["details"]["causes"] == [
        {
            "reason": "NamespaceTerminating",
            "message": "namespace shop is being terminated",
            "field": "metadata.namespace",
        }
    ]


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_the_system_namespaces_may_not_be_deleted(kube: FakeKube, name: str) -> None:
    status, body = raw(kube, "DELETE", f"/api/v1/namespaces/{name}")
    assert (status, body["message"]) == (
        403,
        f'namespaces "{name}" is forbidden: this namespace may not be deleted',
    )


def test_deleting_an_empty_namespace_marks_it_terminating_then_it_goes(kube: FakeKube) -> None:
    created = kube.apply(namespace("shop"))
    rv = created["metadata"]["resourceVersion"]
    status, body = raw(kube, "DELETE", "/api/v1/namespaces/shop")
    assert status == 200 and body["kind"] == "Namespace"
    assert body["status"]["phase"] == "Terminating" and body["metadata"]["deletionTimestamp"]
    assert kube.get("v1", "Namespace", None, "shop") is None
    events = watch_events(kube, f"/api/v1/namespaces?watch=true&resourceVersion={rv}", count=4)
    # marked, its deletion conditions set, its finalizer removed, gone
    assert [e["type"] for e in events] == ["MODIFIED", "MODIFIED", "MODIFIED", "DELETED"]
    assert all(e["object"]["status"]["phase"] == "Terminating" for e in events)
    assert events[1]["object"]["status"]["conditions"]
    assert events[2]["object"]["spec"]["finalizers"] == []


def test_a_namespace_waits_for_the_finalizers_of_its_objects(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    kube.apply(namespace("shop"))
    held = gateway("held", "shop")
    held["metadata"]["finalizers"] = [FINALIZER]
    kube.apply(held)
    kube.apply(gateway("free", "shop"))
    kube.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}}
    )
    kube.delete("v1", "Namespace", None, "shop")

    assert kube.list(f"{GW}/v1", "Gateway", "shop")[0]["metadata"]["name"] == "held"
    assert kube.list("v1", "ConfigMap", "shop") == []
    terminating = kube.get("v1", "Namespace", None, "shop")
    assert terminating is not None and terminating["spec"]["finalizers"] == ["kubernetes"]
    assert conditions(terminating)["NamespaceContentRemaining"] == (
        "True",
        "SomeResourcesRemain",
        f"Some resources are remaining: gateways.{GW} has 1 resource instances",
    )
    assert conditions(terminating)["NamespaceFinalizersRemaining"] == (
        "True",
        "SomeFinalizerRemain",
        f"Some finalizers are remaining: {FINALIZER} in 1 resource instances",
    )
    assert conditions(terminating)["NamespaceDeletionDiscoveryFailure"][0] == "False"
    status, again = raw(kube, "DELETE", "/api/v1/namespaces/shop")
    assert status == 200 and again == terminating

    custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "shop",
        "gateways",
        "held",
        {"metadata": {"finalizers": None}},
        _request_timeout=TIMEOUT,
    )
    assert kube.get(f"{GW}/v1", "Gateway", "shop", "held") is None
    assert kube.get("v1", "Namespace", None, "shop") is None


def test_a_dry_run_delete_leaves_the_namespace_active(kube: FakeKube) -> None:
    kube.apply(namespace("shop"))
    status, body = raw(kube, "DELETE", "/api/v1/namespaces/shop?dryRun=All")
    assert status == 200 and body["status"]["phase"] == "Terminating"
    current = kube.get("v1", "Namespace", None, "shop")
    assert current is not None and current["status"]["phase"] == "Active"

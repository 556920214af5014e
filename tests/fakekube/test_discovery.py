"""Discovery as kube-apiserver serves it: aggregated (apidiscovery v2, v2beta1) when asked for,
legacy otherwise, with verbs, short names, categories and subresources."""

from __future__ import annotations

from typing import Any

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, request

V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
CLIENT_GO = f"{V2},{V2BETA1},application/json"  # what client-go's discovery asks for


def _group(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in doc["items"] if g["metadata"].get("name", "") == name)


def _resource(group: dict[str, Any], version: str, plural: str) -> dict[str, Any]:
    found = next(v for v in group["versions"] if v["version"] == version)
    return next(r for r in found["resources"] if r["resource"] == plural)


def test_apis_is_aggregated_discovery_when_the_client_asks_for_it(kube: FakeKube) -> None:
    reply = request(kube, "GET", "/apis", headers={"Accept": CLIENT_GO})
    assert reply.status == 200 and reply.headers["Content-Type"] == V2
    assert reply.body["kind"] == "APIGroupDiscoveryList"
    assert reply.body["apiVersion"] == "apidiscovery.k8s.io/v2"
    gateway_api = _group(reply.body, GW)
    assert [v["version"] for v in gateway_api["versions"]][:2] == ["v1", "v1beta1"]
    assert all(v["freshness"] == "Current" for v in gateway_api["versions"])
    gateways = _resource(gateway_api, "v1", "gateways")
    assert gateways["responseKind"] == {"group": GW, "version": "v1", "kind": "Gateway"}
    assert gateways["scope"] == "Namespaced" and gateways["singularResource"] == "gateway"
    assert gateways["shortNames"] == ["gtw"] and gateways["categories"] == ["gateway-api"]
    assert set(gateways["verbs"]) == {
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    }
    assert gateways["subresources"] == [
        {
            "subresource": "status",
            "responseKind": {"group": GW, "version": "v1", "kind": "Gateway"},
            "verbs": ["get", "patch", "update"],
        }
    ]
    assert _resource(gateway_api, "v1", "gatewayclasses")["scope"] == "Cluster"
    assert "subresources" not in _resource(gateway_api, "v1", "referencegrants")
    assert all(g["metadata"].get("name") for g in reply.body["items"]), "no core group here"


def test_api_is_the_core_group_and_v2beta1_is_served_too(kube: FakeKube) -> None:
    reply = request(kube, "GET", "/api", headers={"Accept": f"{V2BETA1},application/json"})
    assert reply.headers["Content-Type"] == V2BETA1
    assert reply.body["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
    (core,) = reply.body["items"]
    assert "name" not in core["metadata"] and [v["version"] for v in core["versions"]] == ["v1"]
    services = _resource(core, "v1", "services")
    assert services["shortNames"] == ["svc"] and services["categories"] == ["all"]
    namespaces = _resource(core, "v1", "namespaces")
    assert namespaces["scope"] == "Cluster" and "deletecollection" not in namespaces["verbs"]


def test_a_client_asking_for_json_gets_the_legacy_documents(kube: FakeKube) -> None:
    reply = request(kube, "GET", "/apis", headers={"Accept": "application/json"})
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.body["kind"] == "APIGroupList"
    legacy = request(kube, "GET", f"/apis/{GW}/v1").body
    gateways = next(r for r in legacy["resources"] if r["name"] == "gateways")
    assert gateways["categories"] == ["gateway-api"] and gateways["storageVersionHash"]
    assert request(kube, "GET", "/api").body["kind"] == "APIVersions"


def test_aggregated_discovery_answers_a_matching_etag_with_304(kube: FakeKube) -> None:
    first = request(kube, "GET", "/apis", headers={"Accept": V2})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Vary"] == "Accept"
    again = request(kube, "GET", "/apis", headers={"Accept": V2, "If-None-Match": etag})
    assert again.status == 304 and again.body == ""
    other = request(kube, "GET", "/apis", headers={"Accept": V2, "If-None-Match": '"x"'})
    assert other.status == 200

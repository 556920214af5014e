"""OpenAPI v3: an index with content hashes, one document per group-version whose schemas and
operations are what kubectl reads (field validation support, patch types, explain)."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, request


def _document(kube: FakeKube, key: str) -> dict[str, Any]:
    index = request(kube, "GET", "/openapi/v3").body
    url = index["paths"][key]["serverRelativeURL"]
    reply = request(kube, "GET", url, headers={"Accept": "application/json"})
    assert reply.status == 200 and reply.headers["Cache-Control"] == "public, immutable"
    return dict(reply.body)


def _patch_of(doc: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    for path, item in doc["paths"].items():
        patch = item.get("patch")
        gvk = (patch or {}).get("x-kubernetes-group-version-kind", {})
        if gvk.get("kind") == kind and not path.endswith("/status"):
            return path, patch
    raise AssertionError(f"no PATCH operation for {kind}")


def test_the_index_lists_every_group_version_with_a_hash(kube: FakeKube) -> None:
    index = request(kube, "GET", "/openapi/v3").body
    assert {"api/v1", f"apis/{GW}/v1", f"apis/{GW}/v1beta1", "apis/awsgw.io/v1alpha1"} <= set(
        index["paths"]
    )
    url = index["paths"][f"apis/{GW}/v1"]["serverRelativeURL"]
    assert url.startswith(f"/openapi/v3/apis/{GW}/v1?hash=")


def test_a_custom_resource_is_published_under_its_reverse_dns_name(kube: FakeKube) -> None:
    doc = _document(kube, f"apis/{GW}/v1")
    schemas = doc["components"]["schemas"]
    gateway = schemas["io.k8s.networking.gateway.v1.Gateway"]
    assert gateway["x-kubernetes-group-version-kind"] == [
        {"group": GW, "kind": "Gateway", "version": "v1"}
    ]
    assert gateway["properties"]["metadata"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    ]
    listeners = gateway["properties"]["spec"]["properties"]["listeners"]
    assert listeners["maxItems"] == 64 and "port" in listeners["items"]["required"]
    assert "io.k8s.networking.gateway.v1.GatewayList" in schemas
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry" in schemas, "refs closed"


def test_a_patch_operation_takes_field_validation_as_kubectl_checks(kube: FakeKube) -> None:
    doc = _document(kube, f"apis/{GW}/v1")
    path, patch = _patch_of(doc, "Gateway")
    assert path == f"/apis/{GW}/v1/namespaces/{{namespace}}/gateways/{{name}}"
    assert patch["x-kubernetes-action"] == "patch"
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": GW,
        "version": "v1",
        "kind": "Gateway",
    }
    query = {p["name"] for p in patch["parameters"] if p["in"] == "query"}
    assert {"fieldValidation", "fieldManager", "dryRun", "force"} <= query
    assert "application/strategic-merge-patch+json" not in patch["requestBody"]["content"]
    assert {p["name"] for p in doc["paths"][path]["parameters"]} == {"name", "namespace", "pretty"}
    listing = doc["paths"][f"/apis/{GW}/v1/namespaces/{{namespace}}/gateways"]["get"]
    assert listing["x-kubernetes-action"] == "list"
    assert f"/apis/{GW}/v1/gatewayclasses/{{name}}/status" in doc["paths"]


def test_built_in_kinds_carry_their_definitions_and_strategic_merge_patch(kube: FakeKube) -> None:
    doc = _document(kube, "api/v1")
    schemas = doc["components"]["schemas"]
    service = schemas["io.k8s.api.core.v1.Service"]
    assert service["x-kubernetes-group-version-kind"] == [
        {"group": "", "kind": "Service", "version": "v1"}
    ]
    assert "enum" not in service["properties"]["apiVersion"]
    ports = schemas["io.k8s.api.core.v1.ServiceSpec"]["properties"]["ports"]
    assert ports["x-kubernetes-patch-merge-key"] == "port"
    assert "io.k8s.api.core.v1.ServicePort" in schemas
    _, patch = _patch_of(doc, "Service")
    assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}


def test_an_out_of_date_hash_redirects_and_v3_is_json_only(kube: FakeKube) -> None:
    reply = request(kube, "GET", f"/openapi/v3/apis/{GW}/v1?hash=0")
    assert reply.status == 301
    assert reply.headers["Location"].startswith(f"/openapi/v3/apis/{GW}/v1?hash=")
    assert request(kube, "GET", "/openapi/v3/apis/apps/v1").status == 404
    protobuf = {"Accept": "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"}
    assert request(kube, "GET", "/openapi/v3/api/v1", headers=protobuf).status == 406


def _fields(data: bytes) -> dict[int, list[bytes | int]]:
    """The top-level fields of a protobuf message (varints and length-delimited only)."""
    out: dict[int, list[bytes | int]] = {}
    pos = 0

    def varint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while pos < len(data):
        key = varint()
        if key & 7 == 0:
            out.setdefault(key >> 3, []).append(varint())
        else:
            assert key & 7 == 2, key
            size = varint()
            out.setdefault(key >> 3, []).append(data[pos : pos + size])
            pos += size
    return out


def test_v2_is_one_document_in_json_or_the_protobuf_kubectl_asks_for(kube: FakeKube) -> None:
    doc = request(kube, "GET", "/openapi/v2", headers={"Accept": "application/json"}).body
    assert doc["swagger"] == "2.0"
    gateway = doc["definitions"]["io.k8s.networking.gateway.v1.Gateway"]
    assert gateway["properties"]["metadata"]["$ref"] == (
        "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    )
    patch = doc["paths"][f"/apis/{GW}/v1/namespaces/{{namespace}}/gateways/{{name}}"]["patch"]
    assert "application/strategic-merge-patch+json" not in patch["consumes"]
    url = urlsplit(kube.url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    conn.request(
        "GET",
        "/openapi/v2",
        headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"},
    )
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.headers["Content-Type"] == (
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    )
    top = _fields(body)
    assert top[1] == [b"2.0"] and len(top[9]) == 1, "swagger, one Definitions"
    names = [_fields(bytes(named))[1][0] for named in _fields(bytes(top[9][0]))[1]]
    assert b"io.k8s.networking.gateway.v1.Gateway" in names
    assert b"io.k8s.api.core.v1.Service" in names

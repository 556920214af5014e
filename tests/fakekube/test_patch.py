"""PATCH: merge patch, JSON patch and strategic merge patch, and the media types refused."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, raw, route

JSON_PATCH = "application/json-patch+json"
ROUTES = f"/apis/{GW}/v1/namespaces/default/httproutes"


def _route(custom: client.CustomObjectsApi) -> None:
    body = route("r", labels={"a": "1", "b": "2"}, hostnames=["a.example", "b.example"])
    custom.create_namespaced_custom_object(
        GW, "v1", "default", "httproutes", body, _request_timeout=TIMEOUT
    )


def test_a_merge_patch_merges_objects_replaces_lists_and_null_deletes(
    custom: client.CustomObjectsApi,
) -> None:
    _route(custom)
    patched = custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "httproutes",
        "r",
        {"metadata": {"labels": {"a": None, "c": "3"}}, "spec": {"hostnames": ["c.example"]}},
        _request_timeout=TIMEOUT,
    )
    assert patched["metadata"]["labels"] == {"b": "2", "c": "3"}
    assert patched["spec"]["hostnames"] == ["c.example"]
    assert patched["spec"]["parentRefs"] == [{"name": "gw"}]


def test_a_json_patch_edits_list_elements_in_place(custom: client.CustomObjectsApi) -> None:
    _route(custom)
    ops = [
        {"op": "add", "path": "/spec/hostnames/-", "value": "c.example"},
        {"op": "replace", "path": "/spec/hostnames/0", "value": "z.example"},
        {"op": "remove", "path": "/metadata/labels/b"},
    ]
    patched = custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "httproutes",
        "r",
        ops,
        _request_timeout=TIMEOUT,
        _content_type=JSON_PATCH,
    )
    assert patched["spec"]["hostnames"] == ["z.example", "b.example", "c.example"]
    assert patched["metadata"]["labels"] == {"a": "1"}


def test_a_failing_json_patch_test_is_422_and_changes_nothing(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    _route(custom)
    before = kube.resource_version
    ops = [
        {"op": "remove", "path": "/spec/hostnames/0"},
        {"op": "test", "path": "/metadata/labels/a", "value": "nope"},
    ]
    with pytest.raises(ApiException) as err:
        custom.patch_namespaced_custom_object(
            GW,
            "v1",
            "default",
            "httproutes",
            "r",
            ops,
            _request_timeout=TIMEOUT,
            _content_type=JSON_PATCH,
        )
    assert err.value.status == 422
    assert kube.resource_version == before


def test_a_json_patch_test_on_resource_version_guards_a_write(
    custom: client.CustomObjectsApi,
) -> None:
    _route(custom)
    ops = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": "1"},
        {"op": "replace", "path": "/spec/hostnames", "value": []},
    ]
    with pytest.raises(ApiException) as err:
        custom.patch_namespaced_custom_object(
            GW,
            "v1",
            "default",
            "httproutes",
            "r",
            ops,
            _request_timeout=TIMEOUT,
            _content_type=JSON_PATCH,
        )
    assert err.value.status == 422


def test_a_strategic_merge_patch_works_on_built_ins_with_lists_replaced(
    core: client.CoreV1Api,
) -> None:
    svc = client.V1Service(
        metadata=client.V1ObjectMeta(name="web", labels={"a": "1"}),
        spec=client.V1ServiceSpec(ports=[client.V1ServicePort(port=80)]),
    )
    core.create_namespaced_service("default", svc, _request_timeout=TIMEOUT)
    patched = core.patch_namespaced_service(  # the client's default: strategic merge patch
        "web",
        "default",
        {"metadata": {"labels": {"b": "2"}}, "spec": {"ports": [{"port": 8080, "name": "alt"}]}},
        _request_timeout=TIMEOUT,
    )
    assert patched.metadata.labels == {"a": "1", "b": "2"}
    assert [p.port for p in patched.spec.ports] == [8080]


def test_a_strategic_merge_patch_of_a_custom_resource_is_415(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    _route(custom)
    content_type = "application/strategic-merge-patch+json"
    status, body = raw(kube, "PATCH", f"{ROUTES}/r", {"spec": {}}, content_type)
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    assert "application/apply-patch+yaml" in body["message"]


def test_a_malformed_patch_body_is_400(kube: FakeKube, custom: client.CustomObjectsApi) -> None:
    _route(custom)
    status, body = raw(kube, "PATCH", f"{ROUTES}/r", b"{not json", "application/merge-patch+json")
    assert status == 400 and body["reason"] == "BadRequest"
    status, body = raw(kube, "PATCH", f"{ROUTES}/r", {"op": "add"}, JSON_PATCH)
    assert status == 400


def test_a_patch_of_a_missing_object_is_404(kube: FakeKube) -> None:
    status, body = raw(
        kube, "PATCH", f"{ROUTES}/missing", {"spec": {}}, "application/merge-patch+json"
    )
    assert status == 404 and json.dumps(body).count("NotFound") == 1


def test_a_patch_may_not_rename_the_object(kube: FakeKube, custom: client.CustomObjectsApi) -> None:
    _route(custom)
    status, _ = raw(
        kube,
        "PATCH",
        f"{ROUTES}/r",
        {"metadata": {"name": "other"}},
        "application/merge-patch+json",
    )
    assert status == 400

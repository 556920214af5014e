"""Deletion with finalizers: deletionTimestamp first, removal once the finalizers are gone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, gateway, watch_events

FINALIZER = "gateway.awsgw.io/finalizer"


def _with_finalizers(custom: client.CustomObjectsApi, *names: str) -> dict[str, Any]:
    body = gateway("gw")
    body["metadata"]["finalizers"] = list(names)
    created: dict[str, Any] = custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", body, _request_timeout=TIMEOUT
    )
    return created


def _delete(custom: client.CustomObjectsApi) -> Any:
    return custom.delete_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", _request_timeout=TIMEOUT
    )


def test_delete_with_finalizers_marks_the_object_and_keeps_it(
    custom: client.CustomObjectsApi,
) -> None:
    _with_finalizers(custom, FINALIZER)
    marked = _delete(custom)
    assert marked["metadata"]["deletionTimestamp"]
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 0
    read = custom.get_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", _request_timeout=TIMEOUT
    )
    assert read["metadata"]["finalizers"] == [FINALIZER]
    again = _delete(custom)
    assert again["metadata"]["resourceVersion"] == marked["metadata"]["resourceVersion"]


def test_removing_the_last_finalizer_deletes_the_object(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    created = _with_finalizers(custom, FINALIZER)
    start = created["metadata"]["resourceVersion"]
    _delete(custom)
    custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        {"metadata": {"finalizers": None}},
        _request_timeout=TIMEOUT,
    )
    with pytest.raises(ApiException) as err:
        custom.get_namespaced_custom_object(
            GW, "v1", "default", "gateways", "gw", _request_timeout=TIMEOUT
        )
    assert err.value.status == 404
    events = watch_events(
        kube, f"/apis/{GW}/v1/namespaces/default/gateways?watch=1&resourceVersion={start}", count=2
    )
    assert [e["type"] for e in events] == ["MODIFIED", "DELETED"]
    assert events[0]["object"]["metadata"]["deletionTimestamp"]


def test_a_merge_patch_replaces_the_whole_finalizer_list(custom: client.CustomObjectsApi) -> None:
    _with_finalizers(custom, "a.io/one", "b.io/two")
    patched = custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        {"metadata": {"finalizers": ["b.io/two"]}},
        _request_timeout=TIMEOUT,
    )
    assert patched["metadata"]["finalizers"] == ["b.io/two"]


def test_a_json_patch_removes_one_finalizer_and_the_object_goes_with_the_last(
    custom: client.CustomObjectsApi,
) -> None:
    _with_finalizers(custom, "a.io/one", "b.io/two")
    _delete(custom)
    ops = [
        {"op": "test", "path": "/metadata/finalizers/0", "value": "a.io/one"},
        {"op": "remove", "path": "/metadata/finalizers/0"},
    ]
    left = custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        ops,
        _request_timeout=TIMEOUT,
        _content_type="application/json-patch+json",
    )
    assert left["metadata"]["finalizers"] == ["b.io/two"]
    custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        [{"op": "remove", "path": "/metadata/finalizers"}],
        _request_timeout=TIMEOUT,
        _content_type="application/json-patch+json",
    )
    listed = custom.list_namespaced_custom_object(
        GW, "v1", "default", "gateways", _request_timeout=TIMEOUT
    )
    assert listed["items"] == []


def test_no_finalizer_can_be_added_to_an_object_being_deleted(
    custom: client.CustomObjectsApi,
) -> None:
    _with_finalizers(custom, FINALIZER)
    _delete(custom)
    with pytest.raises(ApiException) as err:
        custom.patch_namespaced_custom_object(
            GW,
            "v1",
            "default",
            "gateways",
            "gw",
            {"metadata": {"finalizers": [FINALIZER, "x.io/late"]}},
            _request_timeout=TIMEOUT,
        )
    assert err.value.status == 422
    assert "no new finalizers can be added" in json.loads(err.value.body)["message"]


def test_an_update_cannot_clear_the_deletion_timestamp(custom: client.CustomObjectsApi) -> None:
    _with_finalizers(custom, FINALIZER)
    marked = _delete(custom)
    marked["metadata"]["deletionTimestamp"] = None
    marked["spec"]["gatewayClassName"] = "other"
    replaced = custom.replace_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", marked, _request_timeout=TIMEOUT
    )
    assert replaced["metadata"]["deletionTimestamp"]


def test_python_side_delete_honours_finalizers(kube: FakeKube) -> None:
    body = gateway("gw")
    body["metadata"]["finalizers"] = [FINALIZER]
    kube.apply(body)
    marked = kube.delete(f"{GW}/v1", "Gateway", "default", "gw")
    assert marked is not None and marked["metadata"]["deletionTimestamp"]
    body["metadata"]["finalizers"] = []
    kube.apply(body)
    assert kube.get(f"{GW}/v1", "Gateway", "default", "gw") is None

"""Lists: kind, resourceVersion, label and field selectors, limit/continue pagination."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, namespace, raw, route


def _names(listed: dict[str, object]) -> list[str]:
    items = listed["items"]
    assert isinstance(items, list)
    return [i["metadata"]["name"] for i in items]


@pytest.fixture
def routes(kube: FakeKube) -> None:
    kube.apply(namespace("apps"))
    for name, ns, labels in [
        ("r1", "default", {"app": "web", "tier": "front"}),
        ("r2", "default", {"app": "api"}),
        ("r3", "apps", {"app": "web"}),
        ("r4", "apps", {}),
    ]:
        kube.apply(route(name, ns, labels))


def _list(
    custom: client.CustomObjectsApi, namespace: str | None = None, **kwargs: object
) -> dict[str, object]:
    if namespace is None:
        return custom.list_cluster_custom_object(
            GW, "v1", "httproutes", _request_timeout=TIMEOUT, **kwargs
        )
    return custom.list_namespaced_custom_object(
        GW, "v1", namespace, "httproutes", _request_timeout=TIMEOUT, **kwargs
    )


@pytest.mark.usefixtures("routes")
def test_a_list_has_its_kind_the_current_resource_version_and_sorted_items(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    listed = _list(custom)
    assert listed["kind"] == "HTTPRouteList" and listed["apiVersion"] == f"{GW}/v1"
    assert listed["metadata"] == {"resourceVersion": kube.resource_version}
    assert _names(listed) == ["r3", "r4", "r1", "r2"]  # by namespace, then name
    assert _names(_list(custom, "apps")) == ["r3", "r4"]


@pytest.mark.usefixtures("routes")
@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", ["r3", "r1"]),
        ("app==web,tier=front", ["r1"]),
        ("app!=web", ["r4", "r2"]),
        ("app in (api, web)", ["r3", "r1", "r2"]),
        ("app notin (web)", ["r4", "r2"]),
        ("tier", ["r1"]),
        ("!app", ["r4"]),
    ],
)
def test_label_selectors_filter_like_the_api_server(
    custom: client.CustomObjectsApi, selector: str, expected: list[str]
) -> None:
    assert _names(_list(custom, label_selector=selector)) == expected


@pytest.mark.usefixtures("routes")
def test_field_selectors_on_name_and_namespace(custom: client.CustomObjectsApi) -> None:
    assert _names(_list(custom, field_selector="metadata.name=r2")) == ["r2"]
    assert _names(_list(custom, field_selector="metadata.namespace!=apps")) == ["r1", "r2"]


@pytest.mark.usefixtures("routes")
def test_bad_selectors_are_400(kube: FakeKube) -> None:
    for query in ("labelSelector=app%20in%20web", "fieldSelector=spec.hostnames=x"):
        status, body = raw(kube, "GET", f"/apis/{GW}/v1/httproutes?{query}")
        assert status == 400 and body["reason"] == "BadRequest"


@pytest.mark.usefixtures("routes")
def test_limit_and_continue_page_through_a_consistent_snapshot(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    first = _list(custom, limit=3)
    meta = first["metadata"]
    assert isinstance(meta, dict)
    assert _names(first) == ["r3", "r4", "r1"] and meta["remainingItemCount"] == 1
    kube.apply(route("r0", "default"))  # after the snapshot: not on the next page
    kube.delete(f"{GW}/v1", "HTTPRoute", "default", "r2")  # still on the next page
    second = _list(custom, limit=3, _continue=meta["continue"])
    assert _names(second) == ["r2"]
    second_meta = second["metadata"]
    assert isinstance(second_meta, dict)
    assert "continue" not in second_meta
    assert second_meta["resourceVersion"] == meta["resourceVersion"]


@pytest.mark.usefixtures("routes")
def test_a_continue_token_from_before_a_compaction_is_410(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    first = _list(custom, limit=1)
    meta = first["metadata"]
    assert isinstance(meta, dict)
    kube.apply(route("r9"))
    kube.compact()
    with pytest.raises(ApiException) as err:
        _list(custom, limit=1, _continue=meta["continue"])
    assert err.value.status == 410


def test_core_lists_drop_item_kind_and_filter_by_label(
    core: client.CoreV1Api, kube: FakeKube
) -> None:
    for name, labels in (("a", {"x": "1"}), ("b", {"x": "2"})):
        kube.apply(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}}
        )
    listed = core.list_namespaced_config_map(
        "default", label_selector="x=2", _request_timeout=TIMEOUT
    )
    assert [c.metadata.name for c in listed.items] == ["b"]
    status, body = raw(kube, "GET", "/api/v1/namespaces/default/configmaps")
    assert status == 200 and body["kind"] == "ConfigMapList"
    assert "kind" not in body["items"][0] and "apiVersion" not in body["items"][0]


@pytest.mark.usefixtures("routes")
def test_delete_collection_removes_only_the_selected_objects(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    custom.delete_collection_namespaced_custom_object(
        GW, "v1", "apps", "httproutes", label_selector="app=web", _request_timeout=TIMEOUT
    )
    assert [o["metadata"]["name"] for o in kube.list(f"{GW}/v1", "HTTPRoute")] == [
        "r4",
        "r1",
        "r2",
    ]
    assert kube.requests[-1].verb == "deletecollection"


def test_a_yaml_body_is_accepted(kube: FakeKube) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n"
    status, created = raw(
        kube, "POST", "/api/v1/namespaces/default/configmaps", body, "application/yaml"
    )
    assert status == 201 and created["data"] == {"k": "v"}

"""The server around the API: discovery, health, kubeconfig, request records, injected errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import FakeKube, RequestRecord

from .conftest import GW, TIMEOUT, gateway, raw, watch_events


def test_version_health_and_discovery_documents(
    kube: FakeKube, api_client: client.ApiClient
) -> None:
    version = client.VersionApi(api_client).get_code(_request_timeout=TIMEOUT)
    assert version.major == "1" and version.git_version.startswith("v1.")
    assert raw(kube, "GET", "/healthz") == (200, "ok")
    groups = client.ApisApi(api_client).get_api_versions(_request_timeout=TIMEOUT)
    by_name = {g.name: g for g in groups.groups}
    assert by_name[GW].preferred_version.version == "v1"
    assert [v.version for v in by_name[GW].versions] == ["v1", "v1beta1", "v1alpha3", "v1alpha2"]
    assert "multicluster.x-k8s.io" in by_name and "coordination.k8s.io" in by_name
    resources = client.CustomObjectsApi(api_client).get_api_resources(
        GW, "v1", _request_timeout=TIMEOUT
    )
    names = {r.name: r for r in resources.resources}
    assert names["gateways"].kind == "Gateway" and names["gateways"].namespaced
    assert not names["gatewayclasses"].namespaced
    assert names["httproutes/status"].verbs == ["get", "patch", "update"]
    assert "referencegrants/status" not in names
    assert {"tcproutes", "udproutes", "tlsroutes"} <= set(names), "stream routes are v1"
    core = client.CoreV1Api(api_client).get_api_resources(_request_timeout=TIMEOUT)
    assert {"services", "services/status", "secrets", "configmaps", "events", "namespaces"} <= {
        r.name for r in core.resources
    }
    assert raw(kube, "GET", "/api")[1]["versions"] == ["v1"]


def test_unknown_paths_and_resources_are_404_status(kube: FakeKube) -> None:
    for path in (
        "/apis/apps/v1/namespaces/default/deployments",
        "/nope",
        f"/apis/{GW}/v1/namespaces/default/referencegrants/x/status",
        "/api/v1/namespaces/default/namespaces",
    ):
        status, body = raw(kube, "GET", path)
        assert status == 404 and body["kind"] == "Status", path


def test_the_kubeconfig_loads_with_the_official_loader(kube: FakeKube, tmp_path: Path) -> None:
    path = kube.write_kubeconfig(tmp_path / "kubeconfig")
    configuration = client.Configuration()
    config.load_kube_config(
        config_file=str(path), context="fake", client_configuration=configuration
    )
    assert configuration.host == kube.url
    with client.ApiClient(configuration) as api:
        names = client.CoreV1Api(api).list_namespace(_request_timeout=TIMEOUT)
    assert "default" in [n.metadata.name for n in names.items]


def test_every_request_is_recorded_with_its_rbac_verb_and_target(
    kube: FakeKube, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    kube.clear_requests()
    custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    custom.patch_namespaced_custom_object_status(
        GW, "v1", "default", "gateways", "gw", {"status": {}}, _request_timeout=TIMEOUT
    )
    custom.list_cluster_custom_object(GW, "v1", "gateways", _request_timeout=TIMEOUT)
    with pytest.raises(ApiException):
        core.read_namespace("missing", _request_timeout=TIMEOUT)
    custom.delete_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", _request_timeout=TIMEOUT
    )
    watch_events(kube, f"/apis/{GW}/v1/namespaces/default/gateways?watch=1", count=0)
    ua = kube.requests[0].user_agent
    assert ua.startswith("OpenAPI-Generator/")
    assert [
        (r.verb, r.group, r.version, r.resource, r.subresource, r.namespace, r.name, r.status_code)
        for r in kube.requests[:5]
    ] == [
        ("create", GW, "v1", "gateways", "", "default", "", 201),
        ("patch", GW, "v1", "gateways", "status", "default", "gw", 200),
        ("list", GW, "v1", "gateways", "", "", "", 200),
        ("get", "", "v1", "namespaces", "", "missing", "missing", 404),
        ("delete", GW, "v1", "gateways", "", "default", "gw", 200),
    ]
    assert kube.requests[5].verb == "watch" and isinstance(kube.requests[5], RequestRecord)


def test_injected_errors_fail_the_next_matching_requests_with_a_status(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    kube.apply(gateway("gw"))
    kube.inject("patch", "gateways", status=503, times=2, subresource="status")
    for _ in range(2):
        with pytest.raises(ApiException) as err:
            custom.patch_namespaced_custom_object_status(
                GW, "v1", "default", "gateways", "gw", {"status": {}}, _request_timeout=TIMEOUT
            )
        assert err.value.status == 503
        status = json.loads(err.value.body)
        assert status["kind"] == "Status" and status["reason"] == "ServiceUnavailable"
        assert status["code"] == 503
    custom.get_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", _request_timeout=TIMEOUT
    )
    custom.patch_namespaced_custom_object_status(
        GW, "v1", "default", "gateways", "gw", {"status": {}}, _request_timeout=TIMEOUT
    )
    assert [r.status_code for r in kube.requests[-4:]] == [503, 503, 200, 200]


def test_an_injected_error_does_not_touch_the_store(kube: FakeKube, core: client.CoreV1Api) -> None:
    before = kube.resource_version
    kube.inject("create", "configmaps", status=409)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="a"))
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("default", body, _request_timeout=TIMEOUT)
    assert err.value.status == 409 and kube.resource_version == before
    core.create_namespaced_config_map("default", body, _request_timeout=TIMEOUT)


def test_an_injected_watch_error_fails_the_watch_request(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    kube.inject("watch", "gateways", status=500)
    with pytest.raises(ApiException) as err:
        custom.list_namespaced_custom_object(
            GW, "v1", "default", "gateways", watch=True, _request_timeout=TIMEOUT
        )
    assert err.value.status == 500
    listed = custom.list_namespaced_custom_object(
        GW, "v1", "default", "gateways", _request_timeout=TIMEOUT
    )
    assert listed["items"] == []


def test_a_closed_server_refuses_connections(tmp_path: Path) -> None:
    kube = FakeKube()
    url = kube.url
    kube.close()
    kube.close()
    configuration = client.Configuration(host=url)
    configuration.retries = False
    with client.ApiClient(configuration) as api, pytest.raises(Exception):  # noqa: B017
        client.CoreV1Api(api).list_namespace(_request_timeout=(0.5, 0.5))

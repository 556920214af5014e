"""Create, read, replace and delete through the official client, with the API's errors."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, gateway, raw


def configmap(name: str, **data: str) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data=data)


def test_create_sets_uid_creation_timestamp_generation_and_a_global_resource_version(
    core: client.CoreV1Api, custom: client.CustomObjectsApi
) -> None:
    cm = core.create_namespaced_config_map(
        "default", configmap("a", k="v"), _request_timeout=TIMEOUT
    )
    gw = custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    assert cm.metadata.uid and cm.metadata.creation_timestamp is not None
    assert cm.metadata.generation == 1 and gw["metadata"]["generation"] == 1
    assert int(gw["metadata"]["resourceVersion"]) == int(cm.metadata.resource_version) + 1
    listed = core.list_namespaced_config_map("default", _request_timeout=TIMEOUT)
    assert listed.metadata.resource_version == gw["metadata"]["resourceVersion"]


def test_get_of_a_missing_object_is_404_with_a_not_found_status(
    core: client.CoreV1Api, custom: client.CustomObjectsApi
) -> None:
    with pytest.raises(ApiException) as err:
        custom.get_namespaced_custom_object(
            GW, "v1", "default", "gateways", "nope", _request_timeout=TIMEOUT
        )
    assert err.value.status == 404
    status = json.loads(err.value.body)
    assert status["kind"] == "Status" and status["reason"] == "NotFound"
    assert status["message"] == f'gateways.{GW} "nope" not found'
    assert status["details"] == {"name": "nope", "group": GW, "kind": "gateways"}
    with pytest.raises(ApiException) as err:
        core.read_namespaced_service("nope", "default", _request_timeout=TIMEOUT)
    assert json.loads(err.value.body)["message"] == 'services "nope" not found'


def test_create_of_an_existing_name_is_409_already_exists(core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map("default", configmap("a"), _request_timeout=TIMEOUT)
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("default", configmap("a"), _request_timeout=TIMEOUT)
    assert err.value.status == 409
    assert json.loads(err.value.body)["reason"] == "AlreadyExists"


def test_generate_name_gets_a_five_character_suffix(core: client.CoreV1Api) -> None:
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(generate_name="cfg-"))
    first = core.create_namespaced_config_map("default", body, _request_timeout=TIMEOUT)
    second = core.create_namespaced_config_map("default", body, _request_timeout=TIMEOUT)
    assert first.metadata.name.startswith("cfg-") and len(first.metadata.name) == 9
    assert first.metadata.name != second.metadata.name


def test_create_refuses_a_resource_version_an_invalid_name_and_a_foreign_namespace(
    kube: FakeKube, core: client.CoreV1Api
) -> None:
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="a", resource_version="3"))
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("default", body, _request_timeout=TIMEOUT)
    assert err.value.status == 500
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map(
            "default", configmap("Not_Valid"), _request_timeout=TIMEOUT
        )
    assert err.value.status == 422
    assert json.loads(err.value.body)["details"]["causes"][0]["field"] == "metadata.name"
    status, body_out = raw(
        kube,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        {"metadata": {"name": "a", "namespace": "other"}},
    )
    assert status == 400 and body_out["reason"] == "BadRequest"


def test_delete_answers_a_status_for_configmaps_and_the_object_for_services(
    core: client.CoreV1Api,
) -> None:
    core.create_namespaced_config_map("default", configmap("a"), _request_timeout=TIMEOUT)
    gone = core.delete_namespaced_config_map("a", "default", _request_timeout=TIMEOUT)
    assert gone["kind"] == "Status" and gone["status"] == "Success"
    assert gone["details"]["name"] == "a" and gone["details"]["kind"] == "configmaps"
    svc = client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(ports=[client.V1ServicePort(port=80)]),
    )
    core.create_namespaced_service("default", svc, _request_timeout=TIMEOUT)
    deleted = core.delete_namespaced_service("web", "default", _request_timeout=TIMEOUT)
    assert deleted.metadata.name == "web"
    with pytest.raises(ApiException) as err:
        core.delete_namespaced_service("web", "default", _request_timeout=TIMEOUT)
    assert err.value.status == 404


def test_delete_preconditions_conflict_on_a_stale_resource_version(core: client.CoreV1Api) -> None:
    cm = core.create_namespaced_config_map("default", configmap("a"), _request_timeout=TIMEOUT)
    stale = client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version="1"))
    with pytest.raises(ApiException) as err:
        core.delete_namespaced_config_map("a", "default", body=stale, _request_timeout=TIMEOUT)
    assert err.value.status == 409
    fresh = client.V1DeleteOptions(
        preconditions=client.V1Preconditions(resource_version=cm.metadata.resource_version)
    )
    core.delete_namespaced_config_map("a", "default", body=fresh, _request_timeout=TIMEOUT)


def test_services_get_a_cluster_ip_and_port_defaults_that_survive_a_replace(
    core: client.CoreV1Api,
) -> None:
    svc = client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(ports=[client.V1ServicePort(port=80)]),
    )
    created = core.create_namespaced_service("default", svc, _request_timeout=TIMEOUT)
    assert created.spec.type == "ClusterIP" and created.spec.cluster_ip.startswith("10.")
    assert created.spec.ports[0].protocol == "TCP" and created.spec.ports[0].target_port == 80
    svc.metadata.resource_version = created.metadata.resource_version
    replaced = core.replace_namespaced_service("web", "default", svc, _request_timeout=TIMEOUT)
    assert replaced.spec.cluster_ip == created.spec.cluster_ip


def test_cluster_scoped_gateway_classes_and_both_gateway_api_versions_share_objects(
    custom: client.CustomObjectsApi,
) -> None:
    body = {
        "apiVersion": f"{GW}/v1",
        "kind": "GatewayClass",
        "metadata": {"name": "awsgw"},
        "spec": {"controllerName": "awsgw.io/alb"},
    }
    custom.create_cluster_custom_object(GW, "v1", "gatewayclasses", body, _request_timeout=TIMEOUT)
    beta = custom.get_cluster_custom_object(
        GW, "v1beta1", "gatewayclasses", "awsgw", _request_timeout=TIMEOUT
    )
    assert beta["apiVersion"] == f"{GW}/v1beta1"
    assert beta["spec"] == {"controllerName": "awsgw.io/alb"}
    assert "namespace" not in beta["metadata"]


def test_a_custom_resource_replace_needs_a_resource_version(
    custom: client.CustomObjectsApi,
) -> None:
    custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    with pytest.raises(ApiException) as err:
        custom.replace_namespaced_custom_object(
            GW, "v1", "default", "gateways", "gw", gateway("gw"), _request_timeout=TIMEOUT
        )
    assert err.value.status == 422


def test_dry_run_create_stores_nothing(kube: FakeKube, core: client.CoreV1Api) -> None:
    before = kube.resource_version
    made = core.create_namespaced_config_map(
        "default", configmap("a"), dry_run="All", _request_timeout=TIMEOUT
    )
    assert made.metadata.name == "a" and kube.resource_version == before
    assert kube.get("v1", "ConfigMap", "default", "a") is None


def test_python_side_apply_get_list_and_delete(kube: FakeKube) -> None:
    created = kube.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "labels": {"x": "1"}},
            "data": {"k": "v"},
        }
    )
    assert created["metadata"]["namespace"] == "default"
    updated = kube.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "w"}}
    )
    assert updated["metadata"]["labels"] == {"x": "1"} and updated["data"] == {"k": "w"}
    assert updated["metadata"]["generation"] == 2
    assert kube.get("v1", "ConfigMap", "default", "a") == updated
    assert [o["metadata"]["name"] for o in kube.list("v1", "ConfigMap")] == ["a"]
    assert kube.list("v1", "ConfigMap", "other") == []
    assert kube.delete("v1", "ConfigMap", "default", "a") is None
    assert kube.get("v1", "ConfigMap", "default", "a") is None
    assert kube.delete("v1", "ConfigMap", "default", "a") is None
    with pytest.raises(ValueError):
        kube.get("v1", "Pod", "default", "a")


def test_system_namespaces_exist_and_a_namespace_is_active(core: client.CoreV1Api) -> None:
    names = [n.metadata.name for n in core.list_namespace(_request_timeout=TIMEOUT).items]
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]
    created = core.create_namespace(
        client.V1Namespace(metadata=client.V1ObjectMeta(name="apps")), _request_timeout=TIMEOUT
    )
    assert created.status.phase == "Active" and created.spec.finalizers == ["kubernetes"]

"""metadata.generation and the status subresource: which endpoint may change what."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, condition, gateway


def _create(custom: client.CustomObjectsApi) -> dict[str, Any]:
    created: dict[str, Any] = custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    return created


def _patch(custom: client.CustomObjectsApi, body: dict[str, Any]) -> dict[str, Any]:
    patched: dict[str, Any] = custom.patch_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", body, _request_timeout=TIMEOUT
    )
    return patched


def test_generation_bumps_on_a_spec_change_only(custom: client.CustomObjectsApi) -> None:
    assert _create(custom)["metadata"]["generation"] == 1
    labelled = _patch(custom, {"metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}}})
    assert labelled["metadata"]["generation"] == 1
    changed = _patch(custom, {"spec": {"gatewayClassName": "other"}})
    assert changed["metadata"]["generation"] == 2
    assert int(changed["metadata"]["resourceVersion"]) > int(
        labelled["metadata"]["resourceVersion"]
    )


def test_create_drops_status_of_a_kind_with_a_status_subresource(
    custom: client.CustomObjectsApi,
) -> None:
    body = gateway("gw")
    body["status"] = {"addresses": [{"value": "1.2.3.4"}]}
    created = custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", body, _request_timeout=TIMEOUT
    )
    assert "status" not in created


def test_the_main_endpoint_ignores_status_changes(custom: client.CustomObjectsApi) -> None:
    created = _create(custom)
    patched = _patch(custom, {"status": {"addresses": [{"value": "1.2.3.4"}]}})
    assert "status" not in patched
    assert patched["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_the_status_endpoint_ignores_everything_but_status(custom: client.CustomObjectsApi) -> None:
    created = _create(custom)
    body = {
        "metadata": {"labels": {"x": "y"}},
        "spec": {"gatewayClassName": "other"},
        "status": {"conditions": [condition("Accepted")]},
    }
    patched = custom.patch_namespaced_custom_object_status(
        GW, "v1", "default", "gateways", "gw", body, _request_timeout=TIMEOUT
    )
    assert patched["status"] == body["status"]
    assert patched["spec"] == created["spec"] and "labels" not in patched["metadata"]
    assert patched["metadata"]["generation"] == 1
    read = custom.get_namespaced_custom_object_status(
        GW, "v1", "default", "gateways", "gw", _request_timeout=TIMEOUT
    )
    assert read["status"] == body["status"]


def test_a_status_replace_keeps_spec_and_a_main_replace_keeps_status(
    custom: client.CustomObjectsApi,
) -> None:
    current = _create(custom)
    current["status"] = {"addresses": [{"value": "10.0.0.1"}]}
    current["spec"]["gatewayClassName"] = "ignored"
    with_status = custom.replace_namespaced_custom_object_status(
        GW, "v1", "default", "gateways", "gw", current, _request_timeout=TIMEOUT
    )
    assert with_status["spec"]["gatewayClassName"] == "awsgw"
    with_status["spec"]["gatewayClassName"] = "new"
    with_status["status"] = {}
    replaced = custom.replace_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", with_status, _request_timeout=TIMEOUT
    )
    assert replaced["status"] == {"addresses": [{"value": "10.0.0.1"}]}
    assert replaced["metadata"]["generation"] == 2


def test_a_no_op_write_keeps_the_resource_version_and_emits_nothing(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    created = _create(custom)
    again = custom.replace_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", created, _request_timeout=TIMEOUT
    )
    assert again["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert kube.resource_version == created["metadata"]["resourceVersion"]


def test_system_metadata_cannot_be_overwritten_by_an_update(
    custom: client.CustomObjectsApi,
) -> None:
    created = _create(custom)
    forged = dict(created)
    forged["metadata"] = {
        **created["metadata"],
        "uid": "forged",
        "generation": 99,
        "creationTimestamp": "2000-01-01T00:00:00Z",
    }
    replaced = custom.replace_namespaced_custom_object(
        GW, "v1", "default", "gateways", "gw", forged, _request_timeout=TIMEOUT
    )
    for field in ("uid", "generation", "creationTimestamp"):
        assert replaced["metadata"][field] == created["metadata"][field]


def test_service_status_goes_through_its_subresource(core: client.CoreV1Api) -> None:
    svc = client.V1Service(
        metadata=client.V1ObjectMeta(name="lb"),
        spec=client.V1ServiceSpec(type="LoadBalancer", ports=[client.V1ServicePort(port=80)]),
    )
    core.create_namespaced_service("default", svc, _request_timeout=TIMEOUT)
    ingress = {"status": {"loadBalancer": {"ingress": [{"hostname": "lb.example"}]}}}
    ignored = core.patch_namespaced_service("lb", "default", ingress, _request_timeout=TIMEOUT)
    assert ignored.status.load_balancer.ingress is None
    patched = core.patch_namespaced_service_status(
        "lb", "default", ingress, _request_timeout=TIMEOUT
    )
    assert patched.status.load_balancer.ingress[0].hostname == "lb.example"


def test_apply_bumps_generation_on_spec_change_and_apply_status_sets_status(kube: FakeKube) -> None:
    first = kube.apply(gateway("gw"))
    same = kube.apply(gateway("gw"))
    assert same["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    changed = kube.apply(gateway("gw", addresses=[{"value": "10.0.0.9"}]))
    assert changed["metadata"]["generation"] == 2
    status = {"conditions": [{"type": "Programmed", "status": "True"}]}
    with_status = kube.apply_status({**gateway("gw"), "status": status})
    assert with_status["status"] == status and with_status["metadata"]["generation"] == 2
    assert kube.apply(gateway("gw", addresses=[]))["status"] == status

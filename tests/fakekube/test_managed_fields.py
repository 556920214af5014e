"""managedFields on creates, updates, patches and status writes; resetting and writing them."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, condition, gateway, namespace, raw

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
CONFIGMAPS = "/api/v1/namespaces/shop/configmaps"
GATEWAYS = f"/apis/{GW}/v1/namespaces/shop/gateways"


@pytest.fixture(autouse=True)
def shop(kube: FakeKube) -> None:
    kube.apply(namespace("shop"))


def entries(obj: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """managedFields by (manager, operation)."""
    return {(e["manager"], e["operation"]): e for e in obj["metadata"].get("managedFields", [])}


def configmap(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}


@pytest.mark.parametrize(
    ("query", "agent", "manager"),
    [
        ("?fieldManager=deployer", "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07", "deployer"),
        ("", "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07", "kubectl"),
        ("", "awsgw/0.1", "awsgw"),
        ("", "", "unknown"),
    ],
)
def test_a_create_is_recorded_for_the_field_manager_or_the_user_agent(
    kube: FakeKube, query: str, agent: str, manager: str
) -> None:
    status, created = raw(
        kube, "POST", CONFIGMAPS + query, configmap(a="1"), headers={"User-Agent": agent}
    )
    assert status == 201
    [entry] = created["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == (manager, "Update", "v1")
    assert entry["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}


def test_the_official_client_is_recorded_by_its_program_name(core: client.CoreV1Api) -> None:
    created = core.create_namespaced_config_map("shop", configmap(a="1"), _request_timeout=TIMEOUT)
    assert [e.manager for e in created.metadata.managed_fields] == ["OpenAPI-Generator"]


def test_an_update_takes_the_fields_it_changes_from_their_previous_manager(kube: FakeKube) -> None:
    raw(kube, "POST", f"{CONFIGMAPS}?fieldManager=first", configmap(a="1", b="2"))
    status, updated = raw(
        kube, "PATCH", f"{CONFIGMAPS}/c?fieldManager=second", {"data": {"b": "3", "c": "4"}}, MERGE
    )
    assert status == 200
    owned = entries(updated)
    assert owned[("first", "Update")]["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}
    assert owned[("second", "Update")]["fieldsV1"] == {"f:data": {"f:b": {}, "f:c": {}}}
    status, removed = raw(
        kube, "PATCH", f"{CONFIGMAPS}/c?fieldManager=third", {"data": {"a": None}}, MERGE
    )
    assert ("third", "Update") not in entries(removed)  # removing owns nothing
    assert entries(removed)[("first", "Update")]["fieldsV1"] == {"f:data": {}}


def test_a_write_that_changes_nothing_keeps_the_object_and_its_resource_version(
    kube: FakeKube,
) -> None:
    _, created = raw(kube, "POST", f"{CONFIGMAPS}?fieldManager=first", configmap(a="1"))
    status, same = raw(kube, "PUT", f"{CONFIGMAPS}/c?fieldManager=second", created)
    assert status == 200 and same == created


def test_status_writes_own_status_only_and_name_the_subresource(kube: FakeKube) -> None:
    kube.apply(gateway("web", "shop"))
    current = kube.get(f"{GW}/v1", "Gateway", "shop", "web")
    assert current is not None
    current["status"] = {"addresses": [{"type": "Hostname", "value": "lb.example.com"}]}
    current["spec"]["gatewayClassName"] = "ignored-on-status"
    status, written = raw(kube, "PUT", f"{GATEWAYS}/web/status?fieldManager=awsgw", current)
    assert status == 200 and written["spec"]["gatewayClassName"] == "awsgw"
    entry = entries(written)[("awsgw", "Update")]
    assert entry["subresource"] == "status"
    assert entry["fieldsV1"] == {"f:status": {".": {}, "f:addresses": {}}}
    assert "f:status" not in entries(written)[("fakekube", "Update")]["fieldsV1"]


def test_a_status_apply_owns_status_only(kube: FakeKube) -> None:
    kube.apply(gateway("web", "shop"))
    body = {
        "apiVersion": f"{GW}/v1",
        "kind": "Gateway",
        "metadata": {"name": "web"},
        "spec": {"gatewayClassName": "ignored"},
        "status": {"conditions": [condition("Accepted")]},
    }
    status, applied = raw(kube, "PATCH", f"{GATEWAYS}/web/status?fieldManager=awsgw", body, APPLY)
    assert status == 200 and applied["spec"]["gatewayClassName"] == "awsgw"
    entry = entries(applied)[("awsgw", "Apply")]
    assert entry["subresource"] == "status"
    assert entry["fieldsV1"] == {
        "f:status": {
            "f:conditions": {
                'k:{"type":"Accepted"}': {
                    ".": {},
                    "f:lastTransitionTime": {},
                    "f:message": {},
                    "f:reason": {},
                    "f:status": {},
                    "f:type": {},
                }
            }
        }
    }
    status, _ = raw(kube, "PATCH", f"{GATEWAYS}/gone/status?fieldManager=awsgw", body, APPLY)
    assert status == 404


def test_an_apply_to_the_main_endpoint_does_not_own_status(kube: FakeKube) -> None:
    body = {**gateway("web", "shop"), "status": {"conditions": [condition("Accepted")]}}
    status, applied = raw(kube, "PATCH", f"{GATEWAYS}/web?fieldManager=kubectl", body, APPLY)
    assert status == 201 and "status" not in applied
    assert "f:status" not in entries(applied)[("kubectl", "Apply")]["fieldsV1"]


def test_managed_fields_reset_by_an_empty_entry_stay_away_until_the_next_apply(
    kube: FakeKube,
) -> None:
    raw(kube, "POST", f"{CONFIGMAPS}?fieldManager=first", configmap(a="1"))
    reset = {"metadata": {"managedFields": [{}]}}
    status, cleared = raw(kube, "PATCH", f"{CONFIGMAPS}/c?fieldManager=second", reset, MERGE)
    assert status == 200 and "managedFields" not in cleared["metadata"]
    _, updated = raw(kube, "PATCH", f"{CONFIGMAPS}/c", {"data": {"b": "2"}}, MERGE)
    assert "managedFields" not in updated["metadata"]
    status, body = raw(
        kube, "PATCH", f"{CONFIGMAPS}/c?fieldManager=kubectl", configmap(a="9"), APPLY
    )
    assert status == 409
    assert body["details"]["causes"][0]["message"] == (
        'conflict with "before-first-apply" using v1'
    )


def test_valid_managed_fields_in_an_update_replace_the_stored_ones(kube: FakeKube) -> None:
    _, created = raw(kube, "POST", f"{CONFIGMAPS}?fieldManager=first", configmap(a="1"))
    written = {
        "manager": "someone",
        "operation": "Apply",
        "apiVersion": "v1",
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:a": {}}},
    }
    created["metadata"]["managedFields"] = [written]
    _, replaced = raw(kube, "PUT", f"{CONFIGMAPS}/c", created)
    assert replaced["metadata"]["managedFields"] == [written]
    created = replaced
    created["metadata"]["managedFields"] = [{"manager": "bad", "operation": "Delete"}]
    _, kept = raw(kube, "PUT", f"{CONFIGMAPS}/c", created)
    assert kept["metadata"]["managedFields"] == [written]  # not valid: the live ones stay


def test_the_system_namespaces_are_the_api_servers(kube: FakeKube) -> None:
    default = kube.get("v1", "Namespace", None, "default")
    assert default is not None
    [entry] = default["metadata"]["managedFields"]
    assert entry["manager"] == "kube-apiserver"
    assert entry["fieldsV1"]["f:metadata"] == {
        "f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}
    }


def test_the_oldest_of_more_than_ten_updaters_become_ancient_changes(kube: FakeKube) -> None:
    raw(kube, "POST", f"{CONFIGMAPS}?fieldManager=m00", configmap(k00="0"))
    for n in range(1, 11):
        patch = {"data": {f"k{n:02}": str(n)}}
        status, updated = raw(kube, "PATCH", f"{CONFIGMAPS}/c?fieldManager=m{n:02}", patch, MERGE)
        assert status == 200
    owned = entries(updated)
    assert len(owned) == 10
    assert owned[("ancient-changes", "Update")]["fieldsV1"] == {
        "f:data": {".": {}, "f:k00": {}, "f:k01": {}}
    }
    assert ("m00", "Update") not in owned and ("m02", "Update") in owned

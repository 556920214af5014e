"""Server-side apply: creation, no-op re-applies, conflicts, force, shared ownership, pruning."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, gateway, namespace, raw

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
GATEWAYS = f"/apis/{GW}/v1/namespaces/shop/gateways"


@pytest.fixture(autouse=True)
def shop(kube: FakeKube) -> None:
    kube.apply(namespace("shop"))


def web(port: int = 80, **spec: Any) -> dict[str, Any]:
    listeners = [{"name": "http", "port": port, "protocol": "HTTP"}]
    return gateway("web", "shop", listeners=listeners, **spec)


def apply(
    kube: FakeKube,
    body: Any,
    manager: str = "kubectl",
    path: str = f"{GATEWAYS}/web",
    **query: str,
) -> tuple[int, Any]:
    params = "&".join(f"{k}={v}" for k, v in {"fieldManager": manager, **query}.items() if v)
    return raw(kube, "PATCH", f"{path}?{params}", body, APPLY)


def entries(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """managedFields by manager name."""
    return {e["manager"]: e for e in obj["metadata"].get("managedFields", [])}


def test_an_apply_creates_the_object_and_records_what_the_applier_owns(kube: FakeKube) -> None:
    status, created = apply(kube, web())
    assert status == 201
    [entry] = created["metadata"]["managedFields"]
    assert entry["manager"] == "kubectl" and entry["operation"] == "Apply"
    assert entry["apiVersion"] == f"{GW}/v1" and entry["fieldsType"] == "FieldsV1"
    assert entry["time"].endswith("Z") and "subresource" not in entry
    assert entry["fieldsV1"] == {
        "f:spec": {
            "f:gatewayClassName": {},
            "f:listeners": {
                'k:{"name":"http"}': {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}}
            },
        }
    }


def test_applying_the_same_configuration_again_writes_nothing(kube: FakeKube) -> None:
    _, first = apply(kube, web())
    before = kube.resource_version
    status, again = apply(kube, json.dumps(web()).encode())
    assert status == 200
    assert again == first and kube.resource_version == before


def test_a_yaml_configuration_is_applied_too(kube: FakeKube) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: '1'\n"
    status, created = apply(kube, body, path="/api/v1/namespaces/shop/configmaps/c")
    assert status == 201 and created["data"] == {"a": "1"}
    assert entries(created)["kubectl"]["fieldsV1"] == {"f:data": {"f:a": {}}}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"manager": ""},
            'PatchOptions.meta.k8s.io "" is invalid: '
            "fieldManager: Required value: is required for apply patch",
        ),
        (
            {"manager": "x" * 129},
            'PatchOptions.meta.k8s.io "" is invalid: '
            "fieldManager: Too long: may not be more than 128 bytes",
        ),
    ],
)
def test_an_apply_needs_a_valid_field_manager(
    kube: FakeKube, query: dict[str, str], message: str
) -> None:
    status, body = apply(kube, web(), **query)
    assert (status, body["reason"], body["message"]) == (422, "Invalid", message)


def test_force_is_only_for_apply_patches(kube: FakeKube) -> None:
    apply(kube, web())
    status, body = raw(kube, "PATCH", f"{GATEWAYS}/web?force=true", {"spec": {}}, MERGE)
    assert status == 422
    assert body["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: '
        "force: Forbidden: may not be specified for non-apply patch"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"apiVersion": f"{GW}/v1beta1"},
            f"invalid object type: {GW}/v1beta1, Kind=Gateway",
        ),
        ({"kind": "HTTPRoute"}, f"invalid object type: {GW}/v1, Kind=HTTPRoute"),
        ({"metadata": {"name": "web", "managedFields": []}}, "metadata.managedFields must be nil"),
        (
            {"metadata": {"name": "other"}},
            "the name of the object (other) does not match the name on the URL (web)",
        ),
    ],
)
def test_an_applied_configuration_must_be_of_the_request_without_managed_fields(
    kube: FakeKube, change: dict[str, Any], message: str
) -> None:
    status, body = apply(kube, {**web(), **change})
    assert (status, body["message"]) == (400, message)


def test_an_undecodable_configuration_is_400(kube: FakeKube) -> None:
    status, body = apply(kube, b"{not: [yaml")
    assert status == 400 and body["message"].startswith("error decoding patch:")


def _update_port(kube: FakeKube, port: int, agent: str = "awsgw/0.1 (linux/amd64)") -> None:
    listeners = [{"name": "http", "port": port, "protocol": "HTTP"}]
    status, _ = raw(
        kube,
        "PATCH",
        f"{GATEWAYS}/web",
        {"spec": {"listeners": listeners}},
        MERGE,
        headers={"User-Agent": agent},
    )
    assert status == 200


def test_changing_a_field_another_manager_owns_is_a_conflict(kube: FakeKube) -> None:
    apply(kube, web())
    _update_port(kube, 8080)
    status, body = apply(kube, web(port=80))
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == (
        "Apply failed with 1 conflict: conflict with "
        f'"awsgw" using {GW}/v1: .spec.listeners[name="http"].port'
    )
    assert body["details"] == {
        "causes": [
            {
                "reason": "FieldManagerConflict",
                "message": f'conflict with "awsgw" using {GW}/v1',
                "field": '.spec.listeners[name="http"].port',
            }
        ]
    }
    assert kube.get(f"{GW}/v1", "Gateway", "shop", "web")["spec"]["listeners"][0]["port"] == 8080


def test_conflicts_with_several_fields_are_listed_by_manager(kube: FakeKube) -> None:
    apply(kube, web(), manager="team")
    status, body = apply(kube, web(port=81, gatewayClassName="other"), manager="platform")
    assert status == 409
    assert body["message"] == (
        'Apply failed with 2 conflicts: conflicts with "team":\n'
        "- .spec.gatewayClassName\n"
        '- .spec.listeners[name="http"].port'
    )
    assert [c["field"] for c in body["details"]["causes"]] == [
        ".spec.gatewayClassName",
        '.spec.listeners[name="http"].port',
    ]


def test_force_takes_the_conflicting_fields_over(kube: FakeKube) -> None:
    apply(kube, web())
    _update_port(kube, 8080)
    status, forced = apply(kube, web(port=80), force="true")
    assert status == 200 and forced["spec"]["listeners"][0]["port"] == 80
    assert list(entries(forced)) == ["kubectl"]  # awsgw owned only the port


def test_applying_an_equal_value_shares_ownership_and_keeps_it_when_one_lets_go(
    kube: FakeKube,
) -> None:
    apply(kube, web(), manager="team")
    status, shared = apply(kube, web(), manager="platform")
    assert status == 200
    both = entries(shared)
    assert both["team"]["fieldsV1"] == both["platform"]["fieldsV1"]
    class_only = gateway("web", "shop")
    del class_only["spec"]["listeners"]
    status, kept = apply(kube, class_only, manager="platform")
    assert status == 200 and kept["spec"]["listeners"][0]["port"] == 80
    assert "f:listeners" not in entries(kept)["platform"]["fieldsV1"]["f:spec"]


def test_what_the_applier_no_longer_applies_is_removed_unless_someone_else_owns_it(
    kube: FakeKube,
) -> None:
    labelled = copy.deepcopy(web())
    labelled["metadata"]["labels"] = {"a": "1", "b": "2"}
    apply(kube, labelled)
    raw(kube, "PATCH", f"{GATEWAYS}/web", {"metadata": {"labels": {"c": "3"}}}, MERGE)
    labelled["metadata"]["labels"] = {"a": "1"}
    labelled["spec"]["listeners"].append({"name": "https", "port": 443, "protocol": "HTTPS"})
    _, grown = apply(kube, labelled)
    assert grown["metadata"]["labels"] == {"a": "1", "c": "3"}
    del labelled["metadata"]["labels"]
    labelled["spec"]["listeners"] = labelled["spec"]["listeners"][1:]
    _, shrunk = apply(kube, labelled)
    assert shrunk["metadata"]["labels"] == {"c": "3"}
    assert [listener["name"] for listener in shrunk["spec"]["listeners"]] == ["https"]


def test_an_atomic_list_is_owned_and_replaced_as_a_whole(kube: FakeKube) -> None:
    route = {
        "apiVersion": f"{GW}/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "r"},
        "spec": {"hostnames": ["a.example.com"]},
    }
    path = f"/apis/{GW}/v1/namespaces/shop/httproutes/r"
    _, created = apply(kube, route, path=path)
    assert entries(created)["kubectl"]["fieldsV1"] == {"f:spec": {"f:hostnames": {}}}
    route["spec"]["hostnames"] = ["b.example.com"]
    status, body = apply(kube, route, manager="other", path=path)
    assert status == 409 and body["details"]["causes"][0]["field"] == ".spec.hostnames"


def test_a_service_port_is_keyed_by_port_and_default_protocol(kube: FakeKube) -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "store"},
        "spec": {"selector": {"app": "store"}, "ports": [{"port": 8080}]},
    }
    _, created = apply(kube, service, path="/api/v1/namespaces/shop/services/store")
    assert entries(created)["kubectl"]["fieldsV1"] == {
        "f:spec": {
            "f:ports": {'k:{"port":8080,"protocol":"TCP"}': {".": {}, "f:port": {}}},
            "f:selector": {},
        }
    }
    assert created["spec"]["ports"][0]["protocol"] == "TCP"  # defaulted, owned by nobody


def test_duplicate_list_map_items_are_refused(kube: FakeKube) -> None:
    doubled = web()
    doubled["spec"]["listeners"] *= 2
    status, body = apply(kube, doubled)
    assert status == 500
    assert body["message"] == (
        f"failed to create typed patch object (shop/web; {GW}/v1, Kind=Gateway): "
        '.spec.listeners: duplicate entries for key [name="http"]'
    )


def test_a_dry_run_apply_stores_nothing(kube: FakeKube) -> None:
    status, body = apply(kube, web(), dryRun="All")
    assert status == 201 and body["metadata"]["managedFields"]
    assert kube.get(f"{GW}/v1", "Gateway", "shop", "web") is None


def test_an_applied_configuration_is_validated_against_the_schema(kube: FakeKube) -> None:
    status, body = apply(kube, web(port=0))
    assert status == 422
    assert "spec.listeners[0].port" in body["message"]
    assert kube.get("gateway.networking.k8s.io/v1", "Gateway", "web", "shop") is None

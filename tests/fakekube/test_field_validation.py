"""Server-side field validation (fieldValidation Strict, Warn, Ignore) and the schema
validation of custom resources, with the API server's messages."""

from __future__ import annotations

import json
from typing import Any

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, condition, gateway, request

GATEWAYS = f"/apis/{GW}/v1/namespaces/default/gateways"
MERGE = "application/merge-patch+json"


def _with_unknown_fields() -> dict[str, Any]:
    body = gateway("gw")
    body["metadata"]["colour"] = "blue"
    body["spec"]["foo"] = 1
    body["spec"]["listeners"][0]["bar"] = True
    return body


def _warnings(reply: Any) -> list[str]:
    return list(reply.headers.get_all("Warning") or [])


def test_strict_refuses_unknown_fields_with_the_api_servers_message(kube: FakeKube) -> None:
    reply = request(kube, "POST", f"{GATEWAYS}?fieldValidation=Strict", _with_unknown_fields())
    assert reply.status == 400 and reply.body["reason"] == "BadRequest"
    assert reply.body["message"] == (
        'Gateway in version "v1" cannot be handled as a Gateway: strict decoding error: '
        'unknown field "metadata.colour", unknown field "spec.foo", '
        'unknown field "spec.listeners[0].bar"'
    )
    assert kube.get(f"{GW}/v1", "Gateway", "default", "gw") is None


def test_warn_is_the_default_drops_unknown_fields_and_says_so(kube: FakeKube) -> None:
    reply = request(kube, "POST", GATEWAYS, _with_unknown_fields())
    assert reply.status == 201
    assert _warnings(reply) == [
        '299 - "unknown field \\"metadata.colour\\""',
        '299 - "unknown field \\"spec.foo\\""',
        '299 - "unknown field \\"spec.listeners[0].bar\\""',
    ]
    stored = kube.get(f"{GW}/v1", "Gateway", "default", "gw")
    assert stored is not None and "foo" not in stored["spec"] and "colour" not in stored["metadata"]
    assert stored["spec"]["listeners"] == [{"name": "http", "port": 80, "protocol": "HTTP"}]


def test_ignore_drops_unknown_fields_silently(kube: FakeKube) -> None:
    reply = request(kube, "POST", f"{GATEWAYS}?fieldValidation=Ignore", _with_unknown_fields())
    assert reply.status == 201 and _warnings(reply) == []
    assert "foo" not in reply.body["spec"]


def test_built_in_kinds_are_checked_against_their_types(kube: FakeKube) -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "annotations": {"free": "form"}},
        "spec": {"ports": [{"port": 80, "nodePortt": 1}], "selector": {"any": "key"}},
    }
    reply = request(
        kube, "POST", "/api/v1/namespaces/default/services?fieldValidation=Strict", service
    )
    assert reply.status == 400
    assert reply.body["message"].endswith(
        'strict decoding error: unknown field "spec.ports[0].nodePortt"'
    )


def test_duplicate_json_keys_are_reported_with_their_path(kube: FakeKube) -> None:
    text = json.dumps(gateway("gw")).replace(
        '"gatewayClassName": "awsgw"', '"gatewayClassName": "a", "gatewayClassName": "awsgw"'
    )
    strict = request(kube, "POST", f"{GATEWAYS}?fieldValidation=Strict", text.encode())
    assert strict.status == 400
    assert strict.body["message"].endswith(
        'strict decoding error: duplicate field "spec.gatewayClassName"'
    )
    warned = request(kube, "POST", GATEWAYS, text.encode())
    assert warned.status == 201 and warned.body["spec"]["gatewayClassName"] == "awsgw"
    assert _warnings(warned) == ['299 - "duplicate field \\"spec.gatewayClassName\\""']


def test_a_strict_patch_is_invalid_on_the_patch_field(kube: FakeKube) -> None:
    kube.apply(gateway("gw"))
    reply = request(
        kube,
        "PATCH",
        f"{GATEWAYS}/gw?fieldValidation=Strict",
        {"spec": {"foo": 1}},
        content_type=MERGE,
    )
    assert reply.status == 422
    assert reply.body["message"].startswith(' "" is invalid: patch: Invalid value: "{')
    assert reply.body["message"].endswith('strict decoding error: unknown field "spec.foo"')
    assert reply.body["details"]["causes"][0]["field"] == "patch"


def test_an_unknown_field_validation_directive_is_refused(kube: FakeKube) -> None:
    reply = request(kube, "POST", f"{GATEWAYS}?fieldValidation=Loud", gateway("gw"))
    assert reply.status == 422
    assert reply.body["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": '
        'supported values: "", "Ignore", "Strict", "Warn"'
    )


def test_schema_violations_are_422_with_the_apiextensions_field_errors(kube: FakeKube) -> None:
    body = gateway("gw")
    body["spec"]["listeners"] = [
        {"name": "http", "port": 0, "protocol": "HTTP"},
        {"name": "http", "port": "80", "protocol": "HTTP"},
    ]
    del body["spec"]["gatewayClassName"]
    reply = request(kube, "POST", GATEWAYS, body)
    assert reply.status == 422 and reply.body["reason"] == "Invalid"
    assert reply.body["message"] == (
        'Gateway.gateway.networking.k8s.io "gw" is invalid: ['
        "spec.gatewayClassName: Required value, "
        'spec.listeners[1]: Duplicate value: {"name":"http"}, '
        "spec.listeners[0].port: Invalid value: 0: spec.listeners[0].port in body should be "
        "greater than or equal to 1, "
        'spec.listeners[1].port: Invalid value: "string": spec.listeners[1].port in body must '
        'be of type integer: "string"]'
    )
    causes = {(c["field"], c["reason"]) for c in reply.body["details"]["causes"]}
    assert ("spec.gatewayClassName", "FieldValueRequired") in causes
    assert ("spec.listeners[1].port", "FieldValueTypeInvalid") in causes


def test_too_many_items_or_properties_read_as_the_api_servers(kube: FakeKube) -> None:
    body = gateway("gw")
    body["spec"]["listeners"] = [
        {"name": f"l{i}", "port": 1000 + i, "protocol": "HTTP"} for i in range(65)
    ]
    body["spec"]["infrastructure"] = {"labels": {f"k{i}": "v" for i in range(9)}}
    reply = request(kube, "POST", GATEWAYS, body)
    assert reply.status == 422
    causes = {(c["field"], c["reason"], c["message"]) for c in reply.body["details"]["causes"]}
    assert causes >= {
        ("spec.listeners", "FieldValueTooMany", "Too many: 65: must have at most 64 items"),
        (
            "spec.infrastructure.labels",
            "FieldValueTooMany",
            "Too many: 9: must have at most 8 items",
        ),
    }


def test_enum_length_and_pattern_errors_read_as_the_api_servers(kube: FakeKube) -> None:
    kube.apply(gateway("gw"))
    bad = condition("Programmed", status="Maybe")
    bad["reason"] = "not a reason"
    bad["message"] = "m" * 32769
    reply = request(
        kube,
        "PATCH",
        f"{GATEWAYS}/gw/status",
        {"status": {"conditions": [bad]}},
        content_type=MERGE,
    )
    assert reply.status == 422
    messages = [f"{c['field']}: {c['message']}" for c in reply.body["details"]["causes"]]
    supported = 'supported values: "True", "False", "Unknown"'
    assert f'status.conditions[0].status: Unsupported value: "Maybe": {supported}' in messages
    assert "status.conditions[0].message: Too long: may not be more than 32768 bytes" in messages
    pattern = next(m for m in messages if m.startswith("status.conditions[0].reason"))
    assert pattern.startswith('status.conditions[0].reason: Invalid value: "not a reason": ')
    assert "in body should match '^[A-Za-z]" in pattern


def test_validation_ratchets_values_an_update_leaves_unchanged(kube: FakeKube) -> None:
    invalid = gateway("gw")
    invalid["spec"]["listeners"] = []  # written past validation, as an older server might have
    kube.apply(invalid)
    labelled = request(
        kube, "PATCH", f"{GATEWAYS}/gw", {"metadata": {"labels": {"a": "b"}}}, content_type=MERGE
    )
    assert labelled.status == 200
    changed = request(
        kube, "PATCH", f"{GATEWAYS}/gw", {"spec": {"gatewayClassName": ""}}, content_type=MERGE
    )
    assert changed.status == 422
    assert [c["field"] for c in changed.body["details"]["causes"]] == ["spec.gatewayClassName"]

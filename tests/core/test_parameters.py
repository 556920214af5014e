"""LoadBalancerConfiguration through parametersRef: followed, checked against the data
plane, merged (the Gateway's own values win field by field), refused with InvalidParameters
naming the object and the field."""

from __future__ import annotations

from typing import Any

import pytest

from awsgw.core.attach import Attachment, attach
from awsgw.core.parameters import LoadBalancerParameters
from awsgw.providers.registry import CATALOG
from tests.core.builders import INFRA, gateway_class, listener, obj, store

CONFIG = {"group": "awsgw.io", "kind": "LoadBalancerConfiguration"}


def configuration(name: str, spec: Any, namespace: str = INFRA) -> Any:
    return obj(
        {
            "apiVersion": "awsgw.io/v1alpha1",
            "kind": "LoadBalancerConfiguration",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
    )


def gw(
    ref: dict[str, str] | None = None,
    listeners: list[dict[str, Any]] | None = None,
    annotations: dict[str, str] | None = None,
    class_name: str = "alb",
) -> Any:
    spec: dict[str, Any] = {
        "gatewayClassName": class_name,
        "listeners": listeners or [listener()],
    }
    if ref is not None:
        spec["infrastructure"] = {"parametersRef": ref}
    meta: dict[str, Any] = {"name": "gw", "namespace": INFRA}
    if annotations:
        meta["annotations"] = annotations
    return obj(
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": meta,
         "spec": spec}
    )  # fmt: skip


def classed(ref: dict[str, str], name: str = "alb", controller: str = "awsgw.io/alb") -> Any:
    gc = gateway_class(name, controller)
    doc = dict(gc.raw)
    doc["spec"] = {**doc["spec"], "parametersRef": ref}
    return obj(doc)


def state(*objects: Any, with_class: bool = True) -> Attachment:
    extra = [gateway_class()] if with_class else []
    return attach(store(*extra, *objects), CATALOG)


def accepted(att: Attachment) -> tuple[bool, str, str]:
    v = att.gateways[f"{INFRA}/gw"].accepted
    return v.ok, str(v.reason), v.message


def params(att: Attachment) -> LoadBalancerParameters:
    return att.gateways[f"{INFRA}/gw"].parameters


def test_a_gateway_takes_its_configuration() -> None:
    cfg = configuration(
        "prod",
        {"scheme": "internet-facing", "attributes": {"idle_timeout.timeout_seconds": "120"},
         "tags": {"team": "shop"}, "securityGroups": ["sg-0123456789abcdef0"]},
    )  # fmt: skip
    att = state(cfg, gw({**CONFIG, "name": "prod"}))
    assert accepted(att)[0]
    p = params(att)
    assert p.scheme == "internet-facing"
    assert p.attributes == (("idle_timeout.timeout_seconds", "120"),)
    assert p.tags == (("team", "shop"),) and p.security_groups == ("sg-0123456789abcdef0",)
    assert p.sources == (f"LoadBalancerConfiguration {INFRA}/prod",)


def test_a_missing_configuration_is_invalid_parameters() -> None:
    ok, reason, message = accepted(state(gw({**CONFIG, "name": "absent"})))
    assert (ok, reason) == (False, "InvalidParameters")
    assert message == (
        f"spec.infrastructure.parametersRef: LoadBalancerConfiguration {INFRA}/absent not found"
    )


def test_a_reference_to_another_kind_is_invalid_parameters() -> None:
    ref = {"group": "invalid.io", "kind": "InvalidParameters", "name": "invalid"}
    ok, reason, message = accepted(state(gw(ref)))
    assert (ok, reason) == (False, "InvalidParameters")
    assert "invalid.io/InvalidParameters is not a kind awsgw reads" in message


def test_a_configuration_in_another_namespace_is_not_found() -> None:
    cfg = configuration("prod", {}, namespace="other")
    ok, reason, _ = accepted(state(cfg, gw({**CONFIG, "name": "prod"})))
    assert (ok, reason) == (False, "InvalidParameters")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"scheme": "public"}, "spec.scheme: Input should be 'internal' or 'internet-facing'"),
        ({"colour": "blue"}, "spec.colour: Extra inputs are not permitted"),
        (
            {"subnets": {"ids": ["subnet-1"], "tags": {"a": "b"}}},
            "spec.subnets: Value error, give exactly one of ids and tags",
        ),
        ({"securityGroups": ["default"]}, "spec.securityGroups[0]: String should match"),
        (
            {"attributes": {"idle_timeout.timeout_seconds": 60}},
            "spec.attributes.idle_timeout.timeout_seconds: Input should be a valid string",
        ),
        (
            {"attributes": {"idle_timeout.timeout_seconds": "9000"}},
            "spec.attributes["
            "idle_timeout.timeout_seconds]: '9000' must be an integer from 1 to 4000",
        ),
        ({"attributes": {"load_balancing.cross_zone.enabled": "false"}}, "must be one of true"),
        (
            {"attributes": {"dns_record.client_routing_policy": "any_availability_zone"}},
            "spec.attributes[dns_record.client_routing_policy]: not a load balancer attribute "
            "ALB has",
        ),
        (
            {"attributes": {"access_logs.s3.enabled": "true"}},
            "spec.attributes[access_logs.s3.bucket]: required when access_logs.s3.enabled is true",
        ),
        (
            {"tags": {"awsgw.io/gateway": "x"}},
            "spec.tags[awsgw.io/gateway]: keys starting with awsgw.io/ and aws: are reserved",
        ),
        (
            {"listeners": [{"port": 443, "alpnPolicy": "HTTP2Only"}]},
            "spec.listeners[0].alpnPolicy: not supported by ALB",
        ),
        (
            {"listeners": [{"port": 80, "sslPolicy": "ELBSecurityPolicy-2016-08"}]},
            "spec.listeners[0].port: 80 is not the port of a TLS listener of Gateway infra/gw",
        ),
        (
            {"listeners": [{"port": 443, "sslPolicy": "TLS13"}]},
            "spec.listeners[0].sslPolicy: String should match pattern",
        ),
    ],  # fmt: skip
    ids=lambda v: "" if isinstance(v, dict) else v[:40],
)
def test_a_configuration_that_says_something_wrong_names_the_field(
    spec: dict[str, Any], expected: str
) -> None:
    listeners = [listener(), listener("https", port=443, protocol="HTTPS", certs=[])]
    att = state(configuration("prod", spec), gw({**CONFIG, "name": "prod"}, listeners))
    ok, reason, message = accepted(att)
    assert (ok, reason) == (False, "InvalidParameters")
    assert expected in message, message
    assert message.startswith(f"LoadBalancerConfiguration {INFRA}/prod spec.") or (
        "required when" in message
    )


def test_the_gateway_wins_field_by_field_over_its_class() -> None:
    defaults = configuration(
        "defaults",
        {"scheme": "internal", "attributes": {"idle_timeout.timeout_seconds": "120",
         "routing.http2.enabled": "false"}, "tags": {"team": "platform", "cost": "1"},
         "listeners": [{"port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}]},
        namespace="platform",
    )  # fmt: skip
    own = configuration(
        "prod", {"scheme": "internet-facing", "attributes": {"idle_timeout.timeout_seconds": "30"},
                 "tags": {"team": "shop"}},
    )  # fmt: skip
    gc = classed({**CONFIG, "name": "defaults", "namespace": "platform"})
    listeners = [listener(), listener("https", port=443, protocol="HTTPS", certs=[])]
    att = state(gc, defaults, own, gw({**CONFIG, "name": "prod"}, listeners), with_class=False)
    assert att.classes["alb"].accepted.ok
    p = params(att)
    assert p.scheme == "internet-facing"
    assert dict(p.attributes) == {
        "idle_timeout.timeout_seconds": "30",
        "routing.http2.enabled": "false",
    }
    assert dict(p.tags) == {"team": "shop", "cost": "1"}
    assert p.listener(443) is not None
    assert p.listener(443).ssl_policy == "ELBSecurityPolicy-TLS13-1-3-2021-06"  # type: ignore[union-attr]


def test_a_class_whose_configuration_is_missing_is_not_accepted() -> None:
    gc = classed({**CONFIG, "name": "defaults", "namespace": "platform"})
    att = state(gc, gw(), with_class=False)
    cls = att.classes["alb"].accepted
    assert (cls.ok, cls.reason) == (False, "InvalidParameters")
    assert "LoadBalancerConfiguration platform/defaults not found" in cls.message
    assert not accepted(att)[0]


def test_a_class_reference_needs_a_namespace() -> None:
    att = state(classed({**CONFIG, "name": "defaults"}), gw(), with_class=False)
    assert "spec.parametersRef.namespace: required" in att.classes["alb"].accepted.message


def test_a_configuration_scheme_wins_over_the_annotation_and_says_so() -> None:
    cfg = configuration("prod", {"scheme": "internet-facing"})
    att = state(cfg, gw({**CONFIG, "name": "prod"}, annotations={"awsgw.io/scheme": "internal"}))
    ok, _, message = accepted(att)
    assert ok
    assert "the scheme internet-facing of LoadBalancerConfiguration infra/prod wins over " \
        "metadata.annotations[awsgw.io/scheme] (internal)" in message  # fmt: skip


def test_vpc_lattice_refuses_fields_it_cannot_have() -> None:
    cfg = configuration("prod", {"scheme": "internal"})
    lattice = gateway_class("lattice", "awsgw.io/lattice")
    att = state(lattice, cfg, gw({**CONFIG, "name": "prod"}, class_name="lattice"))
    ok, reason, message = accepted(att)
    assert (ok, reason) == (False, "InvalidParameters")
    assert message.endswith("spec.scheme: not supported by VPC Lattice"), message

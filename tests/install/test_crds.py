"""The chart's CRDs (charts/awsgw/crds/) describe exactly what awsgw reads: the fields, enums
and patterns of its models; and each CRD is a structural schema the API server accepts."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import yaml

from awsgw.objects import ListenerSettings, LoadBalancerSettings

CRDS = Path(__file__).resolve().parents[2] / "charts" / "awsgw" / "crds"


def schema(name: str) -> dict[str, Any]:
    crd = yaml.safe_load((CRDS / f"{name}.yaml").read_text())
    [version] = crd["spec"]["versions"]
    spec: dict[str, Any] = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    return spec


def aliases(model: type[Any]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def literal_values(model: type[Any], field: str) -> list[str]:
    annotation = model.model_fields[field].annotation
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            return list(typing.get_args(arg))
    raise AssertionError(f"{field} has no Literal")


def test_the_configuration_crd_has_the_fields_of_the_model() -> None:
    spec = schema("loadbalancerconfigurations.awsgw.io")
    props = spec["properties"]
    assert set(props) == aliases(LoadBalancerSettings)
    assert props["scheme"]["enum"] == literal_values(LoadBalancerSettings, "scheme")
    ip = literal_values(LoadBalancerSettings, "ip_address_type")
    assert props["ipAddressType"]["enum"] == ip
    listener = props["listeners"]["items"]["properties"]
    assert set(listener) == aliases(ListenerSettings)
    assert listener["alpnPolicy"]["enum"] == literal_values(ListenerSettings, "alpn_policy")
    assert set(props["subnets"]["properties"]) == {"ids", "tags"}


def _structural(node: dict[str, Any], where: str) -> list[str]:
    """Where a schema node breaks the structural rules (a type everywhere, no
    ``properties`` beside ``additionalProperties``)."""
    problems = []
    if "type" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
        problems.append(f"{where}: no type")
    if "properties" in node and "additionalProperties" in node:
        problems.append(f"{where}: properties and additionalProperties")
    for name, child in node.get("properties", {}).items():
        problems += _structural(child, f"{where}.{name}")
    if isinstance(node.get("items"), dict):
        problems += _structural(node["items"], f"{where}[]")
    if isinstance(node.get("additionalProperties"), dict):
        problems += _structural(node["additionalProperties"], f"{where}{{}}")
    return problems


def test_every_crd_is_structural() -> None:
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        assert crd["metadata"]["name"] == f"{crd['spec']['names']['plural']}.{crd['spec']['group']}"
        for version in crd["spec"]["versions"]:
            root = version["schema"]["openAPIV3Schema"]
            assert _structural(root, path.name) == []


def test_the_policy_crd_has_the_fields_of_the_model() -> None:
    from awsgw.objects import HealthCheckSettings, PolicyTargetReference, TargetGroupSettings

    props = schema("targetgrouppolicies.awsgw.io")["properties"]
    assert set(props) == aliases(TargetGroupSettings)
    assert set(props["targetRefs"]["items"]["properties"]) == aliases(PolicyTargetReference)
    assert set(props["healthCheck"]["properties"]) == aliases(HealthCheckSettings)
    versions = literal_values(TargetGroupSettings, "protocol_version")
    assert props["protocolVersion"]["enum"] == versions

"""A TargetGroupPolicy's health check on the VPC Lattice target group of a Service (Lattice's
own health check API); one UpdateTargetGroup per change; defaults back when it goes; what
Lattice target groups do not take is refused on the ancestor."""

from __future__ import annotations

from typing import Any

import yaml

from tests.providers.aws.lattice.support import LATTICE_CLASS, Cluster, gateway
from tests.providers.aws.lattice.test_provider import BACKENDS, ROUTE
from tests.support import condition


def policy(spec: dict[str, Any]) -> str:
    ref = {"group": "", "kind": "Service", "name": "v1"}
    doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "TargetGroupPolicy",
           "metadata": {"name": "v1", "namespace": "shop"},
           "spec": {"targetRefs": [ref], **spec}}  # fmt: skip
    return "---\n" + yaml.safe_dump(doc)


def health_of(cluster: Cluster) -> dict[str, Any]:
    groups = cluster.lattice.list_target_groups()["items"]
    [tg] = [g for g in groups if g["name"].startswith("k8s-v1-")]
    found = cluster.lattice.get_target_group(targetGroupIdentifier=tg["id"])
    return dict(found["config"].get("healthCheck") or {})


STATE = LATTICE_CLASS + gateway() + ROUTE + BACKENDS


def test_a_policy_sets_the_lattice_health_check_in_place(cluster: Cluster) -> None:
    spec = {"healthCheck": {"path": "/healthz", "intervalSeconds": 10,
                            "matcher": {"httpCode": "200-299"}}}  # fmt: skip
    result = cluster.run(STATE + policy(spec))
    [ancestor] = result.statuses[("TargetGroupPolicy", "shop/v1")]["ancestors"]
    assert condition(ancestor, "Accepted")["status"] == "True", ancestor
    assert ancestor["controllerName"] == "awsgw.io/lattice"
    health = health_of(cluster)
    assert (health["path"], health["healthCheckIntervalSeconds"]) == ("/healthz", 10)
    assert health["matcher"] == {"httpCode": "200-299"} and health["healthyThresholdCount"] == 5
    cluster.run(STATE + policy(spec))
    assert cluster.aws.counter.writes == 0, cluster.aws.counter.write_calls()
    cluster.run(STATE + policy({"healthCheck": {"path": "/ready"}}))
    assert cluster.aws.counter.write_calls() == {"vpc-lattice:UpdateTargetGroup": 1}
    cluster.run(STATE)
    assert health_of(cluster)["path"] == "/", "the defaults are back"


def test_attributes_are_refused_on_a_lattice_ancestor(cluster: Cluster) -> None:
    result = cluster.run(STATE + policy({"attributes": {"stickiness.enabled": "true"}}))
    [ancestor] = result.statuses[("TargetGroupPolicy", "shop/v1")]["ancestors"]
    found = condition(ancestor, "Accepted")
    assert (found["status"], found["message"]) == (
        "False",
        "spec.attributes: not applied to VPC Lattice target groups",
    )


def configured(tags: dict[str, str] | None) -> str:
    """The mesh Gateway naming a LoadBalancerConfiguration with these tags (None: none)."""
    gw = gateway().replace(
        "  gatewayClassName: lattice\n",
        "  gatewayClassName: lattice\n  infrastructure: {parametersRef: {group: awsgw.io, "
        "kind: LoadBalancerConfiguration, name: mesh}}\n",
    )
    doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "LoadBalancerConfiguration",
           "metadata": {"name": "mesh", "namespace": "infra"},
           "spec": {"tags": tags} if tags else {}}  # fmt: skip
    return LATTICE_CLASS + gw + "---\n" + yaml.safe_dump(doc) + ROUTE + BACKENDS


def network_tags(cluster: Cluster) -> dict[str, str]:
    [network] = cluster.lattice.list_service_networks()["items"]
    found = cluster.lattice.list_tags_for_resource(resourceArn=network["arn"])
    return dict(found.get("tags") or {})


def test_a_configuration_tags_the_service_network_in_place(cluster: Cluster) -> None:
    result = cluster.run(configured({"team": "shop"}))
    gw = result.statuses[("Gateway", "infra/mesh")]
    assert condition(gw, "Accepted")["status"] == "True", gw
    assert network_tags(cluster)["team"] == "shop"
    cluster.run(configured({"team": "cart", "tier": "1"}))
    assert (network_tags(cluster)["team"], network_tags(cluster)["tier"]) == ("cart", "1")
    cluster.run(configured({"team": "cart", "tier": "1"}))
    assert cluster.aws.counter.writes == 0, cluster.aws.counter.write_calls()
    cluster.run(configured(None))
    tags = network_tags(cluster)
    assert "team" not in tags and "tier" not in tags and tags["awsgw.io/cluster"]

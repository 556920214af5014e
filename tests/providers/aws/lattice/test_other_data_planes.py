"""A pass over another data plane's Gateway leaves VPC Lattice alone: no Lattice call at
all, unless a tag-scoped read finds that Gateway's resources there (its class moved), which
go; the Lattice Gateways' networks stay."""

from __future__ import annotations

from typing import Any

from awsgw.core.store import Store
from awsgw.providers.aws.alb.capabilities import CONTROLLER as ALB_CONTROLLER
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.lattice.capabilities import CONTROLLER as LATTICE_CONTROLLER
from awsgw.reconcilers.gateways import PassResult, reconcile
from tests.providers.aws.lattice.support import LATTICE_CLASS, Cluster, gateway
from tests.support import GATEWAY_CLASS, NOW, condition, objects, service


def route(name: str, gateway_name: str) -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: infra}}
spec:
  parentRefs: [{{name: {gateway_name}}}]
  rules: [{{backendRefs: [{{name: app, port: 80}}]}}]
"""


def world(mover_class: str) -> str:
    mover = gateway("mover").replace(
        "gatewayClassName: lattice", f"gatewayClassName: {mover_class}"
    )
    backend = service("infra", "app", 80, ["10.0.9.1"])
    classes = LATTICE_CLASS + "\n---\n" + GATEWAY_CLASS
    return (
        classes
        + gateway("mesh")
        + mover
        + route("stays", "mesh")
        + route("moves", "mover")
        + backend
    )


def run(cluster: Cluster, text: str, only: str | None = None) -> PassResult:
    alb = AlbProvider(cluster.aws, cluster.name, cluster.vpc_id, wait_active=5)
    providers: dict[str, Any] = {LATTICE_CONTROLLER: cluster.provider(), ALB_CONTROLLER: alb}
    cluster.calls.clear()
    return reconcile(Store.of(objects(text)), providers, NOW, only)


def networks(cluster: Cluster) -> set[str]:
    return {n["name"] for n in cluster.lattice.list_service_networks()["items"]}


def test_a_pass_over_an_alb_gateway_makes_no_lattice_call(cluster: Cluster) -> None:
    text = world("alb")
    run(cluster, text)
    assert "CreateServiceNetwork" in cluster.calls
    result = run(cluster, text, only="infra/mover")
    assert not result.failed, result.failed
    assert cluster.calls == [], "not even a Lattice read"
    assert condition(result.statuses[("Gateway", "infra/mover")], "Programmed")["status"] == "True"


def test_a_gateway_moved_off_lattice_leaves_it(cluster: Cluster) -> None:
    run(cluster, world("lattice"))
    assert networks(cluster) == {"mesh", "mover"}
    result = run(cluster, world("alb"), only="infra/mover")
    assert not result.failed, result.failed
    assert networks(cluster) == {"mesh"}, "the moved Gateway's network only"
    assert "DeleteServiceNetwork" in cluster.calls
    assert condition(result.statuses[("Gateway", "infra/mover")], "Programmed")["status"] == "True"

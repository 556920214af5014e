"""Both providers from the registry in one pass: a Route on an ALB Gateway and a Lattice
Gateway gets each parent's verdict; a repeated pass writes nothing."""

from __future__ import annotations

from awsgw.core.store import Store
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.base import Provider
from awsgw.providers.registry import build_providers
from awsgw.reconcilers.gateways import reconcile, reconcile_all
from awsgw.settings import Settings
from tests.conftest import MotoVpc
from tests.providers.aws.lattice.support import LATTICE_CLASS, gateway, service_import
from tests.support import GATEWAY_CLASS, NOW, condition, objects, service

ALB_GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
"""
ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}, {name: mesh, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cart}}]
    backendRefs: [{group: multicluster.x-k8s.io, kind: ServiceImport, name: cart, port: 80}]
  - backendRefs: [{name: web, port: 80}]
"""
STATE = (
    GATEWAY_CLASS
    + LATTICE_CLASS
    + ALB_GATEWAY
    + gateway()
    + ROUTE
    + service("shop", "web", 80, ["10.0.5.1"])
    + service_import("shop", "cart")
)


def test_registry_serves_every_data_plane_side_by_side(aws_env: MotoVpc) -> None:
    aws = Aws.create(max_attempts=1)
    settings = Settings(cluster_name=aws_env.cluster, vpc_id=aws_env.vpc_id)
    providers = build_providers(aws, settings, aws_env.cluster, wait_active=5)
    assert set(providers) == {"awsgw.io/alb", "awsgw.io/nlb", "awsgw.io/lattice"}
    result = reconcile_all(Store.of(objects(STATE)), providers, NOW)
    assert result.failed == []
    parents = {
        p["controllerName"]: p for p in result.statuses[("HTTPRoute", "shop/both")]["parents"]
    }
    alb, lattice = parents["awsgw.io/alb"], parents["awsgw.io/lattice"]
    assert condition(alb, "ResolvedRefs")["reason"] == "InvalidKind"  # ALB: as before
    assert condition(lattice, "ResolvedRefs")["reason"] == "BackendNotFound"  # nobody exports
    for gw in ("infra/web", "infra/mesh"):
        assert condition(result.statuses[("Gateway", gw)], "Programmed")["status"] == "True"
    aws.counter.reset()
    reconcile_all(Store.of(objects(STATE)), build_providers(aws, settings, aws_env.cluster), NOW)
    assert aws.counter.writes == 0, aws.counter.write_calls()


def test_a_pass_for_one_gateway_leaves_the_other_providers_gateways_alone(
    aws_env: MotoVpc,
) -> None:
    """One Gateway's pass asks every provider about it: the provider that does not serve
    it owns nothing of it and must neither touch it nor report it deleted (its finalizer
    would go); a Gateway moved to the other class loses its old resources but stays."""
    aws = Aws.create(max_attempts=1)
    settings = Settings(cluster_name=aws_env.cluster, vpc_id=aws_env.vpc_id)

    def providers() -> dict[str, Provider]:
        return build_providers(aws, settings, aws_env.cluster, wait_active=5)

    store = Store.of(objects(STATE))
    reconcile_all(store, providers(), NOW)
    for key in ("infra/web", "infra/mesh"):
        aws.counter.reset()
        result = reconcile(store, providers(), NOW, only=key)
        assert (result.deleted, result.failed) == ([], [])
        assert aws.counter.writes == 0, aws.counter.write_calls()
    moved = Store.of(objects(STATE.replace("gatewayClassName: alb", "gatewayClassName: lattice")))
    result = reconcile(moved, providers(), NOW, only="infra/web")
    assert result.deleted == [], "still served (by VPC Lattice): the finalizer stays"
    assert aws.client("elbv2").describe_load_balancers()["LoadBalancers"] == []
    gone = Store.of(objects(GATEWAY_CLASS + LATTICE_CLASS + gateway()))
    assert reconcile(gone, providers(), NOW, only="infra/web").deleted == ["infra/web"]

"""TLSRoutes on VPC Lattice: a TLS passthrough listener of a Lattice Gateway becomes, per
TLSRoute, a service whose custom domain is the Route's one exact hostname (Lattice routes a
connection by its SNI to it) with a ``TLS_PASSTHROUGH`` listener forwarding to TCP target
groups; Lattice's limits are told in the Route's status. Judged from Lattice state."""

from __future__ import annotations

from awsgw.providers.aws.lattice.evaluate import connect
from tests.providers.aws.lattice.support import LATTICE_CLASS, Cluster, dns, gateway, ips
from tests.support import condition, stream_service

TLS = (
    "  - name: tls\n    port: 443\n    protocol: TLS\n    tls: {mode: Passthrough}\n"
    "    allowedRoutes: {namespaces: {from: All}}\n"
)
BACKENDS = stream_service("shop", "vault", 8200, ["10.0.8.1"], target_port=8200) + stream_service(
    "shop", "vault-canary", 8200, ["10.0.8.2"], target_port=8200
)


def tls_route(name: str, hostnames: str, backends: str) -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {{name: {name}, namespace: shop}}
spec:
  parentRefs: [{{name: mesh, namespace: infra}}]
  hostnames: {hostnames}
  rules: [{{backendRefs: {backends}}}]
"""


VAULT = tls_route(
    "vault",
    "[vault.example.com]",
    "[{name: vault, port: 8200, weight: 3}, {name: vault-canary, port: 8200, weight: 1}]",
)
WORLD = LATTICE_CLASS + gateway(listeners=TLS) + BACKENDS


def parent_of(result, name: str) -> dict:
    [parent] = result.statuses[("TLSRoute", f"shop/{name}")]["parents"]
    return parent


def test_a_tls_route_is_a_passthrough_service_on_its_hostname(cluster: Cluster) -> None:
    result = cluster.run(WORLD + VAULT)
    assert not result.failed
    parent = parent_of(result, "vault")
    assert condition(parent, "Accepted")["status"] == "True", parent
    assert dns(result, "shop/vault", "TLSRoute")
    [svc] = cluster.lattice.list_services()["items"]
    assert svc["customDomainName"] == "vault.example.com"
    [listener] = cluster.lattice.list_listeners(serviceIdentifier=svc["id"])["items"]
    assert (listener["protocol"], listener["port"]) == ("TLS_PASSTHROUGH", 443)
    groups = cluster.lattice.list_target_groups()["items"]
    assert {g["protocol"] for g in groups} == {"TCP"}
    outcome = connect(cluster.lattice, cluster.vpc_id, "vault.example.com", 443)
    assert outcome.action == "forward" and outcome.status == 200
    weights = {tuple(targets): w for _, w, targets in outcome.targets}
    assert weights == {("10.0.8.1:8200",): 3, ("10.0.8.2:8200",): 1}
    assert connect(cluster.lattice, cluster.vpc_id, "other.example.com", 443).action == (
        "unreachable"
    )
    cluster.run(WORLD + VAULT)
    assert cluster.writes() == [], cluster.writes()


def test_lattice_limits_are_told_in_the_route_status(cluster: Cluster) -> None:
    wildcard = tls_route("wild", '["*.example.com"]', "[{name: vault, port: 8200}]")
    two = tls_route("two", "[a.example.com, b.example.com]", "[{name: vault, port: 8200}]")
    none = tls_route("none", "[]", "[{name: vault, port: 8200}]")
    taken = tls_route("taken", "[vault.example.com]", "[{name: vault, port: 8200}]")
    result = cluster.run(WORLD + VAULT + wildcard + two + none + taken)
    for name, words in (
        ("wild", "*.example.com"),
        ("two", "a.example.com, b.example.com"),
        ("none", "no hostname"),
        ("taken", "already the custom domain of TLSRoute shop/vault"),
    ):
        accepted = condition(parent_of(result, name), "Accepted")
        assert accepted["status"] == "False", (name, accepted)
        assert words in accepted["message"], (name, accepted)
    assert len(cluster.lattice.list_services()["items"]) == 1


def test_tls_termination_is_refused_on_lattice(cluster: Cluster) -> None:
    terminate = TLS.replace(
        "{mode: Passthrough}", "{mode: Terminate, certificateRefs: [{name: x}]}"
    )
    result = cluster.run(LATTICE_CLASS + gateway(listeners=terminate) + BACKENDS + VAULT)
    [listener] = result.statuses[("Gateway", "infra/mesh")]["listeners"]
    accepted = condition(listener, "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "UnsupportedValue")
    assert "Terminate" in accepted["message"]


def test_a_changed_backend_moves_the_default_forward_in_place(cluster: Cluster) -> None:
    cluster.run(WORLD + VAULT)
    moved = tls_route("vault", "[vault.example.com]", "[{name: vault-canary, port: 8200}]")
    cluster.run(WORLD + moved)
    assert "UpdateListener" in cluster.writes(), cluster.writes()
    assert "DeleteListener" not in cluster.writes()
    outcome = connect(cluster.lattice, cluster.vpc_id, "vault.example.com", 443)
    assert ips(outcome) == {"10.0.8.2:8200"}
    cluster.run(LATTICE_CLASS)  # the Gateway is gone: its services and groups go
    assert cluster.lattice.list_services()["items"] == []


def test_lattice_gateways_take_no_listener_sets(cluster: Cluster) -> None:
    admitting = gateway(listeners=TLS).replace(
        "  gatewayClassName: lattice\n",
        "  gatewayClassName: lattice\n  allowedListeners: {namespaces: {from: All}}\n",
    )
    listener_set = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: extra, namespace: shop}
spec:
  parentRef: {name: mesh, namespace: infra}
  listeners: [{name: web, port: 80, protocol: HTTP}]
"""
    result = cluster.run(LATTICE_CLASS + admitting + BACKENDS + listener_set)
    accepted = condition(result.statuses[("ListenerSet", "shop/extra")], "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "NotAllowed")
    assert "takes no ListenerSets" in accepted["message"]

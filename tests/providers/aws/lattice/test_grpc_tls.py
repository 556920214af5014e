"""GRPCRoutes on Lattice HTTPS listeners, custom domains with certificates, and Routes on
several Lattice Gateways."""

from __future__ import annotations

from typing import Any

import yaml

from awsgw.providers.aws.common.certificates import KEY_TYPES
from tests.certs import self_signed_secret
from tests.providers.aws.lattice.support import LATTICE_CLASS, Cluster, dns, gateway, ips
from tests.support import condition, service

HTTPS = (
    "  - name: https\n    port: 443\n    protocol: HTTPS\n"
    "    tls: {certificateRefs: [{name: site, namespace: infra}]}\n"
    "    allowedRoutes: {namespaces: {from: All}}\n"
)
HTTP = "  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}\n"
SECRET = "---\n" + yaml.safe_dump(self_signed_secret("infra", "site", ["*.example.com"]))
BACKENDS = service("shop", "grpc", 50051, ["10.0.4.1"], target_port=50051) + service(
    "shop", "web", 80, ["10.0.5.1"]
)
GRPC_ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - matches:
    - method: {service: echo.Echo, method: Say}
      headers: [{name: x-tenant, value: blue}]
    backendRefs: [{name: grpc, port: 50051}]
  - matches: [{method: {service: echo.Admin}}]
    backendRefs: [{name: grpc, port: 50051, weight: 1}]
  - backendRefs: [{name: web, port: 80}]
"""
STATE = LATTICE_CLASS + gateway(listeners=HTTPS + HTTP) + SECRET + BACKENDS + GRPC_ROUTE


def parent(result: Any, key: str = "shop/echo", kind: str = "GRPCRoute") -> Any:
    return result.statuses[(kind, key)]["parents"][0]


def test_grpc_route_becomes_a_service_on_the_https_listener(cluster: Cluster) -> None:
    result = cluster.run(STATE)
    assert condition(parent(result), "Accepted")["status"] == "True"
    host = dns(result, "shop/echo", kind="GRPCRoute")
    say = cluster.send(
        host, "/echo.Echo/Say", method="POST", port=443, headers=(("x-tenant", "blue"),)
    )
    assert ips(say) == {"10.0.4.1:50051"}
    assert ips(cluster.send(host, "/echo.Admin/Stop", method="POST", port=443)) == {
        "10.0.4.1:50051"
    }
    assert ips(cluster.send(host, "/echo.Echo/Say", method="POST", port=443)) == {"10.0.5.1:8080"}
    assert cluster.send(host, "/", port=80).status == 0  # GRPCRoutes ride HTTPS listeners only
    [svc] = cluster.lattice.list_services()["items"]
    [listener] = cluster.lattice.list_listeners(serviceIdentifier=svc["id"])["items"]
    assert (listener["port"], listener["protocol"]) == (443, "HTTPS")
    groups = {g["name"]: g for g in cluster.lattice.list_target_groups()["items"]}
    grpc = next(g for n, g in groups.items() if n.startswith("k8s-grpc-"))
    config = cluster.lattice.get_target_group(targetGroupIdentifier=grpc["id"])["config"]
    assert config["protocolVersion"] == "GRPC"
    gw = result.statuses[("Gateway", "infra/mesh")]
    assert {ls["name"]: ls["attachedRoutes"] for ls in gw["listeners"]} == {"https": 1, "http": 0}


def test_grpc_method_without_service_is_refused(cluster: Cluster) -> None:
    refused = GRPC_ROUTE.replace("{service: echo.Admin}", "{method: Stop}")
    result = cluster.run(STATE.replace(GRPC_ROUTE, refused))
    assert (
        "needs both service and method" in condition(parent(result), "PartiallyInvalid")["message"]
    )


def test_grpc_route_is_not_allowed_on_an_http_only_gateway(cluster: Cluster) -> None:
    result = cluster.run(LATTICE_CLASS + gateway(listeners=HTTP) + BACKENDS + GRPC_ROUTE)
    assert condition(parent(result), "Accepted")["reason"] == "NotAllowedByListeners"


def test_hostname_on_https_gives_a_custom_domain_with_the_listener_certificate(
    cluster: Cluster,
) -> None:
    route = GRPC_ROUTE.replace("  parentRefs:", "  hostnames: [echo.example.com]\n  parentRefs:")
    cluster.run(STATE.replace(GRPC_ROUTE, route))
    [svc] = cluster.lattice.list_services()["items"]
    full = cluster.lattice.get_service(serviceIdentifier=svc["id"])
    assert full["customDomainName"] == "echo.example.com"
    acm = cluster.aws.client("acm")
    [cert] = acm.list_certificates(Includes=KEY_TYPES)["CertificateSummaryList"]
    assert full["certificateArn"] == cert["CertificateArn"]
    tags = {
        t["Key"]: t["Value"]
        for t in acm.list_tags_for_certificate(CertificateArn=cert["CertificateArn"])["Tags"]
    }
    assert tags["awsgw.io/certificate-for"] == "lattice"
    cluster.run(STATE.replace(GRPC_ROUTE, route))
    assert cluster.aws.counter.writes == 0
    cluster.run(LATTICE_CLASS)
    assert acm.list_certificates(Includes=KEY_TYPES)["CertificateSummaryList"] == []


def test_route_on_two_gateways_of_one_network_is_one_service(cluster: Cluster) -> None:
    second = gateway(name="mesh-b", listeners=HTTP).replace(
        "metadata: {name: mesh-b, namespace: infra}",
        "metadata: {name: mesh-b, namespace: infra, annotations: "
        "{awsgw.io/lattice-service-network: mesh}}",
    )
    http_route = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra, sectionName: https}, {name: mesh-b, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""
    result = cluster.run(
        LATTICE_CLASS + gateway(listeners=HTTPS) + second + SECRET + BACKENDS + http_route
    )
    parents = result.statuses[("HTTPRoute", "shop/web")]["parents"]
    assert [condition(p, "Accepted")["status"] for p in parents] == ["True", "True"]
    [svc] = cluster.lattice.list_services()["items"]
    ports = {
        ls["port"] for ls in cluster.lattice.list_listeners(serviceIdentifier=svc["id"])["items"]
    }
    assert ports == {80, 443}
    links = cluster.lattice.list_service_network_service_associations(serviceIdentifier=svc["id"])
    assert len(links["items"]) == 1
    host = dns(result, "shop/web")
    assert (
        ips(cluster.send(host, port=80)) == ips(cluster.send(host, port=443)) == {"10.0.5.1:8080"}
    )

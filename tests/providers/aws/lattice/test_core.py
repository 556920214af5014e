"""The core's per-controller capability table: Lattice classes accept GRPCRoutes (on HTTPS
listeners) and ServiceImport backends; ALB classes refuse both exactly as before."""

from __future__ import annotations

from typing import Any

from awsgw.core.attach import attach
from awsgw.core.model import Match
from awsgw.core.status import class_statuses
from awsgw.core.store import Store
from awsgw.core.translate import build_model, grpc_match
from awsgw.objects import GRPCMethodMatch, GRPCRouteMatch, HTTPHeaderMatch
from awsgw.providers.aws.alb.capabilities import ALB
from awsgw.providers.aws.lattice.capabilities import FEATURES as LATTICE_SUPPORTED
from awsgw.providers.aws.lattice.capabilities import LATTICE
from awsgw.providers.registry import CATALOG
from tests.core.builders import attached_routes, route_ref
from tests.support import objects

NOW = "2026-01-01T00:00:00Z"


def world(controller: str, listeners: str, route: str) -> Store:
    return Store.of(
        objects(
            f"""
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {{name: c}}
spec: {{controllerName: {controller}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: ns}}
spec:
  gatewayClassName: c
  listeners:
{listeners}
---
apiVersion: v1
kind: Service
metadata: {{name: svc, namespace: ns}}
spec: {{ports: [{{port: 80}}]}}
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata: {{name: imported, namespace: ns}}
spec: {{ports: [{{port: 80}}]}}
{route}"""
        )
    )


HTTP = "  - {name: http, port: 80, protocol: HTTP}"
HTTPS = "  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: missing}]}}"
GRPC = """---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: ns}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: svc, port: 80}]}]
"""
IMPORT_ROUTE = """---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{group: multicluster.x-k8s.io, kind: ServiceImport, name: imported, port: 80}]
"""


def parent(att: Any, route: str) -> Any:
    return att.route_parents[route_ref(route)][0]


def test_lattice_class_is_accepted_with_its_features() -> None:
    store = world("awsgw.io/lattice", HTTP, "")
    status = class_statuses(attach(store, CATALOG), NOW)["c"]
    assert status["conditions"][0]["status"] == "True"
    assert status["conditions"][0]["message"] == "Accepted by awsgw (VPC Lattice)"
    assert [f["name"] for f in status["supportedFeatures"]] == list(LATTICE_SUPPORTED)
    assert "GRPCRoute" in LATTICE_SUPPORTED


def test_alb_refuses_grpc_routes_on_http_listeners_and_service_imports() -> None:
    att = attach(world("awsgw.io/alb", HTTP, GRPC + IMPORT_ROUTE), CATALOG)
    accepted = parent(att, "GRPCRoute ns/g").accepted
    assert accepted[1] == "NotAllowedByListeners"
    assert "only on HTTPS listeners" in accepted[2]
    resolved = parent(att, "ns/r").resolved
    assert resolved[:2] == (False, "InvalidKind")
    assert resolved[2].endswith("only core Services are supported")
    kinds = (
        "  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: GRPCRoute}]}}"
    )
    listener = attach(world("awsgw.io/alb", kinds, ""), CATALOG).gateways["ns/gw"].listeners[0]
    assert listener.resolved[1] == "InvalidRouteKinds"
    assert "no cleartext HTTP/2" in listener.resolved[2]
    assert ALB.route_kinds == {"HTTP": ("HTTPRoute",), "HTTPS": ("HTTPRoute", "GRPCRoute")}


def test_lattice_takes_grpc_routes_on_https_listeners_only() -> None:
    on_http = attach(world("awsgw.io/lattice", HTTP, GRPC), CATALOG)
    assert parent(on_http, "GRPCRoute ns/g").accepted[1] == "NotAllowedByListeners"
    on_https = attach(world("awsgw.io/lattice", HTTPS, GRPC), CATALOG)
    assert parent(on_https, "GRPCRoute ns/g").accepted[0] is True
    kinds = on_https.gateways["ns/gw"].listeners[0].supported_kinds
    assert [k.kind for k in kinds] == list(LATTICE.route_kinds["HTTPS"])


def test_lattice_resolves_service_import_backends() -> None:
    att = attach(world("awsgw.io/lattice", HTTP, IMPORT_ROUTE), CATALOG)
    assert parent(att, "ns/r").resolved[0] is True
    model = build_model(att.gateways["ns/gw"], att, Store())
    [rule] = model.ports[0].groups[0].rules
    [backend] = rule.action.backends
    assert backend.backend is not None and backend.backend.kind == "ServiceImport"
    assert str(backend.backend) == "ServiceImport ns/imported:80"
    assert model.targets == {backend.backend: ()}


def test_missing_service_import_or_port_is_backend_not_found() -> None:
    route = IMPORT_ROUTE.replace("name: imported, port: 80", "name: imported, port: 81")
    assert parent(attach(world("awsgw.io/lattice", HTTP, route), CATALOG), "ns/r").resolved[1:] == (
        "BackendNotFound",
        "backendRef multicluster.x-k8s.io/ServiceImport ns/imported: ServiceImport has no port 81",
    )
    route = IMPORT_ROUTE.replace("name: imported", "name: nowhere")
    assert (
        "ServiceImport not found"
        in parent(attach(world("awsgw.io/lattice", HTTP, route), CATALOG), "ns/r").resolved[2]
    )


def test_an_http_and_a_grpc_route_may_share_a_name() -> None:
    http = GRPC.replace("kind: GRPCRoute", "kind: HTTPRoute")
    att = attach(world("awsgw.io/lattice", HTTPS, GRPC + http), CATALOG)
    assert set(att.route_parents) == {route_ref("GRPCRoute ns/g"), route_ref("ns/g")}
    assert attached_routes(att, "https", "ns/gw") == 2  # each is a service of its own


def test_an_http_and_a_grpc_route_with_one_hostname_on_lattice_conflict() -> None:
    named = GRPC.replace(
        "  parentRefs: [{name: gw}]", "  parentRefs: [{name: gw}]\n  hostnames: [a.example.com]"
    )
    http = named.replace("kind: GRPCRoute", "kind: HTTPRoute")
    att = attach(world("awsgw.io/lattice", HTTPS, http + named), CATALOG)
    assert parent(att, "ns/g").accepted[0] is True
    assert parent(att, "GRPCRoute ns/g").accepted[1] == "HostnameConflict"


def test_grpc_matches_become_http2_paths() -> None:
    def m(**kw: Any) -> Match:
        return grpc_match(GRPCRouteMatch(method=GRPCMethodMatch(**kw) if kw else None))

    assert m(service="a.B", method="C") == Match("Exact", "/a.B/C")
    assert m(service="a.B") == Match("PathPrefix", "/a.B")
    assert m(method="C") == Match("GRPCMethod", "/C")
    assert m(type="RegularExpression", service="a.*").path == "/a.*/[^/]+"
    assert m() == Match("PathPrefix", "/")
    headers = grpc_match(GRPCRouteMatch(headers=[HTTPHeaderMatch(name="x", value="y")]))
    assert headers.headers[0].name == "x"

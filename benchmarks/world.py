"""The world the scale benchmarks use: one Gateway is one ALB with R HTTPRoutes of two rules
each, 8 Services per namespace with an EndpointSlice each; every Gateway in its own
namespace ``team<g>``."""

from __future__ import annotations

from typing import Any

from awsgw.core.store import Store
from awsgw.manifests import parse_document
from awsgw.objects import KubeObject

SERVICES = 8
GATEWAY_API = "gateway.networking.k8s.io/v1"


def documents(gateways: int, routes: int) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": GATEWAY_API,
            "kind": "GatewayClass",
            "metadata": {"name": "alb"},
            "spec": {"controllerName": "awsgw.io/alb"},
        }
    ]
    for g in range(gateways):
        ns = f"team{g}"
        listener = {"name": "http", "port": 80, "protocol": "HTTP"}
        docs.append(
            {
                "apiVersion": GATEWAY_API,
                "kind": "Gateway",
                "metadata": {"name": "web", "namespace": ns},
                "spec": {"gatewayClassName": "alb", "listeners": [listener]},
            }
        )
        for s in range(SERVICES):
            docs.append(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": f"svc{s}", "namespace": ns},
                    "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
                }
            )
            docs.append(
                {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": f"svc{s}-a",
                        "namespace": ns,
                        "labels": {"kubernetes.io/service-name": f"svc{s}"},
                    },
                    "addressType": "IPv4",
                    "ports": [{"name": "http", "port": 8080}],
                    "endpoints": [{"addresses": [f"10.{g % 250}.{s}.1"]}],
                }
            )
        for r in range(routes):
            prefix = {"path": {"type": "PathPrefix", "value": "/api"}}
            docs.append(
                {
                    "apiVersion": GATEWAY_API,
                    "kind": "HTTPRoute",
                    "metadata": {"name": f"r{r}", "namespace": ns},
                    "spec": {
                        "parentRefs": [{"name": "web"}],
                        "hostnames": [f"r{r}.example.com"],
                        "rules": [
                            {"matches": [prefix],
                             "backendRefs": [{"name": f"svc{r % SERVICES}", "port": 80}]},
                            {"backendRefs": [{"name": f"svc{(r + 1) % SERVICES}", "port": 80}]},
                        ],
                    },
                }
            )  # fmt: skip
    return docs


def store_of(gateways: int, routes: int) -> Store:
    objects: list[KubeObject] = []
    for i, doc in enumerate(documents(gateways, routes)):
        obj = parse_document(doc, f"document {i}")
        assert obj is not None
        obj._order = i
        objects.append(obj)
    return Store.of(objects)

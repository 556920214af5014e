"""How pure planning (attach + model + ALB plan of every Gateway) grows with the world.

Run: ``.venv/bin/python benchmarks/scale.py``. One Gateway is one ALB with R HTTPRoutes of
two rules each, 8 Services per namespace with an EndpointSlice each; every Gateway in its
own namespace. Prints seconds per world (best of three) and the ratios that matter: ten
times the Routes per Gateway, ten times the Gateways.
"""

from __future__ import annotations

import time
from typing import Any

from awsgw.core.attach import attach
from awsgw.core.store import Store
from awsgw.core.translate import build_model
from awsgw.manifests import parse_document
from awsgw.objects import KubeObject
from awsgw.providers.aws.alb.plan.compile import compile_alb
from awsgw.providers.registry import CATALOG
from awsgw.reconcilers.heap import frozen_heap

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


def plan_every_gateway(store: Store) -> int:
    """Attach, model and plan every Gateway as a pass does (heap frozen); the ALB rules."""
    with frozen_heap():
        attachment = attach(store, CATALOG)
        rules = 0
        for gws in attachment.gateways.values():
            spec = compile_alb(build_model(gws, attachment, store), "bench")
            rules += sum(len(ls.rules) for ls in spec.listeners)
    return rules


def seconds(gateways: int, routes: int, runs: int = 3) -> float:
    store = store_of(gateways, routes)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        plan_every_gateway(store)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print("| Gateways | Routes each | Routes | planning s |")
    print("| --- | --- | --- | --- |")
    figures = {}
    for gateways, routes in ((10, 100), (10, 1000), (100, 10), (1000, 10)):
        figures[(gateways, routes)] = seconds(gateways, routes)
        print(
            f"| {gateways} | {routes} | {gateways * routes} | {figures[(gateways, routes)]:.3f} |"
        )
    more_routes = figures[(10, 1000)] / figures[(10, 100)]
    more_gateways = figures[(1000, 10)] / figures[(100, 10)]
    print(f"\nRoutes per Gateway x10: x{more_routes:.1f}; Gateways x10: x{more_gateways:.1f}")


if __name__ == "__main__":
    main()

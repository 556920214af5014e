"""AWS reads and writes per reconcile step for one Gateway with 40 HTTPRoutes (moto).

Run: ``.venv/bin/python benchmarks/alb_steps.py``. Each step is one full reconcile pass; the
"least" column is the fewest writes the ELBv2/EC2 APIs allow for that change.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moto import mock_aws  # noqa: E402

from awsgw.core.store import Store  # noqa: E402
from awsgw.embedded import make_vpc  # noqa: E402
from awsgw.providers.aws.alb.capabilities import CONTROLLER as ALB_CONTROLLER  # noqa: E402
from awsgw.providers.aws.alb.provider import AlbProvider  # noqa: E402
from awsgw.providers.aws.common.session import Aws  # noqa: E402
from awsgw.reconcilers.gateways import reconcile_all  # noqa: E402
from awsgw.testing.moto import install  # noqa: E402
from tests.support import GATEWAY_CLASS, objects, service  # noqa: E402

ROUTES = 40
SERVICES = 8
CLUSTER = "bench"

GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: apps}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
"""


def route(i: int, svc: int) -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: r{i:02d}, namespace: apps}}
spec:
  parentRefs: [{{name: web}}]
  hostnames: [r{i:02d}.example.com]
  rules:
  - matches: [{{path: {{type: PathPrefix, value: /api}}}}]
    backendRefs: [{{name: svc{svc}, port: 80}}]
"""


def state(routes: dict[int, int]) -> str:
    text = GATEWAY_CLASS + GATEWAY
    for s in range(SERVICES):
        text += service("apps", f"svc{s}", 80, [f"10.0.{s}.{n}" for n in range(1, 4)])
    for i, svc in sorted(routes.items()):
        text += route(i, svc)
    return text


def main() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    install()
    routes = {i: i % SERVICES for i in range(ROUTES)}
    create_least = 2 + 1 + SERVICES * 2 + 1 + ROUTES  # SG+ingress, LB, TG+targets, listener, rules
    steps = [
        ("create", dict(routes), create_least),
        ("repeat", dict(routes), 0),
        ("change one rule's backend", {**routes, 7: (routes[7] + 1) % SERVICES}, 1),
        ("add a route", {**routes, 7: (routes[7] + 1) % SERVICES, ROUTES: 0}, 1),
        ("delete a route", {k: v for k, v in routes.items() if k != 3} | {7: 0, ROUTES: 0}, 1),
    ]
    with mock_aws():
        vpc, _ = make_vpc(None, CLUSTER)
        aws = Aws.create(max_attempts=1)
        print(f"One Gateway, {ROUTES} HTTPRoutes over {SERVICES} Services (moto 5.2.5)\n")
        print(f"{'step':28} {'reads':>6} {'writes':>7} {'least':>6} {'ms':>7}  writes by call")
        for name, routes_now, least in steps:
            provider = AlbProvider(aws, CLUSTER, vpc, wait_active=5)
            aws.counter.reset()
            started = time.perf_counter()
            reconcile_all(
                Store.of(objects(state(routes_now))),
                {ALB_CONTROLLER: provider},
                "2026-01-01T00:00:00Z",
            )
            ms = (time.perf_counter() - started) * 1000
            calls = ", ".join(
                f"{k.split(':')[1]}={v}" for k, v in aws.counter.write_calls().items()
            )
            print(
                f"{name:28} {aws.counter.reads:6} {aws.counter.writes:7} {least:6} {ms:7.0f}  "
                f"{calls}"
            )


if __name__ == "__main__":
    main()

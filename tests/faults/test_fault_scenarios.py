"""Multi-step scenarios under 30% faults (throttling and lost answers on every service):
each step converges within ``MAX_RUNS`` runs of `awsgw reconcile`, a clean run after it
writes nothing, nothing is duplicated, and a teardown under faults leaves nothing owned.

`pytest tests/faults -s` prints the runs each step took."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from awsgw.embedded import make_vpc
from awsgw.providers.aws.alb.evaluate import load_listeners
from awsgw.providers.aws.common.requests import Request
from awsgw.testing.faults import FaultPlan, faulty_moto_server
from tests.certs import self_signed_secret
from tests.e2e.conftest import reset_moto
from tests.faults.support import MAX_RUNS, World
from tests.providers.aws.lattice.support import LATTICE_CLASS, export, gateway
from tests.support import GATEWAY_CLASS, condition, service

RATE = 0.3
CLUSTER = "faults"


@pytest.fixture(params=[11, 29], ids=["seed-11", "seed-29"])
def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast_retries: None,
) -> Iterator[World]:
    plan = FaultPlan.everywhere(RATE, seed=request.param)
    with faulty_moto_server(plan) as endpoint:
        plan.enabled = False
        reset_moto(endpoint)  # moto's state is per process: start from an empty account
        vpc, _ = make_vpc(endpoint, CLUSTER)
        w = World(endpoint, vpc, CLUSTER, plan, tmp_path)
        w.env(monkeypatch)
        yield w
        print(f"\n{request.node.name}: runs per step {w.runs_per_step}, faults {dict(plan.seen)}")


def alb_gateway(name: str = "web", listeners: str = "") -> str:
    listeners = listeners or "  - {name: http, port: 80, protocol: HTTP}\n"
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: {name}, namespace: shop}}
spec:
  gatewayClassName: alb
  listeners:
{listeners}"""


def route(name: str, hosts: str, backends: str, parents: str = "[{name: web}]") -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: shop}}
spec:
  parentRefs: {parents}
  hostnames: [{hosts}]
  rules:
  - matches: [{{path: {{type: PathPrefix, value: /cart}}}}]
    backendRefs: [{{name: v2, port: 80}}]
  - backendRefs: {backends}
"""


BACKENDS = (
    service("shop", "v1", 80, ["10.0.1.1", "10.0.1.2"])
    + service("shop", "v2", 80, ["10.0.2.1"])
    + service("shop", "v3", 80, ["10.0.3.1"])
)


def assert_clean(w: World) -> None:
    owned = w.owned()
    assert owned.duplicates() == []
    assert all(n == 1 for n in owned.load_balancers.values())


def assert_torn_down(w: World) -> None:
    owned = w.owned()
    assert owned.empty(), owned


def backends_of(w: World, host: str, path: str = "/") -> set[str]:
    """Where a request to port 80 lands on this cluster's load balancers."""
    lbs = w.elbv2.describe_load_balancers()["LoadBalancers"]
    tags = w.tags_of([lb["LoadBalancerArn"] for lb in lbs]) if lbs else {}
    mine = [lb for lb in lbs if tags[lb["LoadBalancerArn"]].get("awsgw.io/cluster") == CLUSTER]
    assert mine
    for lb in mine:
        listener = load_listeners(w.elbv2, lb["LoadBalancerArn"]).get(80)
        if listener is None:
            continue
        outcome = listener.evaluate(Request(host=host, path=path))
        if outcome.status == 200:
            return {t for _, weight, ts in outcome.targets if weight > 0 for t in ts}
    return set()


def test_http_routes_converge_and_tear_down_under_faults(world: World) -> None:
    base = GATEWAY_CLASS + alb_gateway() + BACKENDS
    one = route("store", "store.example.com", "[{name: v1, port: 80}]")
    world.converge(base + one, ["shop/web"])
    assert backends_of(world, "store.example.com") == {"10.0.1.1:8080", "10.0.1.2:8080"}
    assert_clean(world)
    two = route("shop", "shop.example.com", "[{name: v3, port: 80}]")
    world.converge(base + one + two, ["shop/web"])
    assert backends_of(world, "shop.example.com") == {"10.0.3.1:8080"}
    assert_clean(world)
    world.converge(base + two, ["shop/web"])  # a Route removed
    assert backends_of(world, "store.example.com") == set()
    assert_clean(world)
    world.converge(GATEWAY_CLASS, [])
    assert_torn_down(world)
    assert max(world.runs_per_step) <= MAX_RUNS


def test_weights_change_in_place_under_faults(world: World) -> None:
    base = GATEWAY_CLASS + alb_gateway() + BACKENDS
    split = "[{name: v1, port: 80, weight: 90}, {name: v2, port: 80, weight: 10}]"
    world.converge(base + route("store", "store.example.com", split), ["shop/web"])
    flipped = "[{name: v1, port: 80, weight: 10}, {name: v3, port: 80, weight: 90}]"
    world.converge(base + route("store", "store.example.com", flipped), ["shop/web"])
    assert backends_of(world, "store.example.com") == {
        "10.0.1.1:8080",
        "10.0.1.2:8080",
        "10.0.3.1:8080",
    }
    assert_clean(world)
    world.converge(GATEWAY_CLASS, [])
    assert_torn_down(world)


def test_https_from_secrets_converges_without_duplicate_certificates(world: World) -> None:
    https = (
        "  - name: https\n    port: 443\n    protocol: HTTPS\n"
        "    tls: {certificateRefs: [{name: site}]}\n"
        "  - name: other\n    port: 443\n    protocol: HTTPS\n    hostname: other.example.com\n"
        "    tls: {certificateRefs: [{name: other}]}\n"
    )

    def secret(name: str, hosts: list[str]) -> str:
        return "---\n" + yaml.safe_dump(self_signed_secret("shop", name, hosts))

    other = secret("other", ["other.example.com"])
    base = GATEWAY_CLASS + alb_gateway(listeners=https) + BACKENDS + other
    ref = route("store", "store.example.com", "[{name: v1, port: 80}]")
    world.converge(base + secret("site", ["site.example.com"]) + ref, ["shop/web"])
    assert_clean(world)
    assert len(world.owned().certificates) == 2
    world.converge(base + secret("site", ["renewed.example.com"]) + ref, ["shop/web"])
    assert_clean(world)
    assert len(world.owned().certificates) == 2  # the replaced one and any lost import go
    world.converge(GATEWAY_CLASS, [])
    assert_torn_down(world)


def test_two_gateways_sharing_a_route_converge_under_faults(world: World) -> None:
    base = GATEWAY_CLASS + alb_gateway("web") + alb_gateway("edge") + BACKENDS
    shared = route(
        "store", "store.example.com", "[{name: v1, port: 80}]", "[{name: web}, {name: edge}]"
    )
    run = world.converge(base + shared, ["shop/web", "shop/edge"])
    parents = run.statuses[("HTTPRoute", "shop/store")]["parents"]
    assert sorted(p["parentRef"]["name"] for p in parents) == ["edge", "web"]
    assert all(condition(p, "Accepted")["status"] == "True" for p in parents)
    owned = world.owned()
    assert sorted(owned.load_balancers) == ["shop/edge", "shop/web"]
    assert owned.duplicates() == []
    world.converge(GATEWAY_CLASS + alb_gateway("web") + BACKENDS + shared, ["shop/web"])
    assert sorted(world.owned().load_balancers) == ["shop/web"]
    world.converge(GATEWAY_CLASS, [])
    assert_torn_down(world)


def test_lattice_converges_and_tears_down_under_faults(world: World) -> None:
    lattice_route = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - backendRefs: [{name: v1, port: 80, weight: 9}, {name: v2, port: 80, weight: 1}]
"""
    base = LATTICE_CLASS + gateway() + BACKENDS
    world.converge(base + lattice_route + export("shop", "v3"), ["infra/mesh"])
    lattice = world.owned().lattice
    services = [a for a in lattice if ":service/" in a and "/listener/" not in a]
    assert len(services) == 1
    world.converge(base + lattice_route, ["infra/mesh"])  # the export withdrawn
    world.converge(GATEWAY_CLASS, [])  # no Lattice class left at all
    assert_torn_down(world)

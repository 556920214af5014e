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
from awsgw.providers.aws.nlb.evaluate import NlbState
from awsgw.testing.faults import FaultPlan, faulty_moto_server
from tests.certs import self_signed_secret
from tests.e2e.conftest import reset_moto
from tests.faults.support import MAX_RUNS, World
from tests.providers.aws.lattice.support import LATTICE_CLASS, export, gateway
from tests.support import GATEWAY_CLASS, NLB_CLASS, condition, service, stream_service

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


def grpc_calls(w: World, call: str, host: str = "api.example.com") -> set[str]:
    """Where a gRPC call to port 443 lands on this cluster's ALB (GRPC target groups only)."""
    [lb] = [lb for lb in w.elbv2.describe_load_balancers()["LoadBalancers"]
            if w.tags_of([lb["LoadBalancerArn"]])[lb["LoadBalancerArn"]].get("awsgw.io/cluster")
            == CLUSTER]  # fmt: skip
    outcome = load_listeners(w.elbv2, lb["LoadBalancerArn"])[443].evaluate(
        Request.grpc_call(host, call)
    )
    assert set(outcome.versions.values()) <= {"GRPC"}, outcome
    return {t for _, weight, ts in outcome.targets if weight > 0 for t in ts}


def test_grpc_routes_beside_http_routes_converge_under_faults(world: World) -> None:
    """A GRPCRoute and an HTTPRoute on one HTTPS listener, a Service behind both (a GRPC and
    an HTTP1 target group), a method moved to another backend, then torn down."""
    https = (
        "  - name: https\n    port: 443\n    protocol: HTTPS\n"
        "    tls: {certificateRefs: [{name: api}]}\n"
    )
    secret = "---\n" + yaml.safe_dump(self_signed_secret("shop", "api", ["*.example.com"]))
    base = GATEWAY_CLASS + alb_gateway(listeners=https) + BACKENDS + secret
    site = route("store", "store.example.com", "[{name: v1, port: 80}]")

    def grpc(backend: str) -> str:
        return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: api, namespace: shop}}
spec:
  parentRefs: [{{name: web}}]
  hostnames: [api.example.com]
  rules:
  - matches: [{{method: {{service: shop.Cart, method: Add}}}}]
    backendRefs: [{{name: {backend}, port: 80}}]
  - backendRefs: [{{name: v3, port: 80}}]
"""

    world.converge(base + site + grpc("v1"), ["shop/web"])
    assert grpc_calls(world, "shop.Cart/Add") == {"10.0.1.1:8080", "10.0.1.2:8080"}
    assert grpc_calls(world, "shop.Cart/List") == {"10.0.3.1:8080"}
    assert_clean(world)
    world.converge(base + site + grpc("v2"), ["shop/web"])
    assert grpc_calls(world, "shop.Cart/Add") == {"10.0.2.1:8080"}
    assert_clean(world)
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
    assert sorted(owned.load_balancers) == [
        ("shop/edge", "application"),
        ("shop/web", "application"),
    ]
    assert owned.duplicates() == []
    world.converge(GATEWAY_CLASS + alb_gateway("web") + BACKENDS + shared, ["shop/web"])
    assert sorted(world.owned().load_balancers) == [("shop/web", "application")]
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


def test_lattice_tls_passthrough_converges_under_faults(world: World) -> None:
    """A TLSRoute on a Lattice TLS passthrough listener (a service on its hostname, a TCP
    target group), its backend moved, then torn down."""
    tls = (
        "  - name: tls\n    port: 443\n    protocol: TLS\n    tls: {mode: Passthrough}\n"
        "    allowedRoutes: {namespaces: {from: All}}\n"
    )

    def tls_route(backend: str) -> str:
        return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {{name: vault, namespace: shop}}
spec:
  parentRefs: [{{name: mesh, namespace: infra}}]
  hostnames: [vault.example.com]
  rules: [{{backendRefs: [{{name: {backend}, port: 80}}]}}]
"""

    base = LATTICE_CLASS + gateway(listeners=tls) + BACKENDS
    world.converge(base + tls_route("v1"), ["infra/mesh"])
    services = [a for a in world.owned().lattice if ":service/" in a and "/listener/" not in a]
    assert len(services) == 1
    world.converge(base + tls_route("v2"), ["infra/mesh"])
    world.converge(GATEWAY_CLASS, [])
    assert_torn_down(world)


def nlb_gateway(listeners: str) -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: edge, namespace: shop}}
spec:
  gatewayClassName: nlb
  listeners:
{listeners}"""


def stream_route(kind: str, name: str, listener: str, backends: str) -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: {kind}
metadata: {{name: {name}, namespace: shop}}
spec:
  parentRefs: [{{name: edge, sectionName: {listener}}}]
  rules:
  - backendRefs: {backends}
"""


def nlb_connect(w: World, port: int, protocol: str, sni: str | None = None) -> set[str]:
    """The targets a connection to this cluster's NLB reaches (weight > 0)."""
    lbs = w.elbv2.describe_load_balancers()["LoadBalancers"]
    [nlb] = [lb for lb in lbs if lb["Type"] == "network"]
    got = NlbState(w.elbv2, nlb["LoadBalancerArn"], w.acm).connect(port, protocol, sni)
    assert got.refused is None, got
    return {t for _, weight, ts in got.targets if weight > 0 for t in ts}


def test_nlb_listeners_converge_and_tear_down_under_faults(world: World) -> None:
    """TCP + UDP on one port (TCP_UDP), TLS termination from a Secret, an HTTP listener on
    the chained ALB; weights changed in place; the last HTTP listener removed takes the ALB
    with it; a teardown under faults leaves nothing."""
    listeners = (
        "  - {name: dns-tcp, port: 53, protocol: TCP}\n"
        "  - {name: dns-udp, port: 53, protocol: UDP}\n"
        "  - name: tls\n    port: 443\n    protocol: TLS\n"
        "    tls: {mode: Terminate, certificateRefs: [{name: site}]}\n"
    )
    web = "  - {name: web, port: 80, protocol: HTTP}\n"
    backends = (
        stream_service("shop", "resolver", 53, ["10.0.6.1", "10.0.6.2"], protocol="UDP",
                       target_port=53)
        + stream_service("shop", "broker", 9092, ["10.0.7.1"])
        + stream_service("shop", "replica", 9092, ["10.0.7.2"])
        + "---\n" + yaml.safe_dump(self_signed_secret("shop", "site", ["site.example.com"]))
        + BACKENDS
    )  # fmt: skip
    dns = stream_route("TCPRoute", "dns-tcp", "dns-tcp", "[{name: resolver, port: 53}]")
    dns += stream_route("UDPRoute", "dns-udp", "dns-udp", "[{name: resolver, port: 53}]")
    split = "[{name: broker, port: 9092, weight: 9}, {name: replica, port: 9092, weight: 1}]"
    tls = stream_route("TLSRoute", "broker", "tls", split)
    http = route("store", "store.example.com", "[{name: v1, port: 80}]", "[{name: edge}]")
    base = NLB_CLASS + backends + dns
    world.converge(base + nlb_gateway(listeners + web) + tls + http, ["shop/edge"])
    assert nlb_connect(world, 53, "UDP") == {"10.0.6.1:53", "10.0.6.2:53"}
    assert nlb_connect(world, 443, "TLS", "site.example.com") == {"10.0.7.1:9000", "10.0.7.2:9000"}
    assert sorted(world.owned().load_balancers) == [
        ("shop/edge", "application"),
        ("shop/edge", "network"),
    ]
    assert_clean(world)
    only_broker = "[{name: broker, port: 9092}]"
    moved = stream_route("TLSRoute", "broker", "tls", only_broker)
    world.converge(base + nlb_gateway(listeners + web) + moved + http, ["shop/edge"])
    assert nlb_connect(world, 443, "TLS", "site.example.com") == {"10.0.7.1:9000"}
    assert_clean(world)
    world.converge(base + nlb_gateway(listeners) + moved, ["shop/edge"])  # HTTP listener gone
    assert sorted(world.owned().load_balancers) == [("shop/edge", "network")]
    assert_clean(world)
    world.converge(NLB_CLASS, [])
    assert_torn_down(world)


def configuration(spec: dict[str, object]) -> str:
    doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "LoadBalancerConfiguration",
           "metadata": {"name": "prod", "namespace": "shop"}, "spec": spec}  # fmt: skip
    return "---\n" + yaml.safe_dump(doc)


def test_a_configuration_converges_is_taken_back_and_leaves_nothing_under_faults(
    world: World,
) -> None:
    """Attributes, tags, a web ACL and a Shield protection set, changed, then dropped under
    faults (creates answered but lost included); the teardown leaves no protection and the
    user's web ACL and security group where they were."""
    sg = world.ec2.create_security_group(GroupName="corp", Description="corp", VpcId=world.vpc)
    acl = world.wafv2.create_web_acl(
        Name="corp", Scope="REGIONAL", DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                          "MetricName": "corp"},
    )["Summary"]["ARN"]  # fmt: skip
    gw = alb_gateway().replace(
        "  gatewayClassName: alb\n",
        "  gatewayClassName: alb\n  infrastructure: {parametersRef: {group: awsgw.io, "
        "kind: LoadBalancerConfiguration, name: prod}}\n",
    )
    base = (
        GATEWAY_CLASS
        + gw
        + BACKENDS
        + route("store", "store.example.com", "[{name: v1, port: 80}]")
    )
    full = {
        "attributes": {"idle_timeout.timeout_seconds": "120"},
        "tags": {"team": "shop"},
        "wafv2WebACLArn": acl,
        "shieldAdvanced": True,
        "securityGroups": [sg["GroupId"]],
    }
    world.converge(base + configuration(full), ["shop/web"])
    assert_clean(world)
    [lb] = world.elbv2.describe_load_balancers()["LoadBalancers"]
    arn = lb["LoadBalancerArn"]
    assert world.wafv2.get_web_acl_for_resource(ResourceArn=arn)["WebACL"]["ARN"] == acl
    assert len(world.shield.list_protections()["Protections"]) == 1
    changed = {**full, "attributes": {"idle_timeout.timeout_seconds": "300"}}
    world.converge(base + configuration(changed), ["shop/web"])
    attrs = world.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    assert {a["Key"]: a["Value"] for a in attrs}["idle_timeout.timeout_seconds"] == "300"
    world.converge(base + configuration({}), ["shop/web"])
    assert "WebACL" not in world.wafv2.get_web_acl_for_resource(ResourceArn=arn)
    assert world.shield.list_protections()["Protections"] == []
    world.converge(base + configuration({"shieldAdvanced": True}), ["shop/web"])
    assert len(world.shield.list_protections()["Protections"]) == 1
    world.converge(GATEWAY_CLASS, [])
    assert_torn_down(world)
    assert world.shield.list_protections()["Protections"] == [], "ours goes with the ALB"
    assert world.ec2.describe_security_groups(GroupIds=[sg["GroupId"]])["SecurityGroups"]
    assert world.wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"]

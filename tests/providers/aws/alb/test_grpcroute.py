"""GRPCRoutes on an Application Load Balancer: HTTPS listeners only, gRPC target groups,
service/method and header matches as listener rule conditions, weights, and the spec's rule
for an HTTPRoute and a GRPCRoute on one listener; judged from AWS state alone."""

from __future__ import annotations

import yaml

from awsgw.providers.aws.common.requests import Request
from tests.certs import self_signed_secret
from tests.conftest import MotoVpc
from tests.support import GATEWAY_CLASS, Harness, backend_ips, condition, service

ECHO = "grpc.examples.echo.Echo"
GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: site}]}
"""
SECRET = "---\n" + yaml.safe_dump(self_signed_secret("shop", "site", ["*.example.com"]))
SERVICES = (
    service("shop", "echo-v1", 8080, ["10.0.1.1"], target_port=9000)
    + service("shop", "echo-v2", 8080, ["10.0.1.2"], target_port=9000)
    + service("shop", "web", 80, ["10.0.1.3"])
)


def grpc_route(spec: str, name: str = "echo") -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: {name}, namespace: shop}}
spec:
{spec}
"""


MATCHING = grpc_route(
    f"""
  parentRefs: [{{name: web}}]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{{method: {{service: {ECHO}, method: UnaryEcho}}}}]
    backendRefs: [{{name: echo-v1, port: 8080}}]
  - matches:
    - method: {{service: {ECHO}}}
      headers: [{{name: version, value: two}}]
    backendRefs: [{{name: echo-v2, port: 8080}}]
  - matches: [{{method: {{method: ServerStreamingEcho}}}}]
    backendRefs: [{{name: echo-v2, port: 8080}}]
"""
)
WORLD = GATEWAY_CLASS + GATEWAY + SECRET + SERVICES


def call(
    h: Harness, name: str, *headers: tuple[str, str], host: str = "grpc.example.com"
) -> set[str]:
    listener = h.listeners("shop/web")[443]
    return backend_ips(listener.evaluate(Request.grpc_call(host, name, headers)))


def test_grpc_calls_are_routed_by_service_method_and_headers(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(WORLD + MATCHING)
    assert not result.failed
    [parent] = result.statuses[("GRPCRoute", "shop/echo")]["parents"]
    assert condition(parent, "Accepted")["status"] == "True", parent
    assert parent["parentRef"].get("sectionName") is None
    assert call(h, f"{ECHO}/UnaryEcho") == {"10.0.1.1:9000"}
    assert call(h, f"{ECHO}/UnaryEcho", ("version", "two")) == {"10.0.1.1:9000"}  # method wins
    assert call(h, f"{ECHO}/BidiEcho", ("version", "two")) == {"10.0.1.2:9000"}
    assert call(h, f"{ECHO}/BidiEcho") == set()  # no rule: ALB answers 404
    assert call(h, "other.Service/ServerStreamingEcho") == {"10.0.1.2:9000"}
    assert call(h, f"{ECHO}/UnaryEcho", host="www.example.com") == set()
    gateway = result.statuses[("Gateway", "shop/web")]
    attached = {ls["name"]: ls["attachedRoutes"] for ls in gateway["listeners"]}
    assert attached == {"http": 0, "https": 1}


def test_grpc_target_groups_speak_grpc_with_its_health_check_defaults(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    http = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: site, namespace: shop}
spec:
  parentRefs: [{name: web}]
  hostnames: [www.example.com]
  rules: [{backendRefs: [{name: echo-v1, port: 8080}]}]
"""
    h.run(WORLD + MATCHING + http)
    groups = h.elbv2.describe_target_groups()["TargetGroups"]
    by_version: dict[str, list[dict[str, object]]] = {}
    for tg in groups:
        by_version.setdefault(str(tg["ProtocolVersion"]), []).append(tg)
    assert sorted(by_version) == ["GRPC", "HTTP1"]
    assert len(by_version["GRPC"]) == 2  # echo-v1 and echo-v2, one each
    [plain] = by_version["HTTP1"]  # the HTTPRoute's echo-v1: a target group of its own
    for tg in by_version["GRPC"]:
        assert tg["HealthCheckPath"] == "/AWS.ALB/healthcheck"
        assert tg["Matcher"] == {"GrpcCode": "12"}
        assert tg["Protocol"] == "HTTP" and tg["Port"] == 9000
    assert plain["Matcher"] == {"HttpCode": "200"}
    outcome = h.listeners("shop/web")[443].evaluate(
        Request.grpc_call("grpc.example.com", f"{ECHO}/UnaryEcho")
    )
    assert set(outcome.versions.values()) == {"GRPC"}
    h.run(WORLD + MATCHING + http)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_grpc_weights_split_exactly(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    weighted = grpc_route(
        """
  parentRefs: [{name: web, sectionName: https}]
  rules:
  - backendRefs:
    - {name: echo-v1, port: 8080, weight: 700000}
    - {name: echo-v2, port: 8080, weight: 300000}
"""
    )
    h.run(WORLD + weighted)
    outcome = h.listeners("shop/web")[443].evaluate(Request.grpc_call("any.example.com", "a.B/C"))
    weights = {tuple(targets): w for _, w, targets in outcome.targets}
    assert weights == {("10.0.1.1:9000",): 7, ("10.0.1.2:9000",): 3}


def test_a_grpc_route_on_an_http_listener_is_not_allowed_and_says_why(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    on_http = grpc_route(
        """
  parentRefs: [{name: web, sectionName: http}]
  rules: [{backendRefs: [{name: echo-v1, port: 8080}]}]
"""
    )
    result = h.run(WORLD + on_http)
    [parent] = result.statuses[("GRPCRoute", "shop/echo")]["parents"]
    accepted = condition(parent, "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "NotAllowedByListeners")
    assert "gRPC only on HTTPS listeners" in accepted["message"]
    gateway = result.statuses[("Gateway", "shop/web")]
    kinds = {ls["name"]: [k["kind"] for k in ls["supportedKinds"]] for ls in gateway["listeners"]}
    assert kinds == {"http": ["HTTPRoute"], "https": ["HTTPRoute", "GRPCRoute"]}
    assert not [tg for tg in h.elbv2.describe_target_groups()["TargetGroups"]]


def test_the_older_of_an_http_and_a_grpc_route_on_one_hostname_wins(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    http = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: site, namespace: shop, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: web}]
  hostnames: ["*.example.com"]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""
    newer = MATCHING.replace(
        "namespace: shop}", 'namespace: shop, creationTimestamp: "2026-01-02T00:00:00Z"}'
    )
    result = h.run(WORLD + newer + http)
    [parent] = result.statuses[("GRPCRoute", "shop/echo")]["parents"]
    accepted = condition(parent, "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "HostnameConflict")
    assert "HTTPRoute shop/site (older)" in accepted["message"]
    [site] = result.statuses[("HTTPRoute", "shop/site")]["parents"]
    assert condition(site, "Accepted")["status"] == "True"
    assert call(h, f"{ECHO}/UnaryEcho") == {"10.0.1.3:8080"}  # the HTTPRoute's backend
    versions = {tg["ProtocolVersion"] for tg in h.elbv2.describe_target_groups()["TargetGroups"]}
    assert versions == {"HTTP1"}
    # a hostname the HTTPRoute does not cover: both are served, each on its own hosts
    apart = newer.replace("hostnames: [grpc.example.com]", "hostnames: [grpc.example.org]")
    result = h.run(WORLD + apart + http)
    [parent] = result.statuses[("GRPCRoute", "shop/echo")]["parents"]
    assert condition(parent, "Accepted")["status"] == "True", parent
    assert call(h, f"{ECHO}/UnaryEcho", host="grpc.example.org") == {"10.0.1.1:9000"}
    assert call(h, f"{ECHO}/UnaryEcho") == {"10.0.1.3:8080"}


def test_grpc_filters_alb_cannot_apply_answer_500_and_are_reported(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    filtered = grpc_route(
        """
  parentRefs: [{name: web}]
  rules:
  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x, value: y}]}}]
    backendRefs: [{name: echo-v1, port: 8080}]
  - matches: [{method: {service: a.B, method: Served}}]
    backendRefs: [{name: echo-v2, port: 8080}]
"""
    )
    result = h.run(WORLD + filtered)
    [parent] = result.statuses[("GRPCRoute", "shop/echo")]["parents"]
    partial = condition(parent, "PartiallyInvalid")
    assert "Dropped Rule(s) [0]" in partial["message"], parent
    assert "RequestHeaderModifier" in partial["message"], parent
    outcome = h.listeners("shop/web")[443].evaluate(Request.grpc_call("a.example.com", "a.B/C"))
    assert outcome.status == 500
    assert call(h, "a.B/Served", host="a.example.com") == {"10.0.1.2:9000"}


def test_regex_method_matches_are_refused_and_method_only_matches_any_service(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    regex = grpc_route(
        """
  parentRefs: [{name: web}]
  rules:
  - matches: [{method: {type: RegularExpression, service: "echo\\\\..*", method: Say}}]
    backendRefs: [{name: echo-v1, port: 8080}]
  - matches: [{method: {method: Say}}]
    backendRefs: [{name: echo-v2, port: 8080}]
"""
    )
    result = h.run(WORLD + regex)
    [parent] = result.statuses[("GRPCRoute", "shop/echo")]["parents"]
    partial = condition(parent, "PartiallyInvalid")
    assert "method match type RegularExpression is not supported on ALB" in partial["message"]
    assert call(h, "echo.Echo/Say", host="a.example.com") == {"10.0.1.2:9000"}
    assert call(h, "other.Service/Say", host="a.example.com") == {"10.0.1.2:9000"}
    assert call(h, "other.Service/SayMore", host="a.example.com") == set()
    assert call(h, "a/b.Say", host="a.example.com") == set()  # not a gRPC path of Say

"""What VPC Lattice cannot express is refused in the Route's status (UnsupportedValue),
never silently changed; quotas are checked before AWS is called."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.lattice.plan.specs import LatticeLimits
from tests.providers.aws.lattice.support import LATTICE_CLASS, Cluster, dns, gateway, ips
from tests.support import condition, service

BACKENDS = service("shop", "v1", 80, ["10.0.1.1"]) + service("shop", "v2", 80, ["10.0.2.1"])


def route(rules: str, name: str = "r", hostnames: str = "[]", parents: str = "") -> str:
    parents = parents or "[{name: mesh, namespace: infra}]"
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: shop}}
spec:
  parentRefs: {parents}
  hostnames: {hostnames}
  rules:
{rules}"""


def run(cluster: Cluster, *routes: str, gw: str = "") -> Any:
    return cluster.run(LATTICE_CLASS + (gw or gateway()) + BACKENDS + "".join(routes))


def parent(result: Any, key: str = "shop/r") -> Any:
    return result.statuses[("HTTPRoute", key)]["parents"][0]


FALLBACK = "  - backendRefs: [{name: v1, port: 80}]\n"


def test_query_param_match_is_dropped_and_reported(cluster: Cluster) -> None:
    rules = (
        "  - matches: [{path: {type: PathPrefix, value: /q}, queryParams: [{name: a, value: b}]}]\n"
        "    backendRefs: [{name: v2, port: 80}]\n" + FALLBACK
    )
    result = run(cluster, route(rules))
    partial = condition(parent(result), "PartiallyInvalid")
    assert partial["reason"] == "UnsupportedValue"
    assert "rule 0" in partial["message"] and "query parameter" in partial["message"]
    assert ips(cluster.send(dns(result, "shop/r"), "/q?a=b")) == {"10.0.1.1:8080"}


def test_header_modifier_answers_500_rather_than_being_skipped(cluster: Cluster) -> None:
    rules = (
        "  - matches: [{path: {type: PathPrefix, value: /h}}]\n"
        "    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, "
        "value: b}]}}]\n"
        "    backendRefs: [{name: v2, port: 80}]\n" + FALLBACK
    )
    result = run(cluster, route(rules))
    assert "answers 500" in condition(parent(result), "PartiallyInvalid")["message"]
    out = cluster.send(dns(result, "shop/r"), "/h/x")
    assert (out.action, out.status) == ("fixed-response", 500)


def test_regular_expression_and_header_regex_are_refused(cluster: Cluster) -> None:
    rules = (
        "  - matches: [{path: {type: RegularExpression, value: '/r.*'}}]\n"
        "    backendRefs: [{name: v2, port: 80}]\n"
        "  - matches: [{headers: [{type: RegularExpression, name: a, value: 'b.*'}]}]\n"
        "    backendRefs: [{name: v2, port: 80}]\n"
    )
    result = run(cluster, route(rules))
    accepted = condition(parent(result), "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "UnsupportedValue")
    assert "RegularExpression" in accepted["message"]


def test_more_than_five_headers_are_refused(cluster: Cluster) -> None:
    headers = ", ".join(f"{{name: h{i}, value: v}}" for i in range(6))
    rules = f"  - matches: [{{headers: [{headers}]}}]\n    backendRefs: [{{name: v2, port: 80}}]\n"
    result = run(cluster, route(rules + FALLBACK))
    assert "6 header matches" in condition(parent(result), "PartiallyInvalid")["message"]


def test_rules_past_the_listener_quota_are_reported(cluster: Cluster) -> None:
    rules = "".join(
        f"  - matches: [{{path: {{type: Exact, value: /p{i}}}}}]\n"
        "    backendRefs: [{name: v2, port: 80}]\n"
        for i in range(11)
    )
    result = run(cluster, route(rules))
    partial = condition(parent(result), "PartiallyInvalid")
    assert "quota is 10" in partial["message"] and "Dropped Rule(s) [9]" in partial["message"]
    [svc] = cluster.lattice.list_services()["items"]
    [listener] = cluster.lattice.list_listeners(serviceIdentifier=svc["id"])["items"]
    found = cluster.lattice.list_rules(
        serviceIdentifier=svc["id"], listenerIdentifier=listener["id"]
    )
    assert len([r for r in found["items"] if not r["isDefault"]]) == 10


def test_quota_limits_come_from_the_provider_limits(aws_env: Any) -> None:
    small = Cluster(aws_env.cluster, aws_env.vpc_id, limits=LatticeLimits(rules_per_listener=2))
    rules = "  - matches: [{path: {type: PathPrefix, value: /a}}]\n" + (
        "    backendRefs: [{name: v2, port: 80}]\n" + FALLBACK
    )
    result = run(small, route(rules))  # /a needs 2 rules, the fallback 1 more
    assert "quota is 2" in condition(parent(result), "PartiallyInvalid")["message"]


def test_more_than_ten_target_groups_in_a_rule_answers_500(cluster: Cluster) -> None:
    services = "".join(service("shop", f"s{i}", 80, [f"10.0.9.{i}"]) for i in range(11))
    refs = ", ".join(f"{{name: s{i}, port: 80}}" for i in range(11))
    result = run(cluster, services, route(f"  - backendRefs: [{refs}]\n"))
    accepted = condition(parent(result), "Accepted")
    assert accepted["status"] == "False" and "at most 10" in accepted["message"]


def test_listener_quota_of_two_per_service(cluster: Cluster) -> None:
    listeners = "".join(
        f"  - {{name: l{p}, port: {p}, protocol: HTTP, "
        "allowedRoutes: {namespaces: {from: All}}}\n"
        for p in (80, 81, 82)
    )
    result = run(cluster, route(FALLBACK), gw=gateway(listeners=listeners))
    accepted = condition(parent(result), "Accepted")
    assert accepted["status"] == "False" and "port 82 not programmed" in accepted["message"]


def test_weights_are_kept_exactly_or_refused(cluster: Cluster) -> None:
    refs = "[{name: v1, port: 80, weight: 3000}, {name: v2, port: 80, weight: 1000}]"
    exact = f"  - backendRefs: {refs}\n"
    out = cluster.send(dns(run(cluster, route(exact)), "shop/r"))
    assert sorted(w for _, w, _ in out.targets) == [1, 3]
    odd = (
        "  - backendRefs: [{name: v1, port: 80, weight: 1000}, {name: v2, port: 80, weight: 999}]\n"
    )
    result = run(cluster, route(odd))
    assert "cannot be expressed exactly" in condition(parent(result), "Accepted")["message"]


def test_cross_namespace_backend_needs_a_reference_grant(cluster: Cluster) -> None:
    other = service("other", "x", 80, ["10.0.3.1"])
    rules = "  - backendRefs: [{name: x, namespace: other, port: 80}]\n"
    result = run(cluster, other, route(rules))
    resolved = condition(parent(result), "ResolvedRefs")
    assert (resolved["status"], resolved["reason"]) == ("False", "RefNotPermitted")
    assert cluster.send(dns(result, "shop/r")).status == 500
    grant = """
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: other}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service}]
"""
    granted = run(cluster, other, grant, route(rules))
    assert condition(parent(granted), "ResolvedRefs")["status"] == "True"
    assert ips(cluster.send(dns(granted, "shop/r"))) == {"10.0.3.1:8080"}


def test_one_exact_hostname_becomes_the_custom_domain(cluster: Cluster) -> None:
    result = run(cluster, route(FALLBACK, hostnames="[shop.example.com]"))
    [svc] = cluster.lattice.list_services()["items"]
    assert svc["customDomainName"] == "shop.example.com"
    assert "custom domain shop.example.com" in condition(parent(result), "Accepted")["message"]
    assert ips(cluster.send("shop.example.com")) == {"10.0.1.1:8080"}


def test_several_hostnames_or_a_wildcard_are_refused(cluster: Cluster) -> None:
    result = run(
        cluster,
        route(FALLBACK, hostnames="[a.example.com, b.example.com]"),
        route(FALLBACK, name="w", hostnames="['*.example.com']"),
    )
    for key in ("shop/r", "shop/w"):
        accepted = condition(parent(result, key), "Accepted")
        assert accepted["status"] == "False" and "one custom domain" in accepted["message"]
    assert cluster.lattice.list_services()["items"] == []


def test_a_hostname_already_used_by_an_older_route_is_refused(cluster: Cluster) -> None:
    older = route(FALLBACK, name="a", hostnames="[shop.example.com]")
    newer = route(FALLBACK, name="b", hostnames="[shop.example.com]")
    result = run(cluster, older, newer)
    assert condition(parent(result, "shop/a"), "Accepted")["status"] == "True"
    refused = condition(parent(result, "shop/b"), "Accepted")
    assert refused["status"] == "False" and "HTTPRoute shop/a" in refused["message"]

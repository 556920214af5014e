"""ListenerSets on an ALB Gateway: application teams add listeners (hostnames, certificates
from their own namespace) to a shared Gateway whose ``allowedListeners`` admits them; their
Routes attach to the set; conflicts follow the spec's precedence; judged from AWS state."""

from __future__ import annotations

import yaml

from tests.certs import self_signed_secret
from tests.conftest import MotoVpc
from tests.support import GATEWAY_CLASS, Harness, backend_ips, condition, service

SHARED = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shared, namespace: infra}
spec:
  gatewayClassName: alb
  allowedListeners: {namespaces: {from: All}}
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: www.example.com}
"""
NAMESPACES = """
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
"""


def listener_set(name: str, listeners: str, namespace: str = "team", created: str = "") -> str:
    stamp = f', creationTimestamp: "{created}"' if created else ""
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {{name: {name}, namespace: {namespace}{stamp}}}
spec:
  parentRef: {{name: shared, namespace: infra}}
  listeners:
{listeners}"""


TEAM_SET = listener_set(
    "team-listeners",
    """  - {name: api, port: 80, protocol: HTTP, hostname: api.example.com}
  - name: secure
    port: 443
    protocol: HTTPS
    hostname: api.example.com
    tls: {certificateRefs: [{name: api-cert}]}
""",
)
TEAM_ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: team}
spec:
  parentRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: team-listeners}]
  rules: [{backendRefs: [{name: api, port: 80}]}]
"""
GATEWAY_ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: site, namespace: infra}
spec:
  parentRefs: [{name: shared}]
  rules: [{backendRefs: [{name: site, port: 80}]}]
"""
CERT = "---\n" + yaml.safe_dump(self_signed_secret("team", "api-cert", ["api.example.com"]))
WORLD = (
    GATEWAY_CLASS
    + SHARED
    + NAMESPACES
    + service("team", "api", 80, ["10.0.5.1"])
    + service("infra", "site", 80, ["10.0.6.1"])
    + CERT
    + GATEWAY_ROUTE
)


def test_a_listener_set_adds_listeners_and_its_routes_attach_to_them(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(WORLD + TEAM_SET + TEAM_ROUTE)
    assert not result.failed
    status = result.statuses[("ListenerSet", "team/team-listeners")]
    assert condition(status, "Accepted")["status"] == "True", status
    assert condition(status, "Programmed")["status"] == "True", status
    entries = {ls["name"]: ls for ls in status["listeners"]}
    assert {n: e["attachedRoutes"] for n, e in entries.items()} == {"api": 1, "secure": 1}
    assert result.statuses[("Gateway", "infra/shared")]["attachedListenerSets"] == 1
    gateway = result.statuses[("Gateway", "infra/shared")]
    assert [ls["name"] for ls in gateway["listeners"]] == ["http"]  # its own only
    assert gateway["listeners"][0]["attachedRoutes"] == 1
    [parent] = result.statuses[("HTTPRoute", "team/api")]["parents"]
    assert parent["parentRef"]["kind"] == "ListenerSet"
    assert parent["parentRef"]["namespace"] == "team"
    assert condition(parent, "Accepted")["status"] == "True", parent
    # the set's Route serves its hostnames only; the Gateway's Route its listener's only
    assert backend_ips(h.send("infra/shared", "api.example.com")) == {"10.0.5.1:8080"}
    assert backend_ips(h.send("infra/shared", "api.example.com", port=443, scheme="https")) == {
        "10.0.5.1:8080"
    }
    assert backend_ips(h.send("infra/shared", "www.example.com")) == {"10.0.6.1:8080"}
    assert h.send("infra/shared", "api.example.com").status == 200
    assert h.send("infra/shared", "other.example.com").status == 404
    h.run(WORLD + TEAM_SET + TEAM_ROUTE)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_a_gateway_takes_no_listener_set_unless_allowed(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    closed = WORLD.replace("  allowedListeners: {namespaces: {from: All}}\n", "")
    result = h.run(closed + TEAM_SET + TEAM_ROUTE)
    status = result.statuses[("ListenerSet", "team/team-listeners")]
    for kind in ("Accepted", "Programmed"):
        got = condition(status, kind)
        assert (got["status"], got["reason"]) == ("False", "NotAllowed"), status
    assert "allowedListeners" in condition(status, "Accepted")["message"]
    assert result.statuses[("Gateway", "infra/shared")]["attachedListenerSets"] == 0
    [parent] = result.statuses[("HTTPRoute", "team/api")]["parents"]
    assert condition(parent, "Accepted")["status"] == "False"
    ports = [ls["Port"] for ls in h.elbv2.describe_listeners(
        LoadBalancerArn=h.lb("infra/shared")["LoadBalancerArn"])["Listeners"]]  # fmt: skip
    assert ports == [80]  # no 443 listener: nothing of the set is programmed
    same = WORLD.replace("{from: All}}\n  listeners", "{from: Same}}\n  listeners")
    result = h.run(same + TEAM_SET + TEAM_ROUTE)
    got = condition(result.statuses[("ListenerSet", "team/team-listeners")], "Accepted")
    assert (got["status"], got["reason"]) == ("False", "NotAllowed")


def test_conflicts_are_lost_by_the_later_listener_in_precedence(aws_env: MotoVpc) -> None:
    """The Gateway's listeners first, then ListenerSets oldest first: the later one of a
    conflicting pair is conflicted, a set with no valid listener is not accepted."""
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    older = listener_set(
        "older",
        "  - {name: a, port: 80, protocol: HTTP, hostname: www.example.com}\n"
        "  - {name: b, port: 80, protocol: HTTP, hostname: b.example.com}\n",
        created="2026-01-01T00:00:00Z",
    )
    newer = listener_set(
        "newer",
        "  - {name: b, port: 80, protocol: HTTP, hostname: b.example.com}\n"
        "  - {name: tcp, port: 443, protocol: TCP}\n",
        created="2026-01-02T00:00:00Z",
    )
    result = h.run(WORLD + older + newer)
    first = {ls["name"]: ls for ls in result.statuses[("ListenerSet", "team/older")]["listeners"]}
    got = condition(first["a"], "Conflicted")
    assert (got["status"], got["reason"]) == ("True", "HostnameConflict")
    assert "listener http" in got["message"]
    assert condition(first["b"], "Accepted")["status"] == "True"
    status = result.statuses[("ListenerSet", "team/newer")]
    second = {ls["name"]: ls for ls in status["listeners"]}
    assert condition(second["b"], "Conflicted")["reason"] == "HostnameConflict"
    assert condition(second["tcp"], "Accepted")["reason"] == "UnsupportedProtocol"
    got = condition(status, "Accepted")
    assert (got["status"], got["reason"]) == ("False", "ListenersNotValid")
    assert result.statuses[("Gateway", "infra/shared")]["attachedListenerSets"] == 1
    gateway = result.statuses[("Gateway", "infra/shared")]
    assert condition(gateway["listeners"][0], "Conflicted")["status"] == "False"


def test_certificates_of_another_namespace_need_a_grant_to_the_listener_set(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    elsewhere = TEAM_SET.replace("{name: api-cert}", "{name: api-cert, namespace: other}")
    cert = "---\n" + yaml.safe_dump(self_signed_secret("other", "api-cert", ["api.example.com"]))
    grant = """
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: certs, namespace: other}
spec:
  from: [{group: gateway.networking.k8s.io, kind: KIND, namespace: team}]
  to: [{group: "", kind: Secret}]
"""
    for kind, ok in (("Gateway", False), ("ListenerSet", True)):
        result = h.run(WORLD + cert + elsewhere + grant.replace("KIND", kind))
        status = result.statuses[("ListenerSet", "team/team-listeners")]
        secure = next(ls for ls in status["listeners"] if ls["name"] == "secure")
        got = condition(secure, "ResolvedRefs")
        assert got["status"] == ("True" if ok else "False"), (kind, got)
        if not ok:
            assert got["reason"] == "RefNotPermitted"

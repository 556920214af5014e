"""ListenerSets on an NLB Gateway: a team's L4 listener (TCP) and HTTP listener beside the
Gateway's own, with Routes whose parent is the set; judged from the NLB (and its chained
ALB) in AWS."""

from __future__ import annotations

from tests.conftest import MotoVpc
from tests.support import NLB_CLASS, NlbHarness, backend_ips, condition, service, stream_service

WORLD = (
    NLB_CLASS
    + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: nlb
  allowedListeners: {namespaces: {from: All}}
  listeners:
  - {name: db, port: 5432, protocol: TCP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: team}
spec:
  parentRef: {name: edge, namespace: infra}
  listeners:
  - {name: cache, port: 6379, protocol: TCP}
  - {name: db, port: 5432, protocol: TCP}
  - {name: web, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: cache, namespace: team}
spec:
  parentRefs:
  - {group: gateway.networking.k8s.io, kind: ListenerSet, name: team, sectionName: cache}
  rules: [{backendRefs: [{name: redis, port: 6379}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: team}
spec:
  parentRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: team}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""
    + stream_service("team", "redis", 6379, ["10.0.7.1"])
    + service("team", "web", 80, ["10.0.7.2"])
)


def test_a_listener_set_adds_l4_and_http_listeners_to_an_nlb(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(WORLD)
    assert not result.failed
    status = result.statuses[("ListenerSet", "team/team")]
    assert condition(status, "Accepted")["status"] == "True", status
    entries = {ls["name"]: ls for ls in status["listeners"]}
    conflicted = condition(entries["db"], "Conflicted")
    assert (conflicted["status"], conflicted["reason"]) == ("True", "HostnameConflict")
    assert {n: e["attachedRoutes"] for n, e in entries.items()} == {"cache": 1, "db": 0, "web": 1}
    assert target_ips_of(h, 6379) == {"10.0.7.1:9000"}
    assert backend_ips(h.send("infra/edge", "any.example.com")) == {"10.0.7.2:8080"}
    h.run(WORLD)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def target_ips_of(h: NlbHarness, port: int) -> set[str]:
    connection = h.connect("infra/edge", port)
    return {t for _, w, targets in connection.targets if w > 0 for t in targets}

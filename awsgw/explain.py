"""``awsgw explain``: which rule and which backends a request reaches on the live load
balancer of a Gateway, judged from AWS alone (the same evaluator the conformance run uses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awsgw.providers.aws.alb.evaluate import AlbOutcome, LiveListener, load_listeners
from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import CLUSTER_TAG, GATEWAY_TAG
from awsgw.providers.aws.elbv2.describe import tags_of


class ExplainError(Exception):
    """The Gateway has no load balancer of this cluster, or no listener on the port."""


@dataclass
class Explanation:
    gateway: str
    load_balancer: str
    request: Request
    outcome: AlbOutcome
    rule: dict[str, Any] | None

    def render(self) -> str:
        r, o = self.request, self.outcome
        lines = [
            f"Gateway {self.gateway}: load balancer {self.load_balancer}",
            f"request: {r.method} {r.scheme}://{r.host}:{r.port}{r.path}"
            + "".join(f"\n  {k}: {v}" for k, v in r.headers),
        ]
        if self.rule is None:
            lines.append("matched: no rule (listener default action)")
        else:
            lines.append(f"matched: rule priority {o.priority} ({self.rule['RuleArn']})")
            for cond in self.rule.get("Conditions", []):
                config = next((v for k, v in cond.items() if k.endswith("Config")), cond)
                lines.append(f"  {cond['Field']}: {config}")
        if o.action == "forward":
            lines.append(f"forward ({o.status}):")
            for name, weight, targets in o.targets:
                lines.append(f"  {name} weight {weight}: {', '.join(targets) or 'no targets'}")
            if o.path is not None and o.path != r.path:
                lines.append(f"  path rewritten to {o.path}")
            if o.host is not None and o.host != r.host:
                lines.append(f"  host rewritten to {o.host}")
        elif o.action == "redirect":
            lines.append(f"redirect {o.status} to {o.location}")
        else:
            lines.append(f"answer {o.status} ({o.action})")
        return "\n".join(lines)


def find_load_balancer(aws: Aws, cluster: str, gateway: str) -> dict[str, Any]:
    """The load balancer this cluster owns for a Gateway key (by tags, never by name)."""
    elbv2 = aws.client("elbv2")
    lbs: list[dict[str, Any]] = [
        lb
        for page in elbv2.get_paginator("describe_load_balancers").paginate()
        for lb in page["LoadBalancers"]
    ]
    tags = tags_of(elbv2, [lb["LoadBalancerArn"] for lb in lbs])
    for lb in lbs:
        mine = tags.get(lb["LoadBalancerArn"], {})
        if mine.get(CLUSTER_TAG) == cluster and mine.get(GATEWAY_TAG) == gateway:
            return lb
    raise ExplainError(f"no load balancer of cluster {cluster} for Gateway {gateway}")


def explain(aws: Aws, cluster: str, gateway: str, request: Request) -> Explanation:
    lb = find_load_balancer(aws, cluster, gateway)
    listeners: dict[int, LiveListener] = load_listeners(aws.client("elbv2"), lb["LoadBalancerArn"])
    listener = listeners.get(request.port)
    if listener is None:
        ports = ", ".join(str(p) for p in sorted(listeners)) or "none"
        raise ExplainError(f"no listener on port {request.port} (listeners: {ports})")
    if request.host == "":
        request = Request(
            lb["DNSName"],
            request.path,
            request.method,
            request.headers,
            request.port,
            request.scheme,
        )
    outcome = listener.evaluate(request)
    rule = next((r for r in listener.rules if r["Priority"] == outcome.priority), None)
    if rule is not None and rule.get("IsDefault"):
        rule = None
    return Explanation(gateway, lb["LoadBalancerName"], request, outcome, rule)

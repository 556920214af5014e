"""``awsgw explain``: which rule and which backends a request reaches on the live load
balancer of a Gateway, judged from AWS alone (the same evaluators the conformance run uses).

On an NLB Gateway a connection is explained (``--protocol TCP|UDP|TLS``, ``--sni``): the
listener, the certificate a TLS listener presents, the target groups with their weights
and targets; a port served by the chained ALB is followed into that ALB's rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awsgw.providers.aws.alb.evaluate import AlbOutcome, LiveListener, load_listeners
from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import CLUSTER_TAG, GATEWAY_TAG
from awsgw.providers.aws.elbv2.describe import tags_of
from awsgw.providers.aws.nlb.evaluate import Connection, NlbState


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
                version = f" ({o.versions[name]})" if name in o.versions else ""
                served = ", ".join(targets) or "no targets"
                lines.append(f"  {name}{version} weight {weight}: {served}")
            plain = sorted(n for n, v in o.versions.items() if v != "GRPC")
            if r.is_grpc and plain:
                lines.append(
                    f"  note: {', '.join(plain)} speak {o.versions[plain[0]]}, not gRPC: "
                    "the call reaches targets that do not expect it"
                )
            if o.path is not None and o.path != r.path:
                lines.append(f"  path rewritten to {o.path}")
            if o.host is not None and o.host != r.host:
                lines.append(f"  host rewritten to {o.host}")
        elif o.action == "redirect":
            lines.append(f"redirect {o.status} to {o.location}")
        else:
            lines.append(f"answer {o.status} ({o.action})")
        return "\n".join(lines)


@dataclass
class ConnectionExplanation:
    gateway: str
    load_balancer: str
    sni: str | None
    connection: Connection
    then: Explanation | None = None
    """An HTTP listener's request, followed into the chained ALB."""

    def render(self) -> str:
        c = self.connection
        lines = [
            f"Gateway {self.gateway}: load balancer {self.load_balancer}",
            f"connection: {c.protocol} to port {c.port}"
            + (f" (SNI {self.sni})" if self.sni else ""),
        ]
        if c.refused:
            lines.append(f"refused: {c.refused}")
            return "\n".join(lines)
        lines.append(f"listener: {c.listener}")
        if c.certificate is not None:
            covers = "covers" if self.sni and c.certificate.covers(self.sni) else "does not cover"
            names = ", ".join(c.certificate.names) or "unknown names"
            lines.append(f"certificate: {c.certificate.arn} ({names})")
            if self.sni:
                lines.append(f"  {covers} {self.sni}")
        lines.append("forward:")
        for name, weight, targets in c.targets:
            lines.append(f"  {name} weight {weight}: {', '.join(targets) or 'no targets'}")
        if self.then is not None:
            lines.append("then, on the chained ALB:")
            lines += ["  " + line for line in self.then.render().splitlines()]
        return "\n".join(lines)


def owned_load_balancers(aws: Aws, cluster: str, gateway: str) -> list[dict[str, Any]]:
    """The load balancers this cluster owns for a Gateway key (by tags, never by name): one
    ALB, or an NLB and the ALB chained behind it."""
    elbv2 = aws.client("elbv2")
    lbs: list[dict[str, Any]] = [
        lb
        for page in elbv2.get_paginator("describe_load_balancers").paginate()
        for lb in page["LoadBalancers"]
    ]
    tags = tags_of(elbv2, [lb["LoadBalancerArn"] for lb in lbs])
    found = [
        lb
        for lb in lbs
        if tags.get(lb["LoadBalancerArn"], {}).get(CLUSTER_TAG) == cluster
        and tags.get(lb["LoadBalancerArn"], {}).get(GATEWAY_TAG) == gateway
    ]
    if not found:
        raise ExplainError(f"no load balancer of cluster {cluster} for Gateway {gateway}")
    return sorted(found, key=lambda lb: lb.get("Type") != "network")


def _explain_request(lb: dict[str, Any], gateway: str, request: Request, aws: Aws) -> Explanation:
    listeners: dict[int, LiveListener] = load_listeners(aws.client("elbv2"), lb["LoadBalancerArn"])
    listener = listeners.get(request.port)
    if listener is None:
        ports = ", ".join(str(p) for p in sorted(listeners)) or "none"
        raise ExplainError(f"no listener on port {request.port} (listeners: {ports})")
    outcome = listener.evaluate(request)
    rule = next((r for r in listener.rules if r["Priority"] == outcome.priority), None)
    if rule is not None and rule.get("IsDefault"):
        rule = None
    return Explanation(gateway, lb["LoadBalancerName"], request, outcome, rule)


def explain(
    aws: Aws,
    cluster: str,
    gateway: str,
    request: Request,
    protocol: str | None = None,
    sni: str | None = None,
) -> Explanation | ConnectionExplanation:
    """A request (ALB Gateways, and HTTP listeners of NLB Gateways) or a connection
    (``protocol`` TCP, UDP or TLS: NLB Gateways) on the Gateway's live load balancer."""
    lb = owned_load_balancers(aws, cluster, gateway)[0]
    if request.host == "":
        request = Request(
            lb["DNSName"],
            request.path,
            request.method,
            request.headers,
            request.port,
            request.scheme,
        )
    if lb.get("Type") != "network":
        if protocol is not None:
            raise ExplainError(
                f"Gateway {gateway} is an Application Load Balancer: it serves requests, "
                "not --protocol connections"
            )
        return _explain_request(lb, gateway, request, aws)
    state = NlbState(aws.client("elbv2"), lb["LoadBalancerArn"], aws.client("acm"))
    connection = state.connect(request.port, protocol or "TCP", sni)
    explained = ConnectionExplanation(gateway, lb["LoadBalancerName"], sni, connection)
    if connection.chained and protocol is None:
        chained = {"LoadBalancerArn": connection.chained, "LoadBalancerName": "chained ALB"}
        for found in owned_load_balancers(aws, cluster, gateway):
            if found["LoadBalancerArn"] == connection.chained:
                chained = found
        explained.then = _explain_request(chained, gateway, request, aws)
    return explained

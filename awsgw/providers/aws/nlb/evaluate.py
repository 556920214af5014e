"""Evaluate a connection against a live Network Load Balancer, the way NLB does.

Reads only AWS (``DescribeListeners``, ``DescribeTargetGroups``, ``DescribeTargetHealth``,
ACM ``DescribeCertificate``). Semantics (ELBv2 "Listeners for your Network Load Balancers"):
a listener serves one port; TCP connections reach ``TCP``, ``TCP_UDP`` and ``TLS``
listeners (a TLS client's handshake passes a TCP listener untouched, a TLS listener
terminates it), UDP datagrams reach ``UDP`` and ``TCP_UDP`` listeners; no listener on the
port: the connection is refused. The default action forwards to its target groups by
weight. A TLS listener presents the certificate whose names match the SNI name (an exact
name before a wildcard), else its default certificate. An ``alb``-type target group hands
the connection to that Application Load Balancer, whose listener on the port takes over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awsgw.providers.aws.alb.evaluate import wildcard
from awsgw.providers.aws.elbv2.plan.forward import forwarded

ACCEPTS: dict[str, tuple[str, ...]] = {
    "TCP": ("TCP", "TCP_UDP", "TLS"),
    "TLS": ("TCP", "TCP_UDP", "TLS"),
    "UDP": ("UDP", "TCP_UDP"),
}
"""What a client speaks → the NLB listener protocols that take it."""


@dataclass(frozen=True)
class Presented:
    """The certificate a TLS listener presents."""

    arn: str
    names: tuple[str, ...]

    def covers(self, host: str) -> bool:
        """Does a name match ``host`` (a wildcard stands for exactly one label)?"""
        return any(
            n.lower() == host.lower()
            or (n.startswith("*.") and n.count(".") == host.count(".") and wildcard(n, host, True))
            for n in self.names
        )


@dataclass
class Connection:
    """Where a connection ends on an NLB."""

    port: int
    protocol: str
    """What the client speaks: TCP, UDP or TLS."""
    listener: str | None = None
    """The listener that takes it (``TLS 443``), None: refused."""
    refused: str | None = None
    targets: list[tuple[str, int, list[str]]] = field(default_factory=list)
    """(target group name, weight, ["ip:port", ...])."""
    certificate: Presented | None = None
    """A terminating TLS listener: the certificate it presents."""
    chained: str | None = None
    """The ARN of the ALB an ``alb``-type target group hands the connection to."""

    def share(self, name: str) -> float:
        """The fraction of connections a target group gets (0 when refused)."""
        total = sum(w for _, w, _ in self.targets)
        return sum(w for n, w, _ in self.targets if n == name) / total if total else 0.0


@dataclass
class LiveNlbListener:
    port: int
    protocol: str
    forwards: list[tuple[str, int]]
    """(target group ARN, weight)."""
    certificates: list[str]
    """TLS listeners: the default first."""


class NlbState:
    """One NLB's listeners, target groups and certificates as AWS holds them."""

    def __init__(self, elbv2: Any, lb_arn: str, acm: Any | None = None) -> None:
        self.elbv2 = elbv2
        self.acm = acm
        self.listeners: dict[int, LiveNlbListener] = {}
        for page in elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=lb_arn):
            for ls in page["Listeners"]:
                self.listeners[int(ls["Port"])] = LiveNlbListener(
                    int(ls["Port"]),
                    ls["Protocol"],
                    _forwards(ls.get("DefaultActions", [])),
                    self._certificates(ls),
                )
        self._groups: dict[str, tuple[str, str, list[str]]] = {}

    def _certificates(self, listener: dict[str, Any]) -> list[str]:
        if listener["Protocol"] != "TLS":
            return []
        default = [c["CertificateArn"] for c in listener.get("Certificates", [])][:1]
        listed = self.elbv2.describe_listener_certificates(ListenerArn=listener["ListenerArn"])
        sni = [c["CertificateArn"] for c in listed["Certificates"] if not c.get("IsDefault")]
        return default + [a for a in sni if a not in default]

    def group(self, arn: str) -> tuple[str, str, list[str]]:
        """(name, target type, ["id:port", ...] of registered targets)."""
        if arn not in self._groups:
            tg = self.elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
            health = self.elbv2.describe_target_health(TargetGroupArn=arn)
            targets = sorted(
                f"{d['Target']['Id']}:{d['Target']['Port']}"
                for d in health["TargetHealthDescriptions"]
                if d.get("TargetHealth", {}).get("State") != "draining"
            )
            self._groups[arn] = (tg["TargetGroupName"], tg.get("TargetType", "ip"), targets)
        return self._groups[arn]

    def connect(self, port: int, protocol: str, sni: str | None = None) -> Connection:
        """Where a client speaking ``protocol`` to ``port`` (with ``sni``) ends up."""
        out = Connection(port, protocol)
        listener = self.listeners.get(port)
        if listener is None or listener.protocol not in ACCEPTS[protocol]:
            have = f"a {listener.protocol} listener" if listener else "no listener"
            out.refused = f"port {port} has {have}"
            return out
        out.listener = f"{listener.protocol} {port}"
        if listener.protocol == "TLS" and protocol != "TLS":
            out.refused = f"the TLS listener on port {port} needs a TLS handshake"
            return out
        if listener.protocol == "TLS":
            out.certificate = self.presented(listener.certificates, sni)
        for arn, weight in listener.forwards:
            name, kind, targets = self.group(arn)
            out.targets.append((name, weight, targets))
            if kind == "alb" and targets:
                out.chained = targets[0].rsplit(":", 1)[0]
        return out

    def presented(self, arns: list[str], sni: str | None) -> Presented | None:
        certs = [Presented(a, self._names(a)) for a in arns]
        if not certs:
            return None
        if sni:
            exact = [c for c in certs if sni.lower() in (n.lower() for n in c.names)]
            if exact:
                return exact[0]
            matching = [c for c in certs if c.covers(sni)]
            if matching:
                return matching[0]
        return certs[0]

    def _names(self, arn: str) -> tuple[str, ...]:
        if self.acm is None:
            return ()
        cert = self.acm.describe_certificate(CertificateArn=arn)["Certificate"]
        names = [cert.get("DomainName", ""), *cert.get("SubjectAlternativeNames", [])]
        return tuple(dict.fromkeys(n for n in names if n))


def _forwards(actions: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """The (target group ARN, weight) pairs of the listener's forward, if any."""
    return next((forwarded(a) for a in actions if a.get("Type") == "forward"), [])

"""TLSRoutes on TLS passthrough listeners → their VPC Lattice services (pure).

A TLSRoute becomes a service whose custom domain is its one exact hostname (VPC Lattice
passes a connection to the service whose custom domain is its SNI), with a
``TLS_PASSTHROUGH`` listener per port whose only rule is its default forward to TCP target
groups ("TLS listeners for VPC Lattice services")."""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

from awsgw.core.backends import BackendKey
from awsgw.core.findings import ProblemKind, RuleProblem
from awsgw.core.model import GatewayModel, RouteBackends, WeightedBackend
from awsgw.objects import RouteRef
from awsgw.providers.aws.lattice.plan.names import service_name
from awsgw.providers.aws.lattice.plan.specs import (
    TCP,
    TLS_PASSTHROUGH,
    LatticeForward,
    LatticeLimits,
    LatticeListener,
    LatticePlan,
    ServiceSpec,
    Unsupported,
    lattice_weights,
)


class GroupSource(Protocol):
    """Where the local target groups of a plan come from (the compiler's context)."""

    cluster: str
    limits: LatticeLimits

    def local_group(self, backend: BackendKey | None, protocol_version: str) -> str: ...


def tcp_forward(backends: tuple[WeightedBackend, ...], ctx: GroupSource) -> LatticeForward:
    """A TLS passthrough listener's forward to TCP target groups (exact weights); without a
    valid backend, to an empty group: the connection finds no target (its default action
    must be a forward)."""
    shares: dict[str, Fraction] = {}
    for b in (b for b in backends if b.weight > 0):
        if b.backend is not None and b.backend.kind == "ServiceImport":
            raise Unsupported(f"{b.backend}: TLS passthrough to a ServiceImport is not supported")
        name = ctx.local_group(b.backend, TCP)
        shares[name] = shares.get(name, Fraction(0)) + b.weight
    if not shares:
        shares[ctx.local_group(None, TCP)] = Fraction(1)
    if len(shares) > ctx.limits.target_groups_per_rule:
        raise Unsupported(
            f"{len(shares)} target groups; a VPC Lattice listener forwards to at most "
            f"{ctx.limits.target_groups_per_rule}"
        )
    weights = lattice_weights(list(shares.values()), ctx.limits) if len(shares) > 1 else [1]
    return LatticeForward(tuple(sorted(zip(shares, weights, strict=True))))


StreamEntry = tuple[str, int, RouteBackends]
"""(Gateway key, listener port, the TLSRoute placed there)."""


def tls_routes(models: dict[str, GatewayModel]) -> dict[RouteRef, list[StreamEntry]]:
    """TLSRoutes on TLS passthrough listeners, per Route, Gateways in key order."""
    out: dict[RouteRef, list[StreamEntry]] = {}
    for key, model in sorted(models.items()):
        for stream in model.streams:
            if stream.protocol == "TLS" and stream.tls_mode == "Passthrough":
                for placed in stream.routes:
                    out.setdefault(placed.route, []).append((key, stream.port, placed))
    return out


def tls_service(
    route: RouteRef,
    entries: list[StreamEntry],
    ctx: GroupSource,
    plan: LatticePlan,
    domains: dict[str, RouteRef],
) -> ServiceSpec | None:
    """The service of a TLSRoute: its one exact hostname as custom domain (the SNI Lattice
    routes by), one ``TLS_PASSTHROUGH`` listener per port; None when it cannot be had."""

    def find(message: str, kind: ProblemKind = ProblemKind.UNSUPPORTED) -> None:
        for gw in sorted({e[0] for e in entries}):
            plan.findings.append(RuleProblem(gw, route, 0, message, kind))

    hosts = sorted({h for _, _, placed in entries for h in placed.hostnames})
    if len(hosts) != 1 or hosts[0].startswith("*."):
        what = f"hostnames {', '.join(hosts)}" if hosts else "no hostname"
        find(
            f"dropped: {what}: VPC Lattice passes a TLS connection to the service whose "
            "custom domain is its SNI, exactly; give the TLSRoute (or its listener) one "
            "exact hostname"
        )
        return None
    domain = hosts[0]
    if domain in domains:
        find(f"dropped: hostname {domain} is already the custom domain of {domains[domain]}")
        return None
    placed = entries[0][2]
    try:
        forward = tcp_forward(placed.backends, ctx)
    except Unsupported as exc:
        find(f"dropped: {exc}")
        return None
    domains[domain] = route
    if placed.rules > 1:
        find(
            f"only rule 0 is served: a VPC Lattice TLS listener has one rule, its default "
            f"(rules 1-{placed.rules - 1} are ignored)",
            ProblemKind.NOTE,
        )
    ports = sorted({port for _, port, _ in entries})
    kept = ports[: ctx.limits.listeners_per_service]
    for port in ports[len(kept) :]:
        find(
            f"port {port} not programmed: a VPC Lattice service takes at most "
            f"{ctx.limits.listeners_per_service} listeners",
            ProblemKind.NOTE,
        )
    name = service_name(ctx.cluster, route)
    listeners = [LatticeListener(p, TLS_PASSTHROUGH, [], forward) for p in kept]
    gateways = sorted({gw for gw, port, _ in entries if port in kept})
    return ServiceSpec(name, route, gateways, listeners, domain, None)

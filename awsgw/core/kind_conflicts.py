"""HTTPRoutes and GRPCRoutes sharing a listener (pure).

The spec (GRPCRoute ``spec.hostnames``): when a Route of one of the two kinds is attached to
a listener that already carries a Route of the other kind and their hostnames intersect,
exactly one of them is accepted there: the oldest, then the first by ``namespace/name``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from awsgw.core import hostnames as hn
from awsgw.core.store import age_order
from awsgw.objects import Route, RouteRef

REQUEST_KINDS = ("HTTPRoute", "GRPCRoute")


class Placed(Protocol):
    """A Route placed on a listener (``attach.Placement``)."""

    @property
    def route(self) -> Route: ...
    @property
    def listener(self) -> str: ...
    @property
    def hostnames(self) -> tuple[tuple[str, str | None], ...]: ...


def _overlap(
    a: Iterable[tuple[str, str | None]], b: Iterable[tuple[str, str | None]], own_hosts: bool
) -> bool:
    """Do two Routes' served hostnames on one listener share a host? (none: any host, or,
    with ``own_hosts``, the Route's own DNS name)"""
    left, right = [h for h, _ in a], [h for h, _ in b]
    if not left or not right:
        return not own_hosts
    return any(hn.matches(x, y) or hn.matches(y, x) for x in left for y in right)


def kind_conflicts(
    placements: Iterable[Placed], own_hosts: bool = False
) -> dict[tuple[RouteRef, str], str]:
    """The placements of one Gateway the rule rejects, as (Route, listener) → why;
    ``own_hosts``: its data plane serves each Route under a DNS name of its own."""
    by_listener: dict[str, list[Placed]] = {}
    for p in placements:
        if p.route.kind in REQUEST_KINDS:
            by_listener.setdefault(p.listener, []).append(p)
    rejected: dict[tuple[RouteRef, str], str] = {}
    for listener, placed in by_listener.items():
        if len({p.route.kind for p in placed}) < 2:
            continue
        kept: list[Placed] = []
        for p in sorted(placed, key=lambda p: age_order(p.route)):
            rival = next(
                (
                    q
                    for q in kept
                    if q.route.kind != p.route.kind
                    and _overlap(p.hostnames, q.hostnames, own_hosts)
                ),
                None,
            )
            if rival is None:
                kept.append(p)
                continue
            rejected[(p.route.ref, listener)] = (
                f"listener {listener}: {rival.route.kind} {rival.route.key} (older) serves "
                f"the same hostnames there; an HTTPRoute and a GRPCRoute may not share a "
                "hostname on one listener"
            )
    return rejected

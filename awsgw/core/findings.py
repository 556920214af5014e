"""What providers report back to the core: problems found while planning (per Route rule)
and observations made while applying (per Gateway, listener and Route).

These values are part of the provider contract (``awsgw.providers.base`` re-exports them);
they live in the core because the status step, which is pure, reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from awsgw.core.conditions import Reason
from awsgw.objects import RouteRef


class ProblemKind(StrEnum):
    """Why a Route rule is not programmed as written."""

    UNSUPPORTED = "Unsupported"
    """The data plane cannot express the rule: dropped or answering 500."""
    QUOTA = "Quota"
    """A quota of the data plane leaves no room for the rule: not programmed."""
    NOTE = "Note"
    """Programmed, but served differently from the spec in a way the Route must be told."""
    BACKEND_NOT_FOUND = "BackendNotFound"
    REF_NOT_PERMITTED = "RefNotPermitted"
    INVALID_KIND = "InvalidKind"

    @property
    def drops_the_rule(self) -> bool:
        return self in (ProblemKind.UNSUPPORTED, ProblemKind.QUOTA)

    @property
    def resolved_refs(self) -> Reason | None:
        """The ResolvedRefs reason of a reference only the provider could check."""
        return {
            ProblemKind.BACKEND_NOT_FOUND: Reason.BACKEND_NOT_FOUND,
            ProblemKind.REF_NOT_PERMITTED: Reason.REF_NOT_PERMITTED,
            ProblemKind.INVALID_KIND: Reason.INVALID_KIND,
        }.get(self)


class RuleProblem(NamedTuple):
    """A Route rule a provider could not program as written (``drops_the_rule``), a note on
    how it is served, or a reference only the provider could check (the rule is programmed;
    the reference's share answers an error). A named tuple: a full listener reports one per
    Route rule its quota leaves out, thousands at 10k Routes, and a frozen dataclass costs
    twice as much to make and three times as much to hash."""

    gateway: str
    route: RouteRef
    rule_index: int
    message: str
    kind: ProblemKind = ProblemKind.UNSUPPORTED


@dataclass(frozen=True)
class Announcement:
    """An Event the runtime records once when a Route annotation takes a new value."""

    annotation: str
    reason: str
    message: str


@dataclass(frozen=True)
class RouteNote:
    """What a provider tells about one Route it programmed (e.g. its own DNS name)."""

    route: RouteRef
    message: str
    """Appended to the Accepted message of the Route's parents of this controller."""
    annotations: tuple[tuple[str, str], ...] = ()
    """Annotations the runtime may set on the Route (key, value)."""
    announce: Announcement | None = None


@dataclass(frozen=True)
class ListenerProblem:
    """A Gateway listener the cloud refused a part of (e.g. ACM refused its certificate):
    its ResolvedRefs and Programmed conditions say why; the others are unaffected."""

    listener: str
    reason: Reason
    message: str
    refs: bool = True
    """A reference of the listener is at fault (ResolvedRefs false too), not only its
    programming (e.g. a port the load balancer cannot share)."""


@dataclass(frozen=True)
class Failure:
    """A cloud call that failed (after its retries): for one Gateway, or for a provider's
    work that belongs to none (``gateway`` None; ``where`` names it)."""

    message: str
    gateway: str | None = None
    where: str = ""
    """What the work was, for a failure of no Gateway: "VPC Lattice", "VPC Lattice exports"."""
    quota: bool = False
    """The cloud refused for a quota (an account limit, not a passing fault)."""

    def __str__(self) -> str:
        if self.gateway is not None:
            return f"Gateway {self.gateway}: {self.message}"
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class GatewayObservation:
    """What the provider saw of a Gateway's cloud resources after applying its plan."""

    gateway: str
    programmed: bool
    reason: Reason
    message: str
    address: str | None = None
    failure: Failure | None = None
    """A cloud call failed (as opposed to a problem the status explains)."""
    routes: tuple[RouteNote, ...] = ()
    """Per-Route results of Gateways whose Routes get cloud resources of their own."""
    listeners: tuple[ListenerProblem, ...] = ()
    """Listeners not programmed although the Gateway is."""
    ip_addresses: tuple[str, ...] = ()
    """Static IP addresses the Gateway has (they replace ``address`` in its status)."""

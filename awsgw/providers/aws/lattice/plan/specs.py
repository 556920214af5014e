"""The VPC Lattice resources a plan asks for (pure values), what the compilers share, and
the exact weights Lattice takes."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from awsgw.core.findings import RuleProblem
from awsgw.core.model import Certificate
from awsgw.core.policies import TargetGroupParameters
from awsgw.objects import RouteRef


@dataclass(frozen=True)
class LatticeForward:
    groups: tuple[tuple[str, int], ...]
    """(target group name, weight), sorted; one group always weighs 1."""


@dataclass(frozen=True)
class LatticeFixed:
    status: int
    """404 or 500, the only fixed responses VPC Lattice answers."""


LatticeAction = LatticeForward | LatticeFixed
SERVER_ERROR = LatticeFixed(500)
Exported = Mapping[tuple[str, str, int], tuple[str, ...]]
"""(namespace, name, port) of an exported Service → names of its live exported groups."""
UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class LatticeLimits:
    """VPC Lattice quotas and API limits (defaults from the AWS documentation)."""

    rules_per_listener: int = 10
    target_groups_per_rule: int = 10
    listeners_per_service: int = 2
    headers_per_match: int = 5
    max_weight: int = 999
    value_length: int = 200


@dataclass(frozen=True)
class LatticeRule:
    match: str
    """The API ``match``, as canonical JSON."""
    action: LatticeAction
    source: str


@dataclass
class LatticeListener:
    port: int
    protocol: str
    """``HTTP``, ``HTTPS`` or ``TLS_PASSTHROUGH``."""
    rules: list[LatticeRule] = field(default_factory=list)
    default: LatticeAction | None = None
    """``TLS_PASSTHROUGH``: the forward every connection takes (its only rule); None: a
    fixed 404 after the rules."""


@dataclass
class ServiceSpec:
    name: str
    route: RouteRef
    gateways: list[str]
    """Gateway keys whose service network the service joins."""
    listeners: list[LatticeListener]
    custom_domain: str | None = None
    certificate: Certificate | None = None


@dataclass(frozen=True)
class LatticeTargetGroup:
    name: str
    backend: str
    """``ns/name:port`` of the Service port, or ``unresolved`` (no targets)."""
    port: int
    protocol_version: str
    """``HTTP1`` or ``GRPC``; ``TCP`` for a TCP group (no protocol version in the API)."""
    targets: tuple[tuple[str, int], ...]
    export: tuple[str, str, int] | None = None
    """(namespace, name, port) when the group publishes an exported Service port."""
    policy: TargetGroupParameters | None = None
    """What a ``TargetGroupPolicy`` sets (its health check)."""

    @property
    def protocol(self) -> str:
        """The target group protocol: ``TCP`` behind TLS passthrough, else ``HTTP``."""
        return "TCP" if self.protocol_version == TCP else "HTTP"


TCP = "TCP"


@dataclass
class LatticePlan:
    networks: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Gateway key → (service network name, why it cannot be used)."""
    services: dict[str, ServiceSpec] = field(default_factory=dict)
    target_groups: dict[str, LatticeTargetGroup] = field(default_factory=dict)
    findings: list[RuleProblem] = field(default_factory=list)


class Unsupported(Exception):
    """A rule VPC Lattice cannot express exactly."""


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


TLS_PASSTHROUGH = "TLS_PASSTHROUGH"
"""The listener protocol of TLS passthrough (a TLSRoute's service)."""


def lattice_weights(shares: list[Fraction], limits: LatticeLimits) -> list[int]:
    """Exact integer weights in 0–999 for rational shares (same ratios), or Unsupported."""
    scale = math.lcm(*(s.denominator for s in shares))
    ints = [int(s * scale) for s in shares]
    divisor = math.gcd(*ints) or 1
    ints = [i // divisor for i in ints]
    if max(ints) > limits.max_weight:
        raise Unsupported(
            f"weights {ints} cannot be expressed exactly in VPC Lattice's 0–{limits.max_weight}"
        )
    return ints

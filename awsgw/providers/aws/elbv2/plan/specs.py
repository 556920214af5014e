"""The ELBv2 resources a Gateway needs, as ALB and NLB plan them (pure values)."""

from __future__ import annotations

from dataclasses import dataclass

from awsgw.core.parameters import NO_PARAMETERS, LoadBalancerParameters
from awsgw.core.policies import TargetGroupParameters


@dataclass(frozen=True)
class LoadBalancerSpec:
    gateway: str
    name: str
    """≤ 32 characters, stable per (cluster, Gateway)."""
    lb_type: str
    """``application`` or ``network``."""
    scheme: str
    """``internal`` or ``internet-facing`` (immutable: a change replaces it)."""
    ports: tuple[int, ...]
    """TCP listener ports the owned security group opens."""
    udp_ports: tuple[int, ...] = ()
    """UDP listener ports it opens (NLB)."""
    allocations: tuple[str, ...] = ()
    """Elastic IP allocation IDs, one per availability zone (NLB static addresses)."""
    parameters: LoadBalancerParameters = NO_PARAMETERS
    """What the Gateway's ``LoadBalancerConfiguration`` sets (its scheme is ``scheme``)."""

    @property
    def user_tags(self) -> dict[str, str]:
        """The configuration's tags, added to everything created for the Gateway."""
        return dict(self.parameters.tags)


@dataclass(frozen=True)
class TargetGroupSpec:
    """One target group per (Gateway, Service port[, protocol]), shared by its Routes."""

    name: str
    backend: str
    """``ns/name:port`` of the Service port, or ``unresolved``."""
    port: int
    targets: tuple[tuple[str, int], ...]
    """Ready (IP, port) endpoints, or (instance ID, node port) of ready Nodes."""
    protocol: str = "HTTP"
    protocol_version: str | None = "HTTP1"
    """ALB target groups only (``HTTP1``, ``HTTP2``, ``GRPC``); None for NLB ones."""
    target_type: str = "ip"
    """``ip`` (pod addresses), ``instance`` (Nodes' EC2 instances on the node port) or
    ``alb`` (an NLB's target group of its chained ALB)."""
    policy: TargetGroupParameters | None = None
    """What a ``TargetGroupPolicy`` sets (health check, attributes)."""
    health_check_protocol: str | None = None
    """None: ELBv2's default for the protocol (HTTP for ALB target groups)."""
    health_check_codes: str | None = None
    """HTTP codes of a healthy target (HTTP health checks only; None: ELBv2's default)."""

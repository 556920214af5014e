"""What the VPC Lattice data plane carries: its capability row and the Gateway API features
it claims (checked by the Lattice tests, not by an offline conformance run)."""

from __future__ import annotations

from awsgw.core.capabilities import SERVICE, SERVICE_IMPORT, Capabilities, TargetGroupRules
from awsgw.core.features import CORE

CONTROLLER = "awsgw.io/lattice"
FEATURES = tuple(sorted((*CORE, "GRPCRoute", "HTTPRouteMethodMatching", "TLSRoute")))

TARGET_GROUPS = TargetGroupRules("VPC Lattice target groups", frozenset({"healthCheck"}), {})
"""Lattice target groups take a policy's health check (its own API: no attributes; the
protocol version follows the Route kind)."""

LATTICE = Capabilities(
    controller=CONTROLLER,
    product="a VPC Lattice service network",
    short="VPC Lattice",
    parameters=frozenset({"tags"}),
    target_groups={"HTTPRoute": TARGET_GROUPS, "GRPCRoute": TARGET_GROUPS},
    accepted="Accepted by awsgw (VPC Lattice)",
    route_kinds={
        "HTTP": ("HTTPRoute",),
        "HTTPS": ("HTTPRoute", "GRPCRoute"),
        "TLS": ("TLSRoute",),  # passthrough: a TLS_PASSTHROUGH listener per service
    },
    tls_modes={"HTTPS": ("Terminate",), "TLS": ("Passthrough",)},
    kind_notes={"GRPCRoute": "VPC Lattice serves gRPC only on HTTPS listeners"},
    own_hosts=True,
    planned_together=True,
    backend_kinds=frozenset({SERVICE, SERVICE_IMPORT}),
    no_static_address="spec.addresses: a VPC Lattice service network takes no address; "
    "each Route's VPC Lattice service gets its own DNS name",
    no_address_type="spec.addresses: type {types} cannot be assigned; a VPC Lattice service "
    "network has no address (each Route's service has a DNS name)",
    features=FEATURES,
)

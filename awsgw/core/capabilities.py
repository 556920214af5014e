"""What each awsgw controller's cloud resources can carry: the table the core validates
GatewayClasses, listeners, Route kinds and backend kinds against.

One row per ``controllerName``. A new load balancer family adds a row here (and a provider);
the core logic stays the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from awsgw.core.features import ALB_SUPPORTED, LATTICE_SUPPORTED
from awsgw.objects import MULTICLUSTER_GROUP

ALB_CONTROLLER = "awsgw.io/alb"
LATTICE_CONTROLLER = "awsgw.io/lattice"
RESERVED_CONTROLLERS = ("awsgw.io/nlb",)
SERVICE = ("", "Service")
SERVICE_IMPORT = (MULTICLUSTER_GROUP, "ServiceImport")


@dataclass(frozen=True)
class Capabilities:
    product: str
    """What a Gateway becomes, for messages: "an Application Load Balancer"."""
    short: str
    """Short product name for messages: "ALB"."""
    accepted: str
    """The GatewayClass Accepted message."""
    route_kinds: Mapping[str, tuple[str, ...]]
    """Gateway listener protocol → Route kinds a listener of that protocol carries."""
    backend_kinds: frozenset[tuple[str, str]]
    """(group, kind) of the backendRefs its Routes may use."""
    no_static_address: str
    """Why ``spec.addresses`` values are refused."""
    no_address_type: str
    """Why requested address types cannot be assigned (``{types}`` is filled in)."""
    features: tuple[str, ...]
    """GatewayClass ``status.supportedFeatures``."""

    def backend_kinds_text(self) -> str:
        names = {SERVICE: "core Services", SERVICE_IMPORT: f"{MULTICLUSTER_GROUP} ServiceImports"}
        return " and ".join(names.get(k, f"{k[0]}/{k[1]}") for k in sorted(self.backend_kinds))


ALB = Capabilities(
    product="an Application Load Balancer",
    short="ALB",
    accepted="Accepted by awsgw (Application Load Balancer)",
    route_kinds={"HTTP": ("HTTPRoute",), "HTTPS": ("HTTPRoute",)},
    backend_kinds=frozenset({SERVICE}),
    no_static_address="spec.addresses: an Application Load Balancer takes no static address; "
    "AWS assigns its DNS name",
    no_address_type="spec.addresses: type {types} cannot be assigned; an Application Load "
    "Balancer has a DNS name (Hostname) and no fixed IP address",
    features=ALB_SUPPORTED,
)

LATTICE = Capabilities(
    product="a VPC Lattice service network",
    short="VPC Lattice",
    accepted="Accepted by awsgw (VPC Lattice)",
    route_kinds={"HTTP": ("HTTPRoute",), "HTTPS": ("HTTPRoute", "GRPCRoute")},
    backend_kinds=frozenset({SERVICE, SERVICE_IMPORT}),
    no_static_address="spec.addresses: a VPC Lattice service network takes no address; "
    "each Route's VPC Lattice service gets its own DNS name",
    no_address_type="spec.addresses: type {types} cannot be assigned; a VPC Lattice service "
    "network has no address (each Route's service has a DNS name)",
    features=LATTICE_SUPPORTED,
)

CAPABILITIES: dict[str, Capabilities] = {ALB_CONTROLLER: ALB, LATTICE_CONTROLLER: LATTICE}


def capabilities(controller: str) -> Capabilities:
    """The row of a controller awsgw accepts (ALB's for any other, as before rows existed)."""
    return CAPABILITIES.get(controller, ALB)

"""What the Network Load Balancer data plane carries: its capability row, the Gateway API
features it claims, and why it leaves the others out. Its HTTP and HTTPS listeners are the
chained ALB's: the HTTP features are the ALB data plane's."""

from __future__ import annotations

from awsgw.core.capabilities import SERVICE, Capabilities
from awsgw.providers.aws.alb import capabilities as alb
from awsgw.providers.aws.elbv2.attributes import (
    ALB_TARGET_GROUPS,
    NLB_ATTRIBUTES,
    NLB_PARAMETERS,
    NLB_TARGET_GROUPS,
)

CONTROLLER = "awsgw.io/nlb"

FEATURES = tuple(
    sorted(
        (
            *alb.FEATURES,
            "GatewayStaticAddresses",
            "TCPRoute",
            "TLSRoute",
            "TLSRouteModeTerminate",
            "UDPRoute",
        )
    )
)

UNSUPPORTED: dict[str, str] = {
    **{f: why for f, why in alb.UNSUPPORTED.items() if f not in FEATURES},
    "GatewayAddressEmpty": "awsgw takes the Elastic IPs a Gateway names and allocates none, "
    "so an address without a value cannot be filled in",
    "GatewayInfrastructurePropagation": "spec.infrastructure labels and annotations are not "
    "copied onto AWS resources",
    "TLSRouteModeMixed": "an NLB listener either terminates TLS or passes it through",
}

NLB = Capabilities(
    controller=CONTROLLER,
    product="a Network Load Balancer",
    short="NLB",
    accepted="Accepted by awsgw (Network Load Balancer)",
    route_kinds={
        "TCP": ("TCPRoute",),
        "UDP": ("UDPRoute",),
        "TLS": ("TLSRoute",),
        "HTTP": ("HTTPRoute",),
        "HTTPS": ("HTTPRoute", "GRPCRoute"),  # the chained ALB's
    },
    kind_notes=alb.ALB.kind_notes,
    backend_kinds=frozenset({SERVICE}),
    acm_certificates=True,
    listener_sets=True,
    parameters=NLB_PARAMETERS,
    attributes=NLB_ATTRIBUTES,
    target_groups={
        "HTTPRoute": ALB_TARGET_GROUPS,  # served by the chained ALB
        "GRPCRoute": ALB_TARGET_GROUPS,
        "TCPRoute": NLB_TARGET_GROUPS,
        "UDPRoute": NLB_TARGET_GROUPS,
        "TLSRoute": NLB_TARGET_GROUPS,
    },
    no_static_address="spec.addresses: a Network Load Balancer takes Elastic IPs of the "
    "account (type IPAddress), one per availability zone",
    no_address_type="spec.addresses: type {types} cannot be assigned; a Network Load Balancer "
    "takes Elastic IPs (type IPAddress) or a DNS name (Hostname)",
    features=FEATURES,
    unsupported=UNSUPPORTED,
    tls_modes={"HTTPS": ("Terminate",), "TLS": ("Passthrough", "Terminate")},
    address_types=frozenset({"IPAddress"}),
)

"""What the Application Load Balancer data plane carries: its capability row, the Gateway
API features it claims, and why it leaves the others out.

``FEATURES`` is published in the GatewayClass ``status.supportedFeatures``; the offline
conformance run checks it is exactly the set of features whose every test passes.
"""

from __future__ import annotations

from awsgw.core.capabilities import SERVICE, Capabilities
from awsgw.core.features import CORE
from awsgw.providers.aws.elbv2.attributes import (
    ALB_ATTRIBUTES,
    ALB_PARAMETERS,
    ALB_TARGET_GROUPS,
)

CONTROLLER = "awsgw.io/alb"

FEATURES = tuple(
    sorted(
        (
            *CORE,
            "GatewayHTTPListenerIsolation",
            "GatewayPort8080",
            "GRPCRoute",
            "GRPCRouteNamedRouteRule",
            "HTTPRouteMethodMatching",
            "HTTPRouteNamedRouteRule",
            "HTTPRouteParentRefPort",
            "HTTPRoutePathRedirect",
            "HTTPRouteSchemeRedirect",
            "ListenerSet",
        )
    )
)

NO_CLEARTEXT_GRPC = (
    "an Application Load Balancer serves gRPC only on HTTPS listeners: it has no cleartext "
    "HTTP/2 (h2c)"
)

UNSUPPORTED: dict[str, str] = {
    "BackendTLSPolicy": "TLS to backends is not configured from BackendTLSPolicy",
    "BackendTLSPolicySANValidation": "TLS to backends is not configured from BackendTLSPolicy",
    "GatewayAddressEmpty": "an ALB has a DNS name, never an assignable IP address",
    "GatewayBackendClientCertificate": "ALB presents no client certificate to targets",
    "GatewayFrontendClientCertificateValidation": "mutual TLS (ALB trust stores) is not "
    "configured by awsgw yet",
    "GatewayFrontendClientCertificateValidationInsecureFallback": "mutual TLS (ALB trust "
    "stores) is not configured by awsgw yet",
    "GatewayHTTPSListenerDetectMisdirectedRequests": "ALB cannot answer 421 when the Host "
    "does not match the TLS server name",
    "GatewayInfrastructurePropagation": "spec.infrastructure labels and annotations are not "
    "copied onto AWS resources",
    "GatewayStaticAddresses": "an ALB takes no static address",
    "HTTPRoute303RedirectStatusCode": "ALB redirects only with 301 or 302",
    "HTTPRoute307RedirectStatusCode": "ALB redirects only with 301 or 302",
    "HTTPRoute308RedirectStatusCode": "ALB redirects only with 301 or 302",
    "HTTPRouteBackendProtocolH2C": "ALB target groups speak HTTP/1.1, HTTP/2 over TLS or gRPC, "
    "not cleartext HTTP/2",
    "HTTPRouteBackendProtocolWebSocket": "not verifiable offline (the evaluator sees no "
    "upgrade handshake)",
    "HTTPRouteBackendRequestHeaderModification": "ALB cannot modify request headers",
    "HTTPRouteCORS": "ALB cannot answer CORS preflights per rule",
    "HTTPRouteHostRewrite": "its conformance test combines the rewrite with request header "
    "modification, which ALB cannot do (host rewrite itself is programmed as a Transform)",
    "HTTPRoutePathRewrite": "its conformance test combines the rewrite with request header "
    "modification, which ALB cannot do (path rewrite itself is programmed as a Transform)",
    "HTTPRoutePortRedirect": "its conformance test redirects an HTTPS listener to http, which "
    "ALB refuses",
    "HTTPRouteQueryParamMatching": "ALB compares query strings case-insensitively; the "
    "Gateway API asks for exact matches",
    "HTTPRouteRequestMirror": "ALB cannot mirror requests",
    "HTTPRouteRequestMultipleMirrors": "ALB cannot mirror requests",
    "HTTPRouteRequestPercentageMirror": "ALB cannot mirror requests",
    "HTTPRouteResponseHeaderModification": "ALB cannot modify response headers per rule",
    "HTTPRouteRetry": "ALB does not retry requests",
    "HTTPRouteBackendTimeout": "ALB has one idle timeout per load balancer, not per rule",
    "HTTPRouteRequestTimeout": "ALB has one idle timeout per load balancer, not per rule",
}


ALB = Capabilities(
    controller=CONTROLLER,
    product="an Application Load Balancer",
    short="ALB",
    accepted="Accepted by awsgw (Application Load Balancer)",
    route_kinds={"HTTP": ("HTTPRoute",), "HTTPS": ("HTTPRoute", "GRPCRoute")},
    kind_notes={"GRPCRoute": NO_CLEARTEXT_GRPC},
    backend_kinds=frozenset({SERVICE}),
    acm_certificates=True,
    listener_sets=True,
    parameters=ALB_PARAMETERS,
    attributes=ALB_ATTRIBUTES,
    target_groups={"HTTPRoute": ALB_TARGET_GROUPS, "GRPCRoute": ALB_TARGET_GROUPS},
    no_static_address="spec.addresses: an Application Load Balancer takes no static address; "
    "AWS assigns its DNS name",
    no_address_type="spec.addresses: type {types} cannot be assigned; an Application Load "
    "Balancer has a DNS name (Hostname) and no fixed IP address",
    features=FEATURES,
    unsupported=UNSUPPORTED,
)

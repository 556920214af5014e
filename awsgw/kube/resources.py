"""The API resources awsgw reads and writes, and their REST paths (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from awsgw.objects import AWSGW_GROUP, GATEWAY_GROUP, MULTICLUSTER_GROUP, TARGET_GROUP_POLICY


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    optional: bool = False
    """A CRD that may not be installed: a 404 on list means "none here", not an error."""
    field_selector: str = ""
    """What the reflector lists and watches of it (``fieldSelector``); empty: everything."""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str = "", subresource: str = "") -> str:
        """Collection path (all namespaces when ``namespace`` is None) or object path."""
        out = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace is not None:
            out += f"/namespaces/{namespace}"
        out += f"/{self.plural}"
        if name:
            out += f"/{name}"
            if subresource:
                out += f"/{subresource}"
        return out


GATEWAY_CLASSES = Resource(GATEWAY_GROUP, "v1", "GatewayClass", "gatewayclasses", False)
GATEWAYS = Resource(GATEWAY_GROUP, "v1", "Gateway", "gateways", True)
LISTENER_SETS = Resource(GATEWAY_GROUP, "v1", "ListenerSet", "listenersets", True, optional=True)
HTTP_ROUTES = Resource(GATEWAY_GROUP, "v1", "HTTPRoute", "httproutes", True)
GRPC_ROUTES = Resource(GATEWAY_GROUP, "v1", "GRPCRoute", "grpcroutes", True, optional=True)
TCP_ROUTES = Resource(GATEWAY_GROUP, "v1", "TCPRoute", "tcproutes", True, optional=True)
UDP_ROUTES = Resource(GATEWAY_GROUP, "v1", "UDPRoute", "udproutes", True, optional=True)
TLS_ROUTES = Resource(GATEWAY_GROUP, "v1", "TLSRoute", "tlsroutes", True, optional=True)
REFERENCE_GRANTS = Resource(GATEWAY_GROUP, "v1beta1", "ReferenceGrant", "referencegrants", True)
SERVICES = Resource("", "v1", "Service", "services", True)
ENDPOINT_SLICES = Resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True)
NAMESPACES = Resource("", "v1", "Namespace", "namespaces", False)
NODES = Resource("", "v1", "Node", "nodes", False)
SECRETS = Resource("", "v1", "Secret", "secrets", True, field_selector="type=kubernetes.io/tls")
"""Only TLS Secrets: what a listener's certificateRefs can use (Helm keeps each release as a
Secret of its own type; a cluster holds thousands of others awsgw never reads)."""
SERVICE_EXPORTS = Resource(
    MULTICLUSTER_GROUP, "v1alpha1", "ServiceExport", "serviceexports", True, optional=True
)
SERVICE_IMPORTS = Resource(
    MULTICLUSTER_GROUP, "v1alpha1", "ServiceImport", "serviceimports", True, optional=True
)
LOAD_BALANCER_CONFIGURATIONS = Resource(
    AWSGW_GROUP,
    "v1alpha1",
    "LoadBalancerConfiguration",
    "loadbalancerconfigurations",
    True,
    optional=True,
)
TARGET_GROUP_POLICIES = Resource(
    AWSGW_GROUP, "v1alpha1", TARGET_GROUP_POLICY, "targetgrouppolicies", True, optional=True
)
LEASES = Resource("coordination.k8s.io", "v1", "Lease", "leases", True)
EVENTS = Resource("events.k8s.io", "v1", "Event", "events", True)

WATCHED = (
    GATEWAY_CLASSES,
    GATEWAYS,
    LISTENER_SETS,
    HTTP_ROUTES,
    GRPC_ROUTES,
    TCP_ROUTES,
    UDP_ROUTES,
    TLS_ROUTES,
    REFERENCE_GRANTS,
    SERVICES,
    ENDPOINT_SLICES,
    NAMESPACES,
    NODES,
    SECRETS,
    SERVICE_EXPORTS,
    SERVICE_IMPORTS,
    LOAD_BALANCER_CONFIGURATIONS,
    TARGET_GROUP_POLICIES,
)
"""What the reflectors list and watch (in this order). ListenerSet (standard since Gateway
API v1.5), GRPCRoute (standard since v1.1), TCPRoute, UDPRoute and TLSRoute (``v1`` since
v1.6), the Multi-Cluster Services CRDs and awsgw's own (the chart's ``crds/``) are optional:
a cluster without them is a cluster without such objects."""

BY_KIND = {r.kind: r for r in (*WATCHED, LEASES, EVENTS)}

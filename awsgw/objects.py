"""Typed Kubernetes and Gateway API objects (the Store's vocabulary).

Pydantic models with camelCase aliases. Unknown fields are kept (``extra="allow"``) and every
object remembers the exact mapping it was read from, so nothing a user wrote is lost when the
object is printed back with its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

GATEWAY_GROUP = "gateway.networking.k8s.io"
MULTICLUSTER_GROUP = "multicluster.x-k8s.io"
Port = Annotated[int, Field(ge=1, le=65535)]


class K8sModel(BaseModel):
    """Base: camelCase aliases, unknown fields kept, populate by name or alias."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=False
    )


class ObjectMeta(K8sModel):
    name: Annotated[str, Field(min_length=1, max_length=253)]
    namespace: str | None = None
    generation: int = 1
    creation_timestamp: str | None = None
    resource_version: str | None = None
    uid: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    deletion_timestamp: str | None = None
    finalizers: list[str] = Field(default_factory=list)


class KubeObject(K8sModel):
    """Any top-level object: apiVersion, kind, metadata; ``raw`` is what was read."""

    api_version: str
    kind: str
    metadata: ObjectMeta
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)
    _order: int = PrivateAttr(default=0)

    @property
    def namespace(self) -> str:
        return self.metadata.namespace or "default"

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def key(self) -> str:
        """``namespace/name`` (or ``name`` for cluster-scoped objects)."""
        if self.metadata.namespace is None and self.kind in CLUSTER_SCOPED:
            return self.name
        return f"{self.namespace}/{self.name}"

    @property
    def raw(self) -> dict[str, Any]:
        return self._raw

    @property
    def order(self) -> int:
        """Position in which the object was read (ties of creation time break on it)."""
        return self._order

    @property
    def generation(self) -> int:
        return self.metadata.generation


CLUSTER_SCOPED = {"GatewayClass", "Namespace"}


# ---------------------------------------------------------------- Gateway API: shared


class ParentReference(K8sModel):
    group: str = GATEWAY_GROUP
    kind: str = "Gateway"
    namespace: str | None = None
    name: str
    section_name: str | None = None
    port: Port | None = None


class LocalObjectReference(K8sModel):
    group: str = ""
    kind: str
    name: str


class SecretObjectReference(K8sModel):
    group: str = ""
    kind: str = "Secret"
    name: str
    namespace: str | None = None


# ---------------------------------------------------------------- GatewayClass


class ParametersReference(K8sModel):
    group: str
    kind: str
    name: str
    namespace: str | None = None


class GatewayClassSpec(K8sModel):
    controller_name: str
    parameters_ref: ParametersReference | None = None
    description: str | None = None


class GatewayClass(KubeObject):
    spec: GatewayClassSpec


# ---------------------------------------------------------------- Gateway


class RouteGroupKind(K8sModel):
    group: str = GATEWAY_GROUP
    kind: str


class LabelSelectorRequirement(K8sModel):
    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] = Field(default_factory=list)


class LabelSelector(K8sModel):
    match_labels: dict[str, str] = Field(default_factory=dict)
    match_expressions: list[LabelSelectorRequirement] = Field(default_factory=list)


class RouteNamespaces(K8sModel):
    from_: Literal["All", "Same", "Selector"] = Field(default="Same", alias="from")
    selector: LabelSelector | None = None


class AllowedRoutes(K8sModel):
    namespaces: RouteNamespaces = Field(default_factory=RouteNamespaces)
    kinds: list[RouteGroupKind] | None = None


class GatewayTLSConfig(K8sModel):
    mode: Literal["Terminate", "Passthrough"] = "Terminate"
    certificate_refs: list[SecretObjectReference] = Field(default_factory=list)
    options: dict[str, str] = Field(default_factory=dict)


class Listener(K8sModel):
    name: Annotated[str, Field(min_length=1, max_length=253)]
    hostname: str | None = None
    port: Port
    protocol: str
    tls: GatewayTLSConfig | None = None
    allowed_routes: AllowedRoutes = Field(default_factory=AllowedRoutes)


class GatewayAddress(K8sModel):
    type: str = "IPAddress"
    value: str | None = None


class GatewayInfrastructure(K8sModel):
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    parameters_ref: LocalObjectReference | None = None


class GatewaySpec(K8sModel):
    gateway_class_name: str
    listeners: Annotated[list[Listener], Field(min_length=1, max_length=64)]
    addresses: list[GatewayAddress] = Field(default_factory=list)
    infrastructure: GatewayInfrastructure | None = None


class Gateway(KubeObject):
    spec: GatewaySpec


# ---------------------------------------------------------------- HTTPRoute


class HTTPPathMatch(K8sModel):
    type: Literal["Exact", "PathPrefix", "RegularExpression"] = "PathPrefix"
    value: str = "/"


class HTTPHeaderMatch(K8sModel):
    type: Literal["Exact", "RegularExpression"] = "Exact"
    name: Annotated[str, Field(min_length=1)]
    value: str


class HTTPQueryParamMatch(K8sModel):
    type: Literal["Exact", "RegularExpression"] = "Exact"
    name: Annotated[str, Field(min_length=1)]
    value: str


class HTTPRouteMatch(K8sModel):
    path: HTTPPathMatch = Field(default_factory=HTTPPathMatch)
    headers: list[HTTPHeaderMatch] = Field(default_factory=list)
    query_params: list[HTTPQueryParamMatch] = Field(default_factory=list)
    method: str | None = None


class HTTPPathModifier(K8sModel):
    type: Literal["ReplaceFullPath", "ReplacePrefixMatch"]
    replace_full_path: str | None = None
    replace_prefix_match: str | None = None


class HTTPRequestRedirectFilter(K8sModel):
    scheme: str | None = None
    hostname: str | None = None
    path: HTTPPathModifier | None = None
    port: Port | None = None
    status_code: int = 302


class HTTPURLRewriteFilter(K8sModel):
    hostname: str | None = None
    path: HTTPPathModifier | None = None


class HTTPRouteFilter(K8sModel):
    type: str
    request_redirect: HTTPRequestRedirectFilter | None = None
    url_rewrite: HTTPURLRewriteFilter | None = None


class HTTPBackendRef(K8sModel):
    group: str = ""
    kind: str = "Service"
    name: str
    namespace: str | None = None
    port: Port | None = None
    weight: Annotated[int, Field(ge=0, le=1_000_000)] = 1
    filters: list[HTTPRouteFilter] = Field(default_factory=list)


class HTTPRouteRule(K8sModel):
    name: str | None = None
    matches: list[HTTPRouteMatch] = Field(default_factory=lambda: [HTTPRouteMatch()])
    filters: list[HTTPRouteFilter] = Field(default_factory=list)
    backend_refs: list[HTTPBackendRef] = Field(default_factory=list)


class HTTPRouteSpec(K8sModel):
    parent_refs: list[ParentReference] = Field(default_factory=list)
    hostnames: list[str] = Field(default_factory=list)
    rules: list[HTTPRouteRule] = Field(default_factory=lambda: [HTTPRouteRule()])


@dataclass(frozen=True, order=True)
class RouteRef:
    """One Route's identity: its kind and ``namespace/name`` (an HTTPRoute and a GRPCRoute
    may share a name)."""

    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class RouteObject(KubeObject):
    """What every Route kind has."""

    @property
    def ref(self) -> RouteRef:
        return RouteRef(self.kind, self.key)


class HTTPRoute(RouteObject):
    spec: HTTPRouteSpec


# ---------------------------------------------------------------- GRPCRoute


class GRPCMethodMatch(K8sModel):
    type: Literal["Exact", "RegularExpression"] = "Exact"
    service: str | None = None
    method: str | None = None


class GRPCRouteMatch(K8sModel):
    method: GRPCMethodMatch | None = None
    headers: list[HTTPHeaderMatch] = Field(default_factory=list)


class GRPCRouteRule(K8sModel):
    """Filters are kept as generic ``HTTPRouteFilter`` (type plus fields); GRPCRoute filter
    types (RequestHeaderModifier, RequestMirror, ...) have no redirect or rewrite."""

    name: str | None = None
    matches: list[GRPCRouteMatch] = Field(default_factory=list)
    filters: list[HTTPRouteFilter] = Field(default_factory=list)
    backend_refs: list[HTTPBackendRef] = Field(default_factory=list)


class GRPCRouteSpec(K8sModel):
    parent_refs: list[ParentReference] = Field(default_factory=list)
    hostnames: list[str] = Field(default_factory=list)
    rules: list[GRPCRouteRule] = Field(default_factory=lambda: [GRPCRouteRule()])


class GRPCRoute(RouteObject):
    spec: GRPCRouteSpec


Route = HTTPRoute | GRPCRoute
"""The Route kinds awsgw attaches to Gateways."""


# ---------------------------------------------------------------- ReferenceGrant


class ReferenceGrantFrom(K8sModel):
    group: str
    kind: str
    namespace: str


class ReferenceGrantTo(K8sModel):
    group: str
    kind: str
    name: str | None = None


class ReferenceGrantSpec(K8sModel):
    from_: list[ReferenceGrantFrom] = Field(alias="from")
    to: list[ReferenceGrantTo]


class ReferenceGrant(KubeObject):
    spec: ReferenceGrantSpec


# ---------------------------------------------------------------- core/v1, discovery/v1


class Namespace(KubeObject):
    pass


class ServicePort(K8sModel):
    name: str | None = None
    port: Port
    target_port: int | str | None = None
    protocol: str = "TCP"
    app_protocol: str | None = None


class ServiceSpec(K8sModel):
    type: str = "ClusterIP"
    ports: list[ServicePort] = Field(default_factory=list)
    external_name: str | None = None


class Service(KubeObject):
    spec: ServiceSpec = Field(default_factory=ServiceSpec)


class EndpointConditions(K8sModel):
    ready: bool | None = None
    serving: bool | None = None
    terminating: bool | None = None


class Endpoint(K8sModel):
    addresses: list[str]
    conditions: EndpointConditions = Field(default_factory=EndpointConditions)


class EndpointPort(K8sModel):
    name: str | None = None
    port: int | None = None
    protocol: str = "TCP"


class EndpointSlice(KubeObject):
    address_type: str = "IPv4"
    endpoints: list[Endpoint] = Field(default_factory=list)
    ports: list[EndpointPort] | None = None


class Secret(KubeObject):
    type: str = "Opaque"
    data: dict[str, str] = Field(default_factory=dict)
    string_data: dict[str, str] = Field(default_factory=dict)


# ---------------------------------------------------------------- Multi-Cluster Services (KEP-1645)


class ServiceExport(KubeObject):
    """Exports the Service of the same namespace and name to the cluster set."""


class ServiceImportPort(K8sModel):
    name: str | None = None
    port: Port
    protocol: str = "TCP"
    app_protocol: str | None = None


class ServiceImportSpec(K8sModel):
    type: str = "ClusterSetIP"
    ports: list[ServiceImportPort] = Field(default_factory=list)
    ips: list[str] = Field(default_factory=list)


class ServiceImport(KubeObject):
    """A Service exported by some cluster of the set, as seen in this one."""

    spec: ServiceImportSpec = Field(default_factory=ServiceImportSpec)


KINDS: dict[tuple[str, str], type[KubeObject]] = {
    (GATEWAY_GROUP, "GatewayClass"): GatewayClass,
    (GATEWAY_GROUP, "Gateway"): Gateway,
    (GATEWAY_GROUP, "HTTPRoute"): HTTPRoute,
    (GATEWAY_GROUP, "GRPCRoute"): GRPCRoute,
    (GATEWAY_GROUP, "ReferenceGrant"): ReferenceGrant,
    ("", "Namespace"): Namespace,
    ("", "Service"): Service,
    ("", "Secret"): Secret,
    ("discovery.k8s.io", "EndpointSlice"): EndpointSlice,
    (MULTICLUSTER_GROUP, "ServiceExport"): ServiceExport,
    (MULTICLUSTER_GROUP, "ServiceImport"): ServiceImport,
}
"""(API group, kind) → model. Gateway API versions v1 and v1beta1 share one model."""

SUPPORTED_VERSIONS: dict[str, set[str]] = {
    GATEWAY_GROUP: {"v1", "v1beta1"},
    "": {"v1"},
    "discovery.k8s.io": {"v1"},
    MULTICLUSTER_GROUP: {"v1alpha1"},
}

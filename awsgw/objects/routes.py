"""Routes (HTTPRoute, GRPCRoute) and ReferenceGrant (``gateway.networking.k8s.io``)."""

from __future__ import annotations

from typing import Annotated, Literal, NamedTuple

from pydantic import Field

from awsgw.objects.gateways import ParentReference
from awsgw.objects.meta import K8sModel, KubeObject, Port, computed_once

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


class RouteRef(NamedTuple):
    """One Route's identity: its kind and ``namespace/name`` (an HTTPRoute and a GRPCRoute
    may share a name). A named tuple: it keys the core's maps on every path a Route takes
    through a pass, and a tuple hashes and compares without calling back into Python."""

    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class RouteObject(KubeObject):
    """What every Route kind has."""

    @computed_once
    def ref(self) -> RouteRef:
        return RouteRef(self.kind, self.key)

    @property
    def hostnames(self) -> list[str]:
        """The Route's hostnames (none for TCPRoute and UDPRoute)."""
        spec = getattr(self, "spec", None)
        names: list[str] = getattr(spec, "hostnames", None) or []
        return names


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


RequestRoute = HTTPRoute | GRPCRoute
"""Routes of requests: a listener chooses a rule per request."""


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

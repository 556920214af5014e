"""Stream Routes: TCPRoute, UDPRoute and TLSRoute (``gateway.networking.k8s.io/v1`` since
Gateway API v1.6; ``v1alpha2``, and ``v1alpha3`` for TLSRoute, read as the same model).

``v1`` allows one rule of 1–16 backendRefs; ``v1alpha2`` up to 16 rules."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from awsgw.objects.gateways import ParentReference
from awsgw.objects.meta import K8sModel
from awsgw.objects.routes import HTTPBackendRef, RequestRoute, RouteObject


class StreamRouteRule(K8sModel):
    name: str | None = None
    backend_refs: Annotated[list[HTTPBackendRef], Field(min_length=1, max_length=16)]


class StreamRouteSpec(K8sModel):
    parent_refs: list[ParentReference] = Field(default_factory=list)
    rules: Annotated[list[StreamRouteRule], Field(min_length=1, max_length=16)]


class TLSRouteSpec(StreamRouteSpec):
    hostnames: list[str] = Field(default_factory=list)


class TCPRoute(RouteObject):
    spec: StreamRouteSpec


class UDPRoute(RouteObject):
    spec: StreamRouteSpec


class TLSRoute(RouteObject):
    spec: TLSRouteSpec


StreamRoute = TCPRoute | UDPRoute | TLSRoute
"""Routes of connections (no requests): a listener forwards a whole connection."""

Route = RequestRoute | StreamRoute
"""Every Route kind awsgw attaches to Gateways."""

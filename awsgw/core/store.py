"""The Store: every object the core reads, indexed by kind and key.

Filled by a source (manifest files or the Kubernetes API); the core never knows which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from awsgw.objects import (
    EndpointSlice,
    Gateway,
    GatewayClass,
    GRPCRoute,
    HTTPRoute,
    KubeObject,
    ListenerSet,
    Namespace,
    Node,
    ReferenceGrant,
    Route,
    Secret,
    Service,
    ServiceExport,
    ServiceImport,
    TCPRoute,
    TLSRoute,
    UDPRoute,
)

T = TypeVar("T", bound=KubeObject)
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def age_order(obj: KubeObject) -> tuple[str, int, str]:
    """The Gateway API's conflict order between objects (Routes, policies): oldest first,
    then ``namespace/name``; without timestamps, read order is age."""
    created = obj.metadata.creation_timestamp
    return (created or "", 0 if created else obj.order, obj.key)


@dataclass
class Store:
    """Objects by kind, then by key (``ns/name`` or ``name``)."""

    objects: dict[str, dict[str, KubeObject]] = field(default_factory=dict)

    @classmethod
    def of(cls, objects: Iterable[KubeObject]) -> Store:
        store = cls()
        for obj in objects:
            store.put(obj)
        return store

    def put(self, obj: KubeObject) -> None:
        self.objects.setdefault(obj.kind, {})[obj.key] = obj

    def remove(self, kind: str, key: str) -> None:
        self.objects.get(kind, {}).pop(key, None)

    def all(self, kind: str, typ: type[T]) -> list[T]:
        """Objects of a kind in a stable order (namespace/name)."""
        found = self.objects.get(kind, {})
        return [o for _, o in sorted(found.items()) if isinstance(o, typ)]

    def get(self, kind: str, key: str, typ: type[T]) -> T | None:
        obj = self.objects.get(kind, {}).get(key)
        return obj if isinstance(obj, typ) else None

    # -- typed conveniences
    def gateway_classes(self) -> list[GatewayClass]:
        return self.all("GatewayClass", GatewayClass)

    def gateways(self) -> list[Gateway]:
        return self.all("Gateway", Gateway)

    def listener_sets(self) -> list[ListenerSet]:
        return self.all("ListenerSet", ListenerSet)

    def http_routes(self) -> list[HTTPRoute]:
        return self.all("HTTPRoute", HTTPRoute)

    def grpc_routes(self) -> list[GRPCRoute]:
        return self.all("GRPCRoute", GRPCRoute)

    def routes(self) -> list[Route]:
        """Every Route awsgw attaches: HTTPRoutes, GRPCRoutes, then the stream Routes."""
        return [
            *self.http_routes(),
            *self.grpc_routes(),
            *self.all("TCPRoute", TCPRoute),
            *self.all("UDPRoute", UDPRoute),
            *self.all("TLSRoute", TLSRoute),
        ]

    def service_exports(self) -> list[ServiceExport]:
        return self.all("ServiceExport", ServiceExport)

    def service_import(self, namespace: str, name: str) -> ServiceImport | None:
        return self.get("ServiceImport", f"{namespace}/{name}", ServiceImport)

    def reference_grants(self, namespace: str) -> list[ReferenceGrant]:
        return [g for g in self.all("ReferenceGrant", ReferenceGrant) if g.namespace == namespace]

    def service(self, namespace: str, name: str) -> Service | None:
        return self.get("Service", f"{namespace}/{name}", Service)

    def secret(self, namespace: str, name: str) -> Secret | None:
        return self.get("Secret", f"{namespace}/{name}", Secret)

    def nodes(self) -> list[Node]:
        return self.all("Node", Node)

    def namespace_labels(self, name: str) -> dict[str, str]:
        """Labels of a namespace; an unlisted namespace has only its automatic name label."""
        ns = self.get("Namespace", name, Namespace)
        labels = dict(ns.metadata.labels) if ns else {}
        labels.setdefault("kubernetes.io/metadata.name", name)
        return labels

    def endpoint_slices(self, namespace: str, service: str) -> list[EndpointSlice]:
        return [
            s
            for s in self.all("EndpointSlice", EndpointSlice)
            if s.namespace == namespace and s.metadata.labels.get(SERVICE_NAME_LABEL) == service
        ]

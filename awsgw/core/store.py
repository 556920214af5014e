"""The Store: every object the core reads, indexed by kind and key.

Filled by a source (manifest files or the Kubernetes API); the core never knows which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from awsgw.objects import (
    GATEWAY_GROUP,
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
ROUTE_KINDS: tuple[tuple[str, type[Route]], ...] = (
    ("HTTPRoute", HTTPRoute),
    ("GRPCRoute", GRPCRoute),
    ("TCPRoute", TCPRoute),
    ("UDPRoute", UDPRoute),
    ("TLSRoute", TLSRoute),
)
"""The Route kinds awsgw attaches, in the order a pass reads them."""


def parent_keys(route: Route) -> set[tuple[str, str]]:
    """(kind, ``namespace/name``) of each Gateway or ListenerSet a Route's parentRefs name."""
    return {
        (ref.kind, f"{ref.namespace or route.namespace}/{ref.name}")
        for ref in route.spec.parent_refs
        if ref.group == GATEWAY_GROUP and ref.kind in ("Gateway", "ListenerSet")
    }


def age_order(obj: KubeObject) -> tuple[str, int, str]:
    """The Gateway API's conflict order between objects (Routes, policies): oldest first,
    then ``namespace/name``; without timestamps, read order is age."""
    created = obj.metadata.creation_timestamp
    return (created or "", 0 if created else obj.order, obj.key)


@dataclass
class Store:
    """Objects by kind, then by key (``ns/name`` or ``name``).

    Lookups the core makes per object (a kind in order, the EndpointSlices of a Service,
    the ReferenceGrants of a namespace, the ListenerSets of a Gateway) are indexed once
    and kept until an object of that kind is put or removed, so a pass costs O(n log n) in
    the objects rather than a scan per lookup. ``objects`` is read-only outside ``put`` and
    ``remove``."""

    objects: dict[str, dict[str, KubeObject]] = field(default_factory=dict)
    _index: dict[tuple[str, str], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """(kind, index name) → the index, built on first use."""

    @classmethod
    def of(cls, objects: Iterable[KubeObject]) -> Store:
        store = cls()
        for obj in objects:
            store.put(obj)
        return store

    def put(self, obj: KubeObject) -> None:
        self.objects.setdefault(obj.kind, {})[obj.key] = obj
        self._forget(obj.kind)

    def remove(self, kind: str, key: str) -> None:
        self.objects.get(kind, {}).pop(key, None)
        self._forget(kind)

    def _forget(self, kind: str) -> None:
        for entry in [k for k in self._index if k[0] == kind]:
            del self._index[entry]

    def _indexed(self, kind: str, name: str, build: Callable[[str], Any]) -> Any:
        """The index ``name`` of a kind: ``build(kind)`` on first use, then remembered (a
        method, not a closure: a lookup that finds it builds nothing)."""
        entry = (kind, name)
        found = self._index.get(entry)
        if found is None:
            found = self._index[entry] = build(kind)
        return found

    def _ordered(self, kind: str) -> list[KubeObject]:
        return self._indexed(kind, "order", self._sort)  # type: ignore[no-any-return]

    def _sort(self, kind: str) -> list[KubeObject]:
        return [o for _, o in sorted(self.objects.get(kind, {}).items())]

    def all(self, kind: str, typ: type[T]) -> list[T]:
        """Objects of a kind in a stable order (namespace/name)."""
        return [o for o in self._ordered(kind) if isinstance(o, typ)]

    def _grouped(
        self, kind: str, name: str, key: Callable[[KubeObject], object]
    ) -> dict[object, list[KubeObject]]:
        """The objects of a kind grouped by ``key`` (the index ``name``), in order."""
        found = self._index.get((kind, name))
        if found is None:
            found = self._index[(kind, name)] = {}
            for o in self._ordered(kind):
                found.setdefault(key(o), []).append(o)
        return found

    def get(self, kind: str, key: str, typ: type[T]) -> T | None:
        obj = self.objects.get(kind, {}).get(key)
        return obj if isinstance(obj, typ) else None

    # -- typed conveniences
    def gateway_classes(self) -> list[GatewayClass]:
        return self.all("GatewayClass", GatewayClass)

    def gateways(self) -> list[Gateway]:
        return self.all("Gateway", Gateway)

    def gateways_of_class(self, class_name: str) -> list[Gateway]:
        """The Gateways whose ``gatewayClassName`` is ``class_name``."""
        by_class = self._grouped("Gateway", "class", _class_name)
        return [o for o in by_class.get(class_name, []) if isinstance(o, Gateway)]

    def gateways_of_controller(self, controller: str) -> list[Gateway]:
        """The Gateways of every GatewayClass naming ``controller``, by key."""
        found = [
            gw
            for gc in self.gateway_classes()
            if gc.spec.controller_name == controller
            for gw in self.gateways_of_class(gc.name)
        ]
        return sorted(found, key=lambda gw: gw.key)

    def listener_sets(self) -> list[ListenerSet]:
        return self.all("ListenerSet", ListenerSet)

    def listener_sets_naming(self, gateway_key: str) -> list[ListenerSet]:
        """The ListenerSets whose parentRef names the Gateway."""
        by_gateway = self._grouped("ListenerSet", "gateway", _set_gateway)
        return [o for o in by_gateway.get(gateway_key, []) if isinstance(o, ListenerSet)]

    def http_routes(self) -> list[HTTPRoute]:
        return self.all("HTTPRoute", HTTPRoute)

    def grpc_routes(self) -> list[GRPCRoute]:
        return self.all("GRPCRoute", GRPCRoute)

    def routes(self) -> list[Route]:
        """Every Route awsgw attaches: HTTPRoutes, GRPCRoutes, then the stream Routes."""
        return [r for kind, typ in ROUTE_KINDS for r in self.all(kind, typ)]

    def routes_naming(self, gateways: Iterable[str]) -> list[Route]:
        """The Routes whose parentRefs name one of the Gateways, directly or through a
        ListenerSet naming it; in ``routes()`` order, each once."""
        wanted = set()
        for key in gateways:
            wanted.add(("Gateway", key))
            wanted |= {("ListenerSet", s.key) for s in self.listener_sets_naming(key)}
        out: list[Route] = []
        for kind, typ in ROUTE_KINDS:
            by_parent = self._by_parent(kind)
            found = {r.key: r for p in wanted for r in by_parent.get(p, ())}
            out += [r for _, r in sorted(found.items()) if isinstance(r, typ)]
        return out

    def _by_parent(self, kind: str) -> dict[tuple[str, str], list[KubeObject]]:
        return self._indexed(kind, "parent", self._group_by_parent)  # type: ignore[no-any-return]

    def _group_by_parent(self, kind: str) -> dict[tuple[str, str], list[KubeObject]]:
        out: dict[tuple[str, str], list[KubeObject]] = {}
        for o in self._ordered(kind):
            for parent in parent_keys(o) if isinstance(o, Route) else ():
                out.setdefault(parent, []).append(o)
        return out

    def co_parents(self, gateway: str) -> set[str]:
        """The Gateway and every other Gateway a Route naming it also names (through a
        ListenerSet too): what a pass over that Gateway must attach for Route statuses."""
        keys = {gateway}
        for route in self.routes_naming([gateway]):
            for kind, key in parent_keys(route):
                if kind == "Gateway":
                    keys.add(key)
                elif (ls := self.get("ListenerSet", key, ListenerSet)) and ls.gateway_key:
                    keys.add(ls.gateway_key)
        return keys

    def service_exports(self) -> list[ServiceExport]:
        return self.all("ServiceExport", ServiceExport)

    def service_import(self, namespace: str, name: str) -> ServiceImport | None:
        return self.get("ServiceImport", f"{namespace}/{name}", ServiceImport)

    def reference_grants(self, namespace: str) -> list[ReferenceGrant]:
        by_namespace = self._grouped("ReferenceGrant", "namespace", _namespace)
        return [g for g in by_namespace.get(namespace, []) if isinstance(g, ReferenceGrant)]

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
        by_service = self._grouped("EndpointSlice", "service", _service)
        found = by_service.get((namespace, service), [])
        return [s for s in found if isinstance(s, EndpointSlice)]


# the keys the Store groups objects by (module functions: a lookup creates no closure)
def _class_name(o: KubeObject) -> str | None:
    return o.spec.gateway_class_name if isinstance(o, Gateway) else None


def _set_gateway(o: KubeObject) -> str | None:
    return o.gateway_key if isinstance(o, ListenerSet) else None


def _namespace(o: KubeObject) -> str:
    return o.namespace


def _service(o: KubeObject) -> tuple[str, str | None]:
    return (o.namespace, o.metadata.labels.get(SERVICE_NAME_LABEL))

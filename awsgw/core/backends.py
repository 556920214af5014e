"""Backend references: resolution (kind, ReferenceGrant, existence) and target discovery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from awsgw.core.conditions import Reason, Verdict
from awsgw.core.refs import granted
from awsgw.core.store import Store
from awsgw.objects import (
    GATEWAY_GROUP,
    MULTICLUSTER_GROUP,
    HTTPBackendRef,
    KubeObject,
    Route,
    Service,
    ServicePort,
)

SERVICE_ONLY = frozenset({("", "Service")})


class BackendKey(NamedTuple):
    """A Service port (or a ServiceImport port): what a shared target group stands for. A
    named tuple, as ``RouteRef``: every rule's backends are looked up by it."""

    namespace: str
    name: str
    port: int
    kind: str = "Service"
    """``Service``, or ``ServiceImport`` (targets live in the clusters that export it)."""

    def __str__(self) -> str:
        prefix = "" if self.kind == "Service" else f"{self.kind} "
        return f"{prefix}{self.namespace}/{self.name}:{self.port}"


@dataclass(frozen=True)
class ResolvedBackend:
    weight: int
    key: BackendKey | None
    problem: Verdict | None = None
    """The (false) ResolvedRefs verdict when the reference is invalid."""


def resolve_backend(
    route: KubeObject,
    ref: HTTPBackendRef,
    store: Store,
    kinds: frozenset[tuple[str, str]] = SERVICE_ONLY,
    kinds_text: str = "core Services",
) -> ResolvedBackend:
    """Check one backendRef: kind (among ``kinds``), ReferenceGrant, existence and port."""
    ns = ref.namespace or route.namespace

    def bad(reason: Reason, message: str) -> ResolvedBackend:
        what = f"backendRef {ref.group or 'core'}/{ref.kind} {ns}/{ref.name}"
        return ResolvedBackend(ref.weight, None, Verdict(False, reason, f"{what}: {message}"))

    if (ref.group, ref.kind) not in kinds:
        return bad(Reason.INVALID_KIND, f"only {kinds_text} are supported")
    if ns != route.namespace and not granted(
        store,
        from_group=GATEWAY_GROUP,
        from_kind=route.kind,
        from_namespace=route.namespace,
        to_group=ref.group,
        to_kind=ref.kind,
        to_namespace=ns,
        to_name=ref.name,
    ):
        return bad(
            Reason.REF_NOT_PERMITTED, "no ReferenceGrant allows this cross-namespace reference"
        )
    if (ref.group, ref.kind) == (MULTICLUSTER_GROUP, "ServiceImport"):
        return _resolve_import(ref, ns, store, bad)
    service = store.service(ns, ref.name)
    if service is None:
        return bad(Reason.BACKEND_NOT_FOUND, "Service not found")
    if ref.port is None:
        return bad(Reason.BACKEND_NOT_FOUND, "port is required for a Service")
    if service_port(service, ref.port) is None:
        return bad(Reason.BACKEND_NOT_FOUND, f"Service has no port {ref.port}")
    if service.spec.type == "ExternalName":
        return bad(Reason.BACKEND_NOT_FOUND, "ExternalName Services have no endpoints")
    return ResolvedBackend(ref.weight, BackendKey(ns, ref.name, ref.port))


BackendRefKey = tuple[str, str, str, str, str | None, str, int | None, int]
"""What a backendRef's resolution depends on: the Route's kind and namespace, the ref's
group, kind, namespace, name, port and weight."""


@dataclass
class BackendResolver:
    """``resolve_backend`` over one pass's Store, each distinct reference once: the Routes of
    a namespace name the same few Services again and again, and a resolution is a value."""

    store: Store
    kinds: frozenset[tuple[str, str]] = SERVICE_ONLY
    kinds_text: str = "core Services"
    _known: dict[BackendRefKey, ResolvedBackend] = field(default_factory=dict, repr=False)

    def of_route(self, route: Route) -> list[list[ResolvedBackend]]:
        """Per rule of the Route, per backendRef: the resolved backend."""
        kind, namespace = route.kind, route.namespace
        out = []
        for rule in route.spec.rules:
            resolved = []
            for ref in rule.backend_refs:
                key = (
                    kind, namespace, ref.group, ref.kind, ref.namespace, ref.name, ref.port,
                    ref.weight,
                )  # fmt: skip
                found = self._known.get(key)
                if found is None:
                    found = resolve_backend(route, ref, self.store, self.kinds, self.kinds_text)
                    self._known[key] = found
                resolved.append(found)
            out.append(resolved)
        return out


def _resolve_import(
    ref: HTTPBackendRef, ns: str, store: Store, bad: Callable[[Reason, str], ResolvedBackend]
) -> ResolvedBackend:
    """A ServiceImport port; whether some cluster really exports it only a provider knows."""
    imported = store.service_import(ns, ref.name)
    if imported is None:
        return bad(Reason.BACKEND_NOT_FOUND, "ServiceImport not found")
    if ref.port is None:
        return bad(Reason.BACKEND_NOT_FOUND, "port is required for a ServiceImport")
    if imported.spec.ports and all(p.port != ref.port for p in imported.spec.ports):
        return bad(Reason.BACKEND_NOT_FOUND, f"ServiceImport has no port {ref.port}")
    return ResolvedBackend(ref.weight, BackendKey(ns, ref.name, ref.port, "ServiceImport"))


def service_port(service: Service, port: int) -> ServicePort | None:
    for p in service.spec.ports:
        if p.port == port:
            return p
    return None


def ready_targets(store: Store, key: BackendKey) -> tuple[tuple[str, int], ...]:
    """(IPv4, port) pairs of ready endpoints behind a Service port, sorted.

    The EndpointSlice port is the one named like the Service port; an endpoint whose
    ``ready`` condition is unset counts as ready (EndpointSlice API). A ServiceImport has no
    local targets.
    """
    if key.kind != "Service":
        return ()
    service = store.service(key.namespace, key.name)
    sp = service_port(service, key.port) if service else None
    if sp is None:
        return ()
    name = sp.name or ""
    found: set[tuple[str, int]] = set()
    for slice_ in store.endpoint_slices(key.namespace, key.name):
        if slice_.address_type != "IPv4":
            continue
        port = next((p.port for p in slice_.ports or [] if (p.name or "") == name and p.port), None)
        if port is None and isinstance(sp.target_port, int):
            port = sp.target_port
        if port is None:
            continue
        for ep in slice_.endpoints:
            if ep.conditions.ready is not False:
                found.update([(addr, port) for addr in ep.addresses])
    return tuple(sorted(found))


NODE_PORT_TYPES = ("NodePort", "LoadBalancer")
EXCLUDED_NODE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"


def instance_targets(store: Store, key: BackendKey) -> tuple[tuple[str, int], ...]:
    """(EC2 instance ID, node port) of every ready Node behind a NodePort or LoadBalancer
    Service port, sorted (Nodes labelled ``node.kubernetes.io/exclude-from-external-load-
    balancers`` and those without an AWS ``providerID`` left out)."""
    service = store.service(key.namespace, key.name)
    sp = service_port(service, key.port) if service else None
    if service is None or sp is None or sp.node_port is None:
        return ()
    if service.spec.type not in NODE_PORT_TYPES:
        return ()
    return tuple(
        sorted(
            (node.instance_id, sp.node_port)
            for node in store.nodes()
            if node.ready
            and node.instance_id is not None
            and EXCLUDED_NODE_LABEL not in node.metadata.labels
        )
    )

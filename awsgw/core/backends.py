"""Backend references: resolution (kind, ReferenceGrant, existence) and target discovery."""

from __future__ import annotations

from dataclasses import dataclass

from awsgw.core.refs import granted
from awsgw.core.store import Store
from awsgw.objects import GATEWAY_GROUP, HTTPBackendRef, KubeObject, Service, ServicePort


@dataclass(frozen=True)
class BackendKey:
    """A Service port: what a shared target group stands for."""

    namespace: str
    name: str
    port: int

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}:{self.port}"


@dataclass(frozen=True)
class ResolvedBackend:
    weight: int
    key: BackendKey | None
    problem: tuple[str, str] | None = None
    """(ResolvedRefs reason, message) when the reference is invalid."""


def resolve_backend(route: KubeObject, ref: HTTPBackendRef, store: Store) -> ResolvedBackend:
    ns = ref.namespace or route.namespace
    what = f"backendRef {ref.group or 'core'}/{ref.kind} {ns}/{ref.name}"

    def bad(reason: str, message: str) -> ResolvedBackend:
        return ResolvedBackend(ref.weight, None, (reason, f"{what}: {message}"))

    if ref.group != "" or ref.kind != "Service":
        return bad("InvalidKind", "only core Services are supported")
    if not granted(
        store,
        from_group=GATEWAY_GROUP,
        from_kind=route.kind,
        from_namespace=route.namespace,
        to_group="",
        to_kind="Service",
        to_namespace=ns,
        to_name=ref.name,
    ):
        return bad("RefNotPermitted", "no ReferenceGrant allows this cross-namespace reference")
    service = store.service(ns, ref.name)
    if service is None:
        return bad("BackendNotFound", "Service not found")
    if ref.port is None:
        return bad("BackendNotFound", "port is required for a Service")
    if service_port(service, ref.port) is None:
        return bad("BackendNotFound", f"Service has no port {ref.port}")
    if service.spec.type == "ExternalName":
        return bad("BackendNotFound", "ExternalName Services have no endpoints")
    return ResolvedBackend(ref.weight, BackendKey(ns, ref.name, ref.port))


def service_port(service: Service, port: int) -> ServicePort | None:
    return next((p for p in service.spec.ports if p.port == port), None)


def ready_targets(store: Store, key: BackendKey) -> tuple[tuple[str, int], ...]:
    """(IPv4, port) pairs of ready endpoints behind a Service port, sorted.

    The EndpointSlice port is the one named like the Service port; an endpoint whose
    ``ready`` condition is unset counts as ready (EndpointSlice API).
    """
    service = store.service(key.namespace, key.name)
    sp = service_port(service, key.port) if service else None
    if sp is None:
        return ()
    found: set[tuple[str, int]] = set()
    for slice_ in store.endpoint_slices(key.namespace, key.name):
        if slice_.address_type != "IPv4":
            continue
        port = next(
            (p.port for p in slice_.ports or [] if (p.name or "") == (sp.name or "") and p.port),
            None,
        )
        if port is None and isinstance(sp.target_port, int):
            port = sp.target_port
        if port is None:
            continue
        for ep in slice_.endpoints:
            if ep.conditions.ready is False:
                continue
            found.update((addr, port) for addr in ep.addresses)
    return tuple(sorted(found))

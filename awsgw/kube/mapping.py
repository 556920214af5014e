"""Which work-queue keys an object change affects (pure: objects and the Store in, keys out).

Keys are Gateway keys (``ns/name``) plus two special ones: ``@classes`` (GatewayClass
statuses, no AWS work) and ``@full`` (a full pass with garbage collection). Both the old
and the new version of an object count: a Route moved from Gateway A to B affects both.
ServiceExports (and the Services and endpoints they export) are published by every pass,
whether or not any Gateway uses them: their changes map to ``@full``.
Changes only to ``status``, ``resourceVersion``, ``managedFields`` or ``finalizers`` affect
nothing: they are our own writes echoing back (or another controller's status).
"""

from __future__ import annotations

from typing import Any

from awsgw.core.policies import named_services
from awsgw.core.store import SERVICE_NAME_LABEL, Store
from awsgw.objects import (
    GATEWAY_GROUP,
    LOAD_BALANCER_CONFIGURATION,
    MULTICLUSTER_GROUP,
    TARGET_GROUP_POLICY,
    Gateway,
    GatewayClass,
    GRPCRoute,
    HTTPRoute,
    KubeObject,
    ListenerSet,
    Route,
    TargetGroupPolicy,
    TCPRoute,
    TLSRoute,
    UDPRoute,
)

FULL = "@full"
CLASSES = "@classes"
IGNORED_METADATA = ("resourceVersion", "managedFields", "finalizers")


def _essence(obj: KubeObject) -> dict[str, Any]:
    doc = {k: v for k, v in obj.raw.items() if k != "status"}
    meta = doc.get("metadata") or {}
    doc["metadata"] = {k: v for k, v in meta.items() if k not in IGNORED_METADATA}
    return doc


def meaningful(old: KubeObject | None, new: KubeObject | None) -> bool:
    """Is this change more than an echo of a status or bookkeeping write?"""
    if old is None or new is None:
        return True
    return _essence(old) != _essence(new)


ROUTE_TYPES = (HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute)
ROUTE_KINDS = tuple(t.__name__ for t in ROUTE_TYPES)


def route_parents(route: Route, store: Store | None = None) -> set[str]:
    """The Gateways a Route names: directly, or (given the ``store``) through the
    ListenerSets it names."""
    out = set()
    for ref in route.spec.parent_refs:
        if ref.group != GATEWAY_GROUP:
            continue
        key = f"{ref.namespace or route.namespace}/{ref.name}"
        if ref.kind == "Gateway":
            out.add(key)
        elif ref.kind == "ListenerSet" and store is not None:
            found = store.get("ListenerSet", key, ListenerSet)
            if found is not None and found.gateway_key is not None:
                out.add(found.gateway_key)
    return out


def route_backends(route: Route, group: str = "", kind: str = "Service") -> set[tuple[str, str]]:
    """(namespace, name) of every backend of a kind a Route's rules send traffic to."""
    return {
        (ref.namespace or route.namespace, ref.name)
        for rule in route.spec.rules
        for ref in rule.backend_refs
        if ref.group == group and ref.kind == kind
    }


def route_services(route: Route) -> set[tuple[str, str]]:
    """(namespace, name) of every Service a Route's rules send traffic to."""
    return route_backends(route)


def route_imports(route: Route) -> set[tuple[str, str]]:
    """(namespace, name) of every ServiceImport a Route's rules send traffic to."""
    return route_backends(route, MULTICLUSTER_GROUP, "ServiceImport")


def certificate_refs(owner: Gateway | ListenerSet) -> set[tuple[str, str]]:
    """(namespace, name) of the Secrets a Gateway's or a ListenerSet's listeners present."""
    return {
        (ref.namespace or owner.namespace, ref.name)
        for ls in owner.spec.listeners
        if ls.tls is not None
        for ref in ls.tls.certificate_refs
    }


def _sets_gateways(sets: list[ListenerSet]) -> set[str]:
    """The Gateways the ListenerSets name."""
    return {key for ls in sets if (key := ls.gateway_key) is not None}


def _gateways_of_services(store: Store, services: set[tuple[str, str]]) -> set[str]:
    keys = {
        key
        for route in store.routes()
        if route_services(route) & services
        for key in route_parents(route, store)
    }
    exported = {(e.namespace, e.name) for e in store.service_exports()}
    if services & exported:  # its export target groups follow it, whoever routes to it
        keys.add(FULL)
    return keys


def _gateways_of_imports(store: Store, imports: set[tuple[str, str]]) -> set[str]:
    return {
        key
        for route in store.routes()
        if route_imports(route) & imports
        for key in route_parents(route, store)
    }


def _gateways_of_grants(store: Store, namespace: str) -> set[str]:
    """Gateways whose Routes or certificates reach into ``namespace`` from elsewhere."""
    keys = {
        key
        for route in store.routes()
        if any(
            ns == namespace != route.namespace
            for ns, _ in route_services(route) | route_imports(route)
        )
        for key in route_parents(route, store)
    }
    keys |= {
        gw.key
        for gw in store.gateways()
        if any(ns == namespace != gw.namespace for ns, _ in certificate_refs(gw))
    }
    keys |= _sets_gateways(
        [
            ls
            for ls in store.listener_sets()
            if any(ns == namespace != ls.namespace for ns, _ in certificate_refs(ls))
        ],
    )
    return keys


def _policies(objs: list[KubeObject]) -> list[TargetGroupPolicy]:
    return [o for o in objs if isinstance(o, TargetGroupPolicy)]


def _gateways_of_configurations(store: Store, configs: set[tuple[str, str]]) -> set[str]:
    """Gateways whose parametersRef names one of the configurations, and those of the
    classes whose parametersRef does (with the classes themselves)."""
    keys = set()
    for gw in store.gateways():
        ref = gw.spec.infrastructure.parameters_ref if gw.spec.infrastructure else None
        ours = ref is not None and ref.kind == LOAD_BALANCER_CONFIGURATION
        if ours and ref is not None and (gw.namespace, ref.name) in configs:
            keys.add(gw.key)
    classes = {
        gc.name
        for gc in store.gateway_classes()
        if (cref := gc.spec.parameters_ref) is not None
        and cref.kind == LOAD_BALANCER_CONFIGURATION
        and (cref.namespace, cref.name) in configs
    }
    if classes:
        keys |= {CLASSES}
        keys |= {gw.key for gw in store.gateways() if gw.spec.gateway_class_name in classes}
    return keys


def affected(kind: str, old: KubeObject | None, new: KubeObject | None, store: Store) -> set[str]:
    """The keys to enqueue for a change of one object (``old``/``new`` None: added/deleted)."""
    if not meaningful(old, new):
        return set()
    objs = [o for o in (old, new) if o is not None]
    if kind == "Gateway":
        return {o.key for o in objs}
    if kind == "ListenerSet":
        return _sets_gateways([o for o in objs if isinstance(o, ListenerSet)])
    if kind == "GatewayClass":
        names = {o.name for o in objs if isinstance(o, GatewayClass)}
        gateways = {gw.key for gw in store.gateways() if gw.spec.gateway_class_name in names}
        return {CLASSES} | gateways
    if kind in ROUTE_KINDS:
        routes = [o for o in objs if isinstance(o, ROUTE_TYPES)]
        return {key for o in routes for key in route_parents(o, store)}
    if kind == "Service":
        return _gateways_of_services(store, {(o.namespace, o.name) for o in objs})
    if kind == "ServiceExport":
        return {FULL}
    if kind == "ServiceImport":
        return _gateways_of_imports(store, {(o.namespace, o.name) for o in objs})
    if kind == "EndpointSlice":
        services = {
            (o.namespace, o.metadata.labels[SERVICE_NAME_LABEL])
            for o in objs
            if SERVICE_NAME_LABEL in o.metadata.labels
        }
        return _gateways_of_services(store, services) if services else set()
    if kind == "ReferenceGrant":
        return set().union(*(_gateways_of_grants(store, o.namespace) for o in objs))
    if kind == "Namespace":  # selectors of Routes' and ListenerSets' namespaces
        keys = {
            gw.key
            for gw in store.gateways()
            if any(ls.allowed_routes.namespaces.from_ == "Selector" for ls in gw.spec.listeners)
            or (
                gw.spec.allowed_listeners is not None
                and gw.spec.allowed_listeners.namespaces.from_ == "Selector"
            )
        }
        selecting = [
            ls
            for ls in store.listener_sets()
            if any(e.allowed_routes.namespaces.from_ == "Selector" for e in ls.spec.listeners)
        ]
        return keys | _sets_gateways(selecting)
    if kind == LOAD_BALANCER_CONFIGURATION:
        return _gateways_of_configurations(store, {(o.namespace, o.name) for o in objs})
    if kind == "Node":  # the instance targets of Services whose policies ask for them
        services = {
            svc
            for policy in store.all(TARGET_GROUP_POLICY, TargetGroupPolicy)
            if policy.spec.get("targetType") == "instance"
            for svc in named_services(policy)
        }
        return _gateways_of_services(store, services) if services else set()
    if kind == TARGET_GROUP_POLICY:
        named = set().union(*(named_services(p) for p in _policies(objs)))
        return _gateways_of_services(store, named)
    if kind == "Secret":
        secrets = {(o.namespace, o.name) for o in objs}
        keys = {gw.key for gw in store.gateways() if certificate_refs(gw) & secrets}
        presenting = [ls for ls in store.listener_sets() if certificate_refs(ls) & secrets]
        return keys | _sets_gateways(presenting)
    return set()

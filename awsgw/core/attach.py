"""Attachment: which Gateways and Routes are ours, where each Route attaches, and why not.

Pure: Store and the data planes' catalog in, ``Attachment`` out, read-only from then on.
Same input, same output: no clock (the caller gives the time certificates must be valid at),
no AWS. What providers find later is folded in by ``awsgw.core.verdicts``, not written here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from awsgw.core import hostnames as hn
from awsgw.core.backends import BackendResolver, ResolvedBackend
from awsgw.core.capabilities import Capabilities, Catalog
from awsgw.core.conditions import Condition, Reason, Verdict
from awsgw.core.kind_conflicts import kind_conflicts
from awsgw.core.listener_sets import ListenerSetState, listener_sets_of
from awsgw.core.listeners import ListenerState, validate_listeners
from awsgw.core.parameters import (
    NO_PARAMETERS,
    LoadBalancerParameters,
    class_parameters,
    gateway_parameters,
    scheme_note,
)
from awsgw.core.policies import NO_POLICIES, Policies, resolve_policies
from awsgw.core.refs import selects
from awsgw.core.store import Store, age_order
from awsgw.objects import GATEWAY_GROUP, Gateway, GatewayClass, ParentReference, Route, RouteRef

ROUTE_ACCEPTED = Verdict(True, Reason.ACCEPTED, "Route is accepted")
RESOLVED = Verdict(True, Reason.RESOLVED_REFS, "All references resolved")
GATEWAY_ACCEPTED = Verdict(True, Reason.ACCEPTED, "Gateway is accepted")


@dataclass(frozen=True)
class ClassState:
    gateway_class: GatewayClass
    accepted: Verdict
    caps: Capabilities | None
    """The data plane's row (None for a reserved controller awsgw does not serve yet)."""
    parameters: LoadBalancerParameters = NO_PARAMETERS
    """The defaults its ``spec.parametersRef`` gives its Gateways."""

    def conditions(self) -> list[Condition]:
        gen = self.gateway_class.generation
        supported = Verdict(True, Reason.SUPPORTED_VERSION, "Gateway API v1.6.1")
        return [
            Condition.of("Accepted", self.accepted, gen),
            Condition.of("SupportedVersion", supported, gen),
        ]


@dataclass(frozen=True)
class GatewayState:
    gateway: Gateway
    controller: str
    """Its GatewayClass's ``controllerName``."""
    caps: Capabilities
    """The data plane's row (for a reserved controller, the catalog's first: its listeners
    are still checked, though the Gateway is not accepted)."""
    listeners: tuple[ListenerState, ...]
    accepted: Verdict = GATEWAY_ACCEPTED
    address_problem: str | None = None
    """An address the Gateway asks for that the load balancer cannot have."""
    parameters: LoadBalancerParameters = NO_PARAMETERS
    """Its load balancer settings (configuration over the class's defaults)."""
    sets: tuple[ListenerSetState, ...] = ()
    """The ListenerSets naming it, in the spec's precedence (attached or not)."""

    @property
    def usable(self) -> bool:
        return self.accepted.ok

    @property
    def all_listeners(self) -> tuple[ListenerState, ...]:
        """What the load balancer serves: its own listeners, then those of the attached
        ListenerSets (each named by its ``key``)."""
        merged = [ls for st in self.sets if st.attached for ls in st.listeners]
        return (*self.listeners, *merged)


@dataclass(frozen=True)
class Placement:
    """A Route attached to one listener of one Gateway, with the hostnames it serves there."""

    route: Route
    gateway_key: str
    listener: str
    hostnames: tuple[tuple[str, str | None], ...]
    """(hostname served, Route hostname it comes from or None); empty means any host."""


@dataclass(frozen=True)
class ParentState:
    """One ``status.parents`` entry of a Route (only for parents of our controllers)."""

    parent_ref: ParentReference
    gateway_key: str
    controller: str
    accepted: Verdict
    resolved: Verdict = RESOLVED
    partially_invalid: str | None = None
    listener_set: str | None = None
    """The ListenerSet (``namespace/name``) the parentRef names; None: a Gateway."""

    def conditions(self, generation: int) -> list[Condition]:
        out = [
            Condition.of("Accepted", self.accepted, generation),
            Condition.of("ResolvedRefs", self.resolved, generation),
        ]
        if self.partially_invalid:
            partial = Verdict(True, Reason.UNSUPPORTED_VALUE, self.partially_invalid)
            out.append(Condition.of("PartiallyInvalid", partial, generation))
        return out


Backends = list[list[ResolvedBackend]]
"""Per rule, per backendRef: the resolved backend."""


@dataclass(frozen=True)
class Attachment:
    classes: dict[str, ClassState]
    gateways: dict[str, GatewayState]
    route_parents: dict[RouteRef, list[ParentState]]
    """Each Route's parent entries, as attachment alone decides them."""
    placements: dict[str, list[Placement]]
    """Gateway key → Routes placed on its listeners."""
    backends: dict[tuple[RouteRef, str], Backends]
    """(Route, controller) → the backends as that controller's Gateways resolve them."""
    routes: dict[RouteRef, Route]
    """The Routes with a parent entry of ours."""
    policies: Policies = NO_POLICIES
    """TargetGroupPolicies, resolved against the Gateways whose Routes they shape."""
    listener_sets: dict[str, ListenerSetState] = field(default_factory=dict)
    """Every ListenerSet naming a Gateway of ours, by key (its Gateway's ``sets`` too)."""

    def backends_for(self, route: Route, controller: str) -> Backends:
        return self.backends[(route.ref, controller)]


route_order = age_order
"""The spec's conflict order between Routes (``age_order``)."""


def _class_state(gc: GatewayClass, catalog: Catalog, store: Store) -> ClassState | None:
    controller = gc.spec.controller_name
    caps = catalog.get(controller)
    if caps is not None:
        params = class_parameters(gc, store, caps)
        if isinstance(params, Verdict):
            return ClassState(gc, params, caps)
        return ClassState(gc, Verdict(True, Reason.ACCEPTED, caps.accepted), caps, params)
    if controller in catalog.reserved:
        message = f"controller {controller} is not implemented in this version"
        return ClassState(gc, Verdict(False, Reason.UNSUPPORTED, message), None)
    return None


def _refused_address(gw: Gateway, caps: Capabilities) -> str | None:
    """Why a ``spec.addresses`` value cannot be had (None: every value can)."""
    for i, a in enumerate(gw.spec.addresses):
        if not a.value:
            continue
        if a.type not in caps.address_types:
            return caps.no_static_address
        if a.type == "IPAddress" and not _ipv4(a.value):
            return f"spec.addresses[{i}].value: {a.value!r} is not an IPv4 address"
    return None


def _ipv4(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 4
    except ValueError:
        return False


def _gateway_state(
    gw: Gateway, cls: ClassState, fallback: Capabilities, store: Store, now: dt.datetime | None
) -> GatewayState:
    caps = cls.caps or fallback
    listeners = tuple(validate_listeners(gw, store, caps, now))
    accepted = GATEWAY_ACCEPTED
    params = gateway_parameters(gw, cls.parameters, store, caps) if cls.accepted.ok else None
    if not cls.accepted.ok:
        message = f"GatewayClass {cls.gateway_class.name}: {cls.accepted.message}"
        accepted = Verdict(False, Reason.INVALID, message)
    elif isinstance(params, Verdict):
        accepted = params
    elif (refused := _refused_address(gw, caps)) is not None:
        accepted = Verdict(False, Reason.UNSUPPORTED_ADDRESS, refused)
    elif not any(ls.valid for ls in listeners):
        accepted = Verdict(False, Reason.LISTENERS_NOT_VALID, "No listener is valid")
    elif not all(ls.usable for ls in listeners):
        accepted = Verdict(True, Reason.LISTENERS_NOT_VALID, "Some listeners are not valid")
    wanted = {a.type for a in gw.spec.addresses if not a.value} - {"Hostname"}
    problem = None
    if accepted.ok and wanted:
        problem = caps.no_address_type.format(types=", ".join(sorted(wanted)))
    controller = cls.gateway_class.spec.controller_name
    if not isinstance(params, LoadBalancerParameters):
        return GatewayState(gw, controller, caps, listeners, accepted, problem)
    note = scheme_note(gw, params)
    if accepted.ok and note is not None:
        accepted = Verdict(True, accepted.reason, f"{accepted.message}; {note}")
    sets = listener_sets_of(gw, accepted, listeners, store, caps, now)
    return GatewayState(gw, controller, caps, listeners, accepted, problem, params, sets)


def _namespace_allowed(ls: ListenerState, gw: Gateway, route: Route, store: Store) -> bool:
    ns = ls.listener.allowed_routes.namespaces
    if ns.from_ == "All":
        return True
    if ns.from_ == "Same":  # the namespace of the listener's owner (Gateway or ListenerSet)
        owner = ls.set_key.partition("/")[0] if ls.set_key else gw.namespace
        return route.namespace == owner
    return ns.selector is not None and selects(ns.selector, store.namespace_labels(route.namespace))


def _place(
    route: Route,
    ref: ParentReference,
    gws: GatewayState,
    store: Store,
    listener_set: ListenerSetState | None = None,
) -> tuple[Verdict, list[Placement]]:
    """Try to attach a Route through one parentRef (to the Gateway, or to one of its
    ListenerSets: then to that set's listeners only): its Accepted verdict and placements."""
    gw = gws.gateway
    if not gws.usable:
        return Verdict(False, Reason.NO_MATCHING_PARENT, f"Gateway {gw.key} is not accepted"), []
    if listener_set is not None and not listener_set.attached:
        message = f"ListenerSet {listener_set.key} is not attached: {listener_set.accepted.message}"
        return Verdict(False, Reason.NOT_ALLOWED_BY_LISTENERS, message), []
    own = gws.listeners if listener_set is None else listener_set.listeners
    candidates = [
        ls
        for ls in own
        if (ref.section_name is None or ls.listener.name == ref.section_name)
        and (ref.port is None or ls.listener.port == ref.port)
    ]
    if not candidates:
        what = []
        if ref.section_name is not None:
            what.append(f"sectionName {ref.section_name}")
        if ref.port is not None:
            what.append(f"port {ref.port}")
        message = f"No listener matches {' and '.join(what)}"
        return Verdict(False, Reason.NO_MATCHING_PARENT, message), []
    allowed = [
        ls
        for ls in candidates
        if ls.admits(route.kind) and _namespace_allowed(ls, gw, route, store)
    ]
    if not allowed:
        message = "No listener of the parent allows this Route"
        note = gws.caps.kind_notes.get(route.kind)
        kinds = {k.kind for ls in candidates for k in ls.supported_kinds}
        if note and route.kind not in kinds:
            message += f" ({note})"
        return Verdict(False, Reason.NOT_ALLOWED_BY_LISTENERS, message), []
    placements = []
    for ls in allowed:
        # TCP and UDP carry no hostname: a listener's hostname does not apply to them
        listener_host = None if route.kind in ("TCPRoute", "UDPRoute") else ls.listener.hostname
        names = hn.served_hostnames(listener_host, route.hostnames)
        if names is not None:
            placements.append(Placement(route, gw.key, ls.key, tuple(names)))
    if not placements:
        message = "spec.hostnames: none intersects a listener hostname"
        return Verdict(False, Reason.NO_MATCHING_LISTENER_HOSTNAME, message), []
    return ROUTE_ACCEPTED, placements


def _resolved_verdict(backends: Backends) -> Verdict:
    for rule in backends:
        for b in rule:
            if b.problem is not None:
                return b.problem
    return RESOLVED


def _reject_kind_conflicts(
    result: Attachment, through: dict[RouteRef, list[list[Placement]]]
) -> None:
    """Take out the placements ``kind_conflicts`` rejects; a parent entry left with none is
    not accepted, with the reason (during ``attach`` only: the result is not yet shared)."""
    rejected: dict[tuple[RouteRef, str, str], str] = {}
    for key, placements in result.placements.items():
        found = kind_conflicts(placements, result.gateways[key].caps.own_hosts)
        if found:
            rejected.update({(ref, key, ls): why for (ref, ls), why in found.items()})
            result.placements[key] = [
                p for p in placements if (p.route.ref, p.listener) not in found
            ]
    if not rejected:
        return
    for ref, made in through.items():
        parents = result.route_parents[ref]
        for i, placements in enumerate(made):
            keys = [(ref, p.gateway_key, p.listener) for p in placements]
            why = [rejected[k] for k in keys if k in rejected]
            if placements and len(why) == len(placements):
                refused = Verdict(False, Reason.HOSTNAME_CONFLICT, "; ".join(why))
                parents[i] = replace(parents[i], accepted=refused)


def attach(
    store: Store,
    catalog: Catalog,
    now: dt.datetime | None = None,
    scope: Iterable[str] | None = None,
) -> Attachment:
    """Every class, Gateway and Route placement of the controllers in ``catalog``. ``now``
    is the time TLS certificates must be valid at (unchecked without it). ``scope``: only
    these Gateway keys and the Routes naming them (None: every Gateway): what a Gateway
    sees does not depend on the Gateways outside it, so a scoped attachment agrees with the
    whole one on every Gateway in scope."""
    classes = {
        gc.name: st
        for gc in store.gateway_classes()
        if (st := _class_state(gc, catalog, store)) is not None
    }
    fallback = next(iter(catalog.rows.values()))
    if scope is None:
        candidates, routes = store.gateways(), store.routes()
    else:
        keys = sorted(set(scope))
        candidates = [gw for k in keys if (gw := store.get("Gateway", k, Gateway)) is not None]
        routes = store.routes_naming(keys)
    gateways = {
        gw.key: _gateway_state(gw, classes[gw.spec.gateway_class_name], fallback, store, now)
        for gw in candidates
        if gw.spec.gateway_class_name in classes and gw.metadata.deletion_timestamp is None
    }
    sets = {st.key: st for gws in gateways.values() for st in gws.sets}
    caps_of = {gws.controller: gws.caps for gws in gateways.values()}
    resolvers = {
        controller: BackendResolver(store, caps.backend_kinds, caps.backend_kinds_text())
        for controller, caps in caps_of.items()
    }
    """Per controller: its data plane's backend resolution, remembered for this pass."""
    result = Attachment(classes, gateways, {}, {k: [] for k in gateways}, {}, {}, NO_POLICIES, sets)
    through: dict[RouteRef, list[list[Placement]]] = {}
    """Per Route, per parent entry: the placements it made."""
    seen: set[tuple[str, RouteRef, str]] = set()
    """(Gateway, Route, listener key) already placed (two parentRefs may place the same)."""
    for route in routes:
        parents: list[ParentState] = []
        made: list[list[Placement]] = []
        resolved: dict[str, Backends] = {}
        for ref in route.spec.parent_refs:
            if ref.group != GATEWAY_GROUP or ref.kind not in ("Gateway", "ListenerSet"):
                continue
            key = f"{ref.namespace or route.namespace}/{ref.name}"
            listener_set = sets.get(key) if ref.kind == "ListenerSet" else None
            if listener_set is not None:
                key = listener_set.gateway_key
            elif ref.kind == "ListenerSet":
                continue  # not a ListenerSet naming a Gateway of ours
            gws = gateways.get(key)
            if gws is None:
                continue
            if gws.controller not in resolved:
                resolved[gws.controller] = resolvers[gws.controller].of_route(route)
            backends = resolved[gws.controller]
            accepted, placements = _place(route, ref, gws, store, listener_set)
            set_key = listener_set.key if listener_set is not None else None
            parents.append(
                ParentState(
                    ref, key, gws.controller, accepted, _resolved_verdict(backends), None, set_key
                )
            )
            made.append(placements)
            for p in placements:
                if (key, p.route.ref, p.listener) not in seen:
                    seen.add((key, p.route.ref, p.listener))
                    result.placements[key].append(p)
        if parents:
            result.route_parents[route.ref] = parents
            result.routes[route.ref] = route
            through[route.ref] = made
            for controller, backends in resolved.items():
                result.backends[(route.ref, controller)] = backends
    _reject_kind_conflicts(result, through)
    placed = {
        key: (gws.controller, gws.caps, [p.route for p in result.placements[key]])
        for key, gws in gateways.items()
        if gws.usable
    }
    return replace(result, policies=resolve_policies(store, placed))

"""Attachment: which Gateways and Routes are ours, where each Route attaches, and why not.

Pure: Store in, ``Attachment`` out. Same input, same output: no clock, no AWS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from awsgw.core import hostnames as hn
from awsgw.core.backends import ResolvedBackend, resolve_backend
from awsgw.core.capabilities import ALB_CONTROLLER as ALB_CONTROLLER  # re-exported
from awsgw.core.capabilities import CAPABILITIES, RESERVED_CONTROLLERS, capabilities
from awsgw.core.conditions import Condition
from awsgw.core.listeners import ListenerState, validate_listeners
from awsgw.core.refs import selects
from awsgw.core.store import Store
from awsgw.objects import GATEWAY_GROUP, Gateway, GatewayClass, ParentReference, Route

RESOLVED_REASONS = ("BackendNotFound", "RefNotPermitted", "InvalidKind")
"""RuleProblem reasons that are ResolvedRefs reasons (the rest make rules unprogrammable)."""
UNSUPPORTED = "UnsupportedValue"
"""RuleProblem reason of a rule the provider cannot program as written."""
NOTE = "Note"
"""RuleProblem reason of a rule that is programmed but served differently from the spec in
a way the Route must be told (appended to its Accepted message)."""


def route_id(route: Route) -> str:
    """A Route's key in an ``Attachment``: ``ns/name`` for HTTPRoutes (as it always was),
    ``Kind ns/name`` for other kinds (an HTTPRoute and a GRPCRoute may share a name)."""
    return route.key if route.kind == "HTTPRoute" else f"{route.kind} {route.key}"


@dataclass
class ClassState:
    gateway_class: GatewayClass
    accepted: bool
    reason: str
    message: str

    def conditions(self) -> list[Condition]:
        gen = self.gateway_class.generation
        return [
            Condition("Accepted", self.accepted, self.reason, self.message, gen),
            Condition("SupportedVersion", True, "SupportedVersion", "Gateway API v1.6.1", gen),
        ]


@dataclass
class GatewayState:
    gateway: Gateway
    controller: str
    listeners: list[ListenerState]
    accepted: tuple[bool, str, str] = (True, "Accepted", "Gateway is accepted")
    programmed: tuple[bool, str, str] = (False, "Pending", "Waiting for the load balancer")
    address_problem: str | None = None
    """An address the Gateway asks for that the load balancer cannot have."""

    @property
    def usable(self) -> bool:
        return self.accepted[0]


@dataclass(frozen=True)
class Placement:
    """A Route attached to one listener of one Gateway, with the hostnames it serves there."""

    route: Route
    gateway_key: str
    listener: str
    hostnames: tuple[tuple[str, str | None], ...]
    """(hostname served, Route hostname it comes from or None); empty means any host."""


@dataclass
class ParentState:
    """One ``status.parents`` entry of a Route (only for parents of our controller)."""

    parent_ref: ParentReference
    gateway_key: str
    controller: str
    accepted: tuple[bool, str, str]
    resolved: tuple[bool, str, str] = (True, "ResolvedRefs", "All references resolved")
    partially_invalid: str | None = None

    def conditions(self, generation: int) -> list[Condition]:
        out = [
            Condition("Accepted", *self.accepted, generation),
            Condition("ResolvedRefs", *self.resolved, generation),
        ]
        if self.partially_invalid:
            out.append(
                Condition(
                    "PartiallyInvalid", True, "UnsupportedValue", self.partially_invalid, generation
                )
            )
        return out


@dataclass(frozen=True)
class RuleProblem:
    """A Route rule a provider could not program as written (it answers 500 or is dropped),
    or, with a ResolvedRefs ``reason`` (``RESOLVED_REASONS``), a reference only the provider
    could check (the rule is programmed; the reference's share answers an error)."""

    gateway: str
    route: str  # "Kind ns/name"
    rule_index: int
    message: str
    reason: str = UNSUPPORTED


@dataclass
class Attachment:
    classes: dict[str, ClassState]
    gateways: dict[str, GatewayState]
    route_parents: dict[str, list[ParentState]]
    placements: dict[str, list[Placement]]
    """Gateway key → Routes placed on its listeners."""
    backends: dict[str, list[list[ResolvedBackend]]]
    """Route id → per rule, per backendRef: the resolved backend (for its first parent's
    controller; ``backends_for`` gives them per controller)."""
    by_controller: dict[tuple[str, str], list[list[ResolvedBackend]]] = field(default_factory=dict)

    def backends_for(self, route: Route, controller: str) -> list[list[ResolvedBackend]]:
        """Per rule, per backendRef: the backends as a controller's Gateways resolve them."""
        found = self.by_controller.get((route_id(route), controller))
        return found if found is not None else self.backends[route_id(route)]


def _class_state(gc: GatewayClass) -> ClassState | None:
    controller = gc.spec.controller_name
    if controller in CAPABILITIES:
        if gc.spec.parameters_ref is not None:
            return ClassState(
                gc, False, "InvalidParameters", "spec.parametersRef: awsgw takes no parameters"
            )
        return ClassState(gc, True, "Accepted", CAPABILITIES[controller].accepted)
    if controller in RESERVED_CONTROLLERS:
        return ClassState(
            gc, False, "Unsupported", f"controller {controller} is not implemented in this version"
        )
    return None


def _gateway_state(
    gw: Gateway, cls: ClassState, store: Store, now: dt.datetime | None
) -> GatewayState:
    controller = cls.gateway_class.spec.controller_name
    caps = capabilities(controller)
    state = GatewayState(gw, controller, validate_listeners(gw, store, caps, now))
    if not cls.accepted:
        state.accepted = (False, "Invalid", f"GatewayClass {cls.gateway_class.name}: {cls.message}")
    elif gw.spec.infrastructure and gw.spec.infrastructure.parameters_ref:
        state.accepted = (
            False,
            "InvalidParameters",
            "spec.infrastructure.parametersRef: awsgw takes no parameters",
        )
    elif any(a.value for a in gw.spec.addresses):
        state.accepted = (False, "UnsupportedAddress", caps.no_static_address)
    elif not any(ls.valid for ls in state.listeners):
        state.accepted = (False, "ListenersNotValid", "No listener is valid")
    elif not all(ls.usable for ls in state.listeners):
        state.accepted = (True, "ListenersNotValid", "Some listeners are not valid")
    wanted = {a.type for a in gw.spec.addresses} - {"Hostname"}
    if state.accepted[0] and wanted:
        state.address_problem = caps.no_address_type.format(types=", ".join(sorted(wanted)))
    if not state.accepted[0]:
        state.programmed = (False, "Invalid", state.accepted[2])
        for ls in state.listeners:
            ls.programmed = (False, "Invalid", state.accepted[2])
    return state


def _namespace_allowed(ls: ListenerState, gw: Gateway, route: Route, store: Store) -> bool:
    ns = ls.listener.allowed_routes.namespaces
    if ns.from_ == "All":
        return True
    if ns.from_ == "Same":
        return route.namespace == gw.namespace
    return ns.selector is not None and selects(ns.selector, store.namespace_labels(route.namespace))


def _place(
    route: Route, ref: ParentReference, gws: GatewayState, store: Store
) -> tuple[tuple[bool, str, str], list[Placement]]:
    """Try to attach a Route through one parentRef: its Accepted condition and placements."""
    gw = gws.gateway
    if not gws.usable:
        return (False, "NoMatchingParent", f"Gateway {gw.key} is not accepted"), []
    candidates = [
        ls
        for ls in gws.listeners
        if (ref.section_name is None or ls.listener.name == ref.section_name)
        and (ref.port is None or ls.listener.port == ref.port)
    ]
    if not candidates:
        what = []
        if ref.section_name is not None:
            what.append(f"sectionName {ref.section_name}")
        if ref.port is not None:
            what.append(f"port {ref.port}")
        return (False, "NoMatchingParent", f"No listener matches {' and '.join(what)}"), []
    allowed = [
        ls
        for ls in candidates
        if any(k.kind == route.kind and k.group == GATEWAY_GROUP for k in ls.supported_kinds)
        and _namespace_allowed(ls, gw, route, store)
    ]
    if not allowed:
        return (
            (False, "NotAllowedByListeners", "No listener of the parent allows this Route"),
            [],
        )
    placements = []
    for ls in allowed:
        names = hn.served_hostnames(ls.listener.hostname, route.spec.hostnames)
        if names is not None:
            placements.append(Placement(route, gw.key, ls.listener.name, tuple(names)))
    if not placements:
        return (
            (
                False,
                "NoMatchingListenerHostname",
                "spec.hostnames: none intersects a listener hostname",
            ),
            [],
        )
    return (True, "Accepted", "Route is accepted"), placements


def _resolve_all(route: Route, store: Store, controller: str) -> list[list[ResolvedBackend]]:
    caps = capabilities(controller)
    kinds, text = caps.backend_kinds, caps.backend_kinds_text()
    return [
        [resolve_backend(route, ref, store, kinds, text) for ref in rule.backend_refs]
        for rule in route.spec.rules
    ]


def _resolved_condition(backends: list[list[ResolvedBackend]]) -> tuple[bool, str, str]:
    for rule in backends:
        for b in rule:
            if b.problem is not None:
                return (False, b.problem[0], b.problem[1])
    return (True, "ResolvedRefs", "All references resolved")


def attach(store: Store, now: dt.datetime | None = None) -> Attachment:
    """Compute every status and placement for the objects of our controller. ``now`` is
    the time TLS certificates must be valid at (given by the caller: the core reads no
    clock)."""
    classes = {
        gc.name: st for gc in store.gateway_classes() if (st := _class_state(gc)) is not None
    }
    gateways = {
        gw.key: _gateway_state(gw, classes[gw.spec.gateway_class_name], store, now)
        for gw in store.gateways()
        if gw.spec.gateway_class_name in classes and gw.metadata.deletion_timestamp is None
    }
    result = Attachment(classes, gateways, {}, {k: [] for k in gateways}, {})
    for route in store.routes():
        parents: list[ParentState] = []
        resolved: dict[str, list[list[ResolvedBackend]]] = {}
        for ref in route.spec.parent_refs:
            if ref.group != GATEWAY_GROUP or ref.kind != "Gateway":
                continue
            key = f"{ref.namespace or route.namespace}/{ref.name}"
            gws = gateways.get(key)
            if gws is None:
                continue
            if gws.controller not in resolved:
                resolved[gws.controller] = _resolve_all(route, store, gws.controller)
            backends = resolved[gws.controller]
            accepted, placements = _place(route, ref, gws, store)
            parents.append(
                ParentState(ref, key, gws.controller, accepted, _resolved_condition(backends))
            )
            for p in placements:
                if p not in result.placements[key]:
                    result.placements[key].append(p)
        if parents:
            result.route_parents[route_id(route)] = parents
            result.backends[route_id(route)] = resolved[parents[0].controller]
            for controller, backends in resolved.items():
                result.by_controller[(route_id(route), controller)] = backends
    _count_attached(result)
    return result


def _count_attached(attachment: Attachment) -> None:
    """attachedRoutes: Routes placed on each listener whose parent status stays Accepted."""
    for key, gws in attachment.gateways.items():
        accepted = {
            route
            for route, parents in attachment.route_parents.items()
            if any(p.gateway_key == key and p.accepted[0] for p in parents)
        }
        for ls in gws.listeners:
            ls.attached_routes = len(
                {
                    route_id(p.route)
                    for p in attachment.placements[key]
                    if p.listener == ls.listener.name and route_id(p.route) in accepted
                }
            )


def apply_problems(attachment: Attachment, store: Store, problems: list[RuleProblem]) -> None:
    """Fold in what a provider could not program: a Route some of whose rules failed is
    PartiallyInvalid; one all of whose rules failed is no longer Accepted (and no longer
    counted in attachedRoutes). References only the provider could check make ResolvedRefs
    False (the first such problem names the reason)."""
    for route in store.routes():
        name = f"{route.kind} {route.key}"
        for parent in attachment.route_parents.get(route_id(route), []):
            found = [p for p in problems if p.route == name and p.gateway == parent.gateway_key]
            refs = [p for p in found if p.reason in RESOLVED_REASONS]
            if refs and parent.resolved[0]:
                parent.resolved = (False, refs[0].reason, refs[0].message)
            notes = list(dict.fromkeys(p.message for p in found if p.reason == NOTE))
            if notes and parent.accepted[0]:
                ok, reason, message = parent.accepted
                parent.accepted = (ok, reason, "; ".join([message, *notes]))
            mine = [p for p in found if p.reason not in (*RESOLVED_REASONS, NOTE)]
            if not parent.accepted[0] or not mine:
                continue
            bad = sorted({p.rule_index for p in mine})
            detail = "; ".join(f"rule {p.rule_index}: {p.message}" for p in mine)
            if len(bad) >= len(route.spec.rules):
                parent.accepted = (
                    False,
                    "UnsupportedValue",
                    f"No rule can be programmed: {detail}",
                )
            else:
                parent.partially_invalid = f"Dropped Rule(s) {bad}: {detail}"
    _count_attached(attachment)


def apply_notes(attachment: Attachment, notes: dict[tuple[str, str], str]) -> None:
    """Append provider notes, by (``Kind ns/name``, controller), to the Accepted message of
    the Route's accepted parents of that controller."""
    for rid, parents in attachment.route_parents.items():
        name = rid if " " in rid else f"HTTPRoute {rid}"
        for parent in parents:
            note = notes.get((name, parent.controller))
            if note and parent.accepted[0]:
                parent.accepted = (True, parent.accepted[1], f"{parent.accepted[2]}; {note}")

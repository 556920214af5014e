"""Status documents for GatewayClasses, Gateways and Routes (pure).

Inputs: the attachment, what the provider could not express (per Route rule), and what AWS
shows (per Gateway). Output: the ``.status`` each object should carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awsgw.core.attach import Attachment, GatewayState, ParentState
from awsgw.core.capabilities import capabilities
from awsgw.core.conditions import Condition, mappings, render
from awsgw.core.features import supported_features_status
from awsgw.objects import GATEWAY_GROUP, KubeObject


@dataclass(frozen=True)
class RouteNote:
    """What a provider tells about one Route it programmed (e.g. its own DNS name)."""

    route: str
    """``Kind ns/name``."""
    message: str
    """Appended to the Accepted message of the Route's parents of this controller."""
    annotations: tuple[tuple[str, str], ...] = ()
    """Annotations the runtime may set on the Route (key, value)."""


@dataclass(frozen=True)
class ListenerProblem:
    """A Gateway listener the cloud refused a part of (e.g. ACM refused its certificate):
    its ResolvedRefs and Programmed conditions say why; the others are unaffected."""

    listener: str
    reason: str
    message: str


@dataclass(frozen=True)
class GatewayObservation:
    """What the provider saw of a Gateway's load balancer after ensuring it."""

    gateway: str
    programmed: bool
    reason: str
    message: str
    address: str | None = None
    failed: bool = False
    """A cloud call failed (as opposed to a problem the status explains)."""
    routes: tuple[RouteNote, ...] = ()
    """Per-Route results of Gateways whose Routes get cloud resources of their own."""
    listeners: tuple[ListenerProblem, ...] = ()
    """Listeners not programmed although the Gateway is."""


def _previous(obj: KubeObject) -> dict[str, Any]:
    status = obj.raw.get("status")
    return status if isinstance(status, dict) else {}


def gateway_status(gws: GatewayState, seen: GatewayObservation | None, now: str) -> dict[str, Any]:
    gw = gws.gateway
    gen = gw.generation
    before = _previous(gw)
    accepted = gws.accepted
    if not accepted[0]:
        programmed = (False, "Invalid", accepted[2])
    elif seen is None:
        programmed = gws.programmed
    else:
        programmed = (seen.programmed, seen.reason, seen.message)
    if programmed[0] and gws.address_problem:
        programmed = (False, "AddressNotAssigned", gws.address_problem)
    conditions = [
        Condition("Accepted", *accepted, gen),
        Condition("Programmed", *programmed, gen),
    ]
    old_listeners = {ls.get("name"): ls for ls in mappings(before.get("listeners"))}
    refused = {p.listener: p for p in (seen.listeners if seen is not None else ())}
    listeners = []
    for ls in gws.listeners:
        if ls.usable and not programmed[0]:
            ls.programmed = (False, "Pending", programmed[2])
        problem = refused.get(ls.listener.name)
        if ls.usable and problem is not None:
            ls.resolved = ls.programmed = (False, problem.reason, problem.message)
        listeners.append(
            {
                "name": ls.listener.name,
                "supportedKinds": [{"group": k.group, "kind": k.kind} for k in ls.supported_kinds],
                "attachedRoutes": ls.attached_routes,
                "conditions": render(
                    ls.conditions(gen),
                    old_listeners.get(ls.listener.name, {}).get("conditions"),
                    now,
                ),
            }
        )
    status: dict[str, Any] = {
        "conditions": render(conditions, before.get("conditions"), now),
        "listeners": listeners,
    }
    if seen is not None and seen.address:
        status["addresses"] = [{"type": "Hostname", "value": seen.address}]
    return status


def _parent_ref(p: ParentState) -> dict[str, Any]:
    ns, _, name = p.gateway_key.partition("/")
    ref: dict[str, Any] = {"group": GATEWAY_GROUP, "kind": "Gateway", "namespace": ns, "name": name}
    if p.parent_ref.section_name is not None:
        ref["sectionName"] = p.parent_ref.section_name
    if p.parent_ref.port is not None:
        ref["port"] = p.parent_ref.port
    return ref


def route_status(
    route: KubeObject, parents: list[ParentState], controllers: set[str], now: str
) -> dict[str, Any]:
    """Our ``status.parents`` entries, keeping entries written by other controllers."""
    before = _previous(route)
    old = mappings(before.get("parents"))
    kept = [p for p in old if isinstance(p.get("controllerName"), str)]
    kept = [p for p in kept if p["controllerName"] not in controllers]
    entries = []
    for parent in parents:
        ref = _parent_ref(parent)
        previous: dict[str, Any] = next((p for p in old if p.get("parentRef") == ref), {})
        entries.append(
            {
                "parentRef": ref,
                "controllerName": parent.controller,
                "conditions": render(
                    parent.conditions(route.generation), previous.get("conditions"), now
                ),
            }
        )
    return {**before, "parents": kept + entries}


def class_statuses(attachment: Attachment, now: str) -> dict[str, dict[str, Any]]:
    out = {}
    for name, cs in attachment.classes.items():
        before = _previous(cs.gateway_class)
        status = {**before, "conditions": render(cs.conditions(), before.get("conditions"), now)}
        if cs.accepted:
            features = capabilities(cs.gateway_class.spec.controller_name).features
            status["supportedFeatures"] = supported_features_status(features)
        else:
            status.pop("supportedFeatures", None)
        out[name] = status
    return out

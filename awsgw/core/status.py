"""Status documents for GatewayClasses, Gateways, ListenerSets and Routes (pure; renders,
changes nothing).

Inputs: the attachment, the judgement (providers' findings folded into the Routes'
verdicts) and what the cloud shows (per Gateway). Output: the ``.status`` each object
should carry; conditions whose status did not change keep their transition time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsgw.core.attach import Attachment, GatewayState, ParentState
from awsgw.core.conditions import Condition, Reason, Verdict, mappings, render
from awsgw.core.features import supported_features_status
from awsgw.core.findings import GatewayObservation
from awsgw.core.listener_sets import ListenerSetState
from awsgw.core.listeners import ListenerState
from awsgw.objects import GATEWAY_GROUP, KubeObject

PENDING = Verdict(False, Reason.PENDING, "Waiting for the load balancer")


def _previous(obj: KubeObject) -> dict[str, Any]:
    status = obj.raw.get("status")
    return status if isinstance(status, dict) else {}


def gateway_programmed(gws: GatewayState, seen: GatewayObservation | None) -> Verdict:
    """The Gateway's Programmed verdict: invalid unless accepted, pending until observed,
    then what the cloud shows (unless an address it asks for cannot be assigned)."""
    if not gws.accepted.ok:
        return Verdict(False, Reason.INVALID, gws.accepted.message)
    programmed = PENDING if seen is None else Verdict(seen.programmed, seen.reason, seen.message)
    if programmed.ok and gws.address_problem:
        return Verdict(False, Reason.ADDRESS_NOT_ASSIGNED, gws.address_problem)
    return programmed


def gateway_status(
    gws: GatewayState,
    attached: Mapping[str, int],
    seen: GatewayObservation | None,
    now: str,
) -> dict[str, Any]:
    gw = gws.gateway
    gen = gw.generation
    before = _previous(gw)
    programmed = gateway_programmed(gws, seen)
    conditions = [
        Condition.of("Accepted", gws.accepted, gen),
        Condition.of("Programmed", programmed, gen),
    ]
    listeners = _listener_statuses(
        gws.listeners, gws.accepted, programmed, attached, seen, gen, before, now
    )
    status: dict[str, Any] = {
        "conditions": render(conditions, before.get("conditions"), now),
        "listeners": listeners,
    }
    if gws.sets or gw.spec.allowed_listeners is not None:
        status["attachedListenerSets"] = sum(1 for st in gws.sets if st.attached)
    if seen is not None and seen.ip_addresses:
        status["addresses"] = [{"type": "IPAddress", "value": ip} for ip in seen.ip_addresses]
    elif seen is not None and seen.address:
        status["addresses"] = [{"type": "Hostname", "value": seen.address}]
    return status


def _listener_statuses(
    states: tuple[ListenerState, ...],
    accepted: Verdict,
    programmed: Verdict,
    attached: Mapping[str, int],
    seen: GatewayObservation | None,
    generation: int,
    before: Mapping[str, Any],
    now: str,
) -> list[dict[str, Any]]:
    """``status.listeners`` of a Gateway or a ListenerSet: its listeners as validated, with
    what their owner (``accepted``), the load balancer (``programmed``) and the cloud's
    refusals (by listener key) make of them."""
    old_listeners = {ls.get("name"): ls for ls in mappings(before.get("listeners"))}
    refused = {p.listener: p for p in (seen.listeners if seen is not None else ())}
    out = []
    for ls in states:
        resolved, own = ls.resolved, ls.programmed
        if not accepted.ok and own.ok:  # a listener's own failure says more than its owner's
            own = Verdict(False, Reason.INVALID, accepted.message)
        if ls.usable and not programmed.ok:
            own = Verdict(False, Reason.PENDING, programmed.message)
        problem = refused.get(ls.key)
        if ls.usable and problem is not None:
            own = Verdict(False, problem.reason, problem.message)
            if problem.refs:
                resolved = own
        old = old_listeners.get(ls.listener.name, {}).get("conditions")
        out.append(
            {
                "name": ls.listener.name,
                "supportedKinds": [{"group": k.group, "kind": k.kind} for k in ls.supported_kinds],
                "attachedRoutes": attached.get(ls.key, 0),
                "conditions": render(ls.conditions(generation, resolved, own), old, now),
            }
        )
    return out


def listener_set_status(
    st: ListenerSetState,
    gws: GatewayState,
    attached: Mapping[str, int],
    seen: GatewayObservation | None,
    now: str,
) -> dict[str, Any]:
    """A ListenerSet's status: Accepted (attached to its Gateway or why not), Programmed (the
    Gateway's load balancer serves its listeners), and each listener's entry."""
    obj = st.listener_set
    gen = obj.generation
    before = _previous(obj)
    gateway = gateway_programmed(gws, seen)
    if not st.attached:
        programmed = Verdict(False, st.accepted.reason, st.accepted.message)
    elif gateway.ok:
        programmed = Verdict(True, Reason.PROGRAMMED, "Its listeners are programmed")
    else:
        programmed = Verdict(False, gateway.reason, f"Gateway {gws.gateway.key}: {gateway.message}")
    conditions = [
        Condition.of("Accepted", st.accepted, gen),
        Condition.of("Programmed", programmed, gen),
    ]
    listeners = _listener_statuses(
        st.listeners, st.accepted, gateway, attached, seen, gen, before, now
    )
    return {"conditions": render(conditions, before.get("conditions"), now), "listeners": listeners}


def _parent_ref(p: ParentState) -> dict[str, Any]:
    if p.listener_set is not None:
        ns, _, name = p.listener_set.partition("/")
        kind = "ListenerSet"
    else:
        ns, _, name = p.gateway_key.partition("/")
        kind = "Gateway"
    ref: dict[str, Any] = {"group": GATEWAY_GROUP, "kind": kind, "namespace": ns, "name": name}
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
        if cs.accepted.ok and cs.caps is not None:
            status["supportedFeatures"] = supported_features_status(cs.caps.features)
        else:
            status.pop("supportedFeatures", None)
        out[name] = status
    return out

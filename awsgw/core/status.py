"""Status documents for GatewayClasses, Gateways and Routes (pure; renders, changes nothing).

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
    old_listeners = {ls.get("name"): ls for ls in mappings(before.get("listeners"))}
    refused = {p.listener: p for p in (seen.listeners if seen is not None else ())}
    listeners = []
    for ls in gws.listeners:
        resolved, own = ls.resolved, ls.programmed
        if not gws.accepted.ok:
            own = Verdict(False, Reason.INVALID, gws.accepted.message)
        if ls.usable and not programmed.ok:
            own = Verdict(False, Reason.PENDING, programmed.message)
        problem = refused.get(ls.listener.name)
        if ls.usable and problem is not None:
            own = Verdict(False, problem.reason, problem.message)
            if problem.refs:
                resolved = own
        old = old_listeners.get(ls.listener.name, {}).get("conditions")
        listeners.append(
            {
                "name": ls.listener.name,
                "supportedKinds": [{"group": k.group, "kind": k.kind} for k in ls.supported_kinds],
                "attachedRoutes": attached.get(ls.listener.name, 0),
                "conditions": render(ls.conditions(gen, resolved, own), old, now),
            }
        )
    status: dict[str, Any] = {
        "conditions": render(conditions, before.get("conditions"), now),
        "listeners": listeners,
    }
    if seen is not None and seen.ip_addresses:
        status["addresses"] = [{"type": "IPAddress", "value": ip} for ip in seen.ip_addresses]
    elif seen is not None and seen.address:
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
        if cs.accepted.ok and cs.caps is not None:
            status["supportedFeatures"] = supported_features_status(cs.caps.features)
        else:
            status.pop("supportedFeatures", None)
        out[name] = status
    return out

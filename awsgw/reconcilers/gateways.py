"""One full pass: attach, model, plan, ensure each Gateway, collect garbage, build statuses.

Level-based and idempotent: the same Store and cloud state give the same result and no
writes. Providers are looked up by the GatewayClass ``controllerName``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from awsgw.core.attach import RuleProblem, apply_problems, attach
from awsgw.core.status import GatewayObservation, class_statuses, gateway_status, route_status
from awsgw.core.store import Store
from awsgw.core.translate import build_model
from awsgw.providers.base import Provider

log = logging.getLogger("awsgw.reconcile")


@dataclass
class PassResult:
    """Statuses by (kind, key), and whether any cloud call failed."""

    statuses: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def reconcile_all(
    store: Store,
    providers: dict[str, Provider],
    now: str,
    progress: Callable[[str], None] = lambda _: None,
) -> PassResult:
    """Reconcile every Gateway in the Store; delete what Gateways no longer in it left."""
    return reconcile(store, providers, now, None, progress)


def reconcile(
    store: Store,
    providers: dict[str, Provider],
    now: str,
    only: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> PassResult:
    """One pass. ``only=None``: every Gateway, garbage collection of Gateways absent from the
    Store, shared cleanup. ``only="ns/name"``: that Gateway alone (its resources deleted when
    it is absent or being deleted); statuses of it, of the Routes with a parent on it, and
    of the GatewayClasses.

    Planning is pure and cheap, so every Gateway is planned (Route statuses depend on all
    of them) while only the selected ones touch the cloud.
    """
    result = PassResult()
    attachment = attach(store)
    for provider in providers.values():
        provider.refresh()
    seen: dict[str, GatewayObservation] = {}
    problems: list[RuleProblem] = []
    for key, gws in attachment.gateways.items():
        chosen = providers.get(gws.controller)
        if chosen is None or not gws.accepted[0]:
            continue
        desired, found = chosen.plan(build_model(gws, attachment, store))
        problems += found
        if only is not None and key != only:
            continue
        progress(f"Gateway {key}: ensuring load balancer")
        observation = chosen.ensure(desired)
        seen[key] = observation
        if observation.failed:
            result.failed.append(f"Gateway {key}: {observation.message}")
        progress(f"Gateway {key}: {observation.reason} {observation.address or ''}".rstrip())
    for provider in providers.values():
        gone = provider.owned() - set(attachment.gateways)
        if only is not None:
            gone = {only} if only not in attachment.gateways else set()
        for key in sorted(gone):
            progress(f"Gateway {key}: gone, deleting its cloud resources")
            try:
                provider.ensure_deleted(key)
                result.deleted.append(key)
            except Exception as exc:  # reported; the pass goes on
                log.exception("deleting resources of %s failed", key)
                result.failed.append(f"Gateway {key}: delete failed: {exc}")
        if only is None:
            provider.finish()
    apply_problems(attachment, store, problems)
    for name, status in class_statuses(attachment, now).items():
        result.statuses[("GatewayClass", name)] = status
    for key, gws in attachment.gateways.items():
        if only is None or key == only:
            result.statuses[("Gateway", key)] = gateway_status(gws, seen.get(key), now)
    controllers = {gws.controller for gws in attachment.gateways.values()}
    controllers |= {cs.gateway_class.spec.controller_name for cs in attachment.classes.values()}
    for route in store.http_routes():
        parents = attachment.route_parents.get(route.key)
        if not parents or (only is not None and all(p.gateway_key != only for p in parents)):
            continue
        result.statuses[(route.kind, route.key)] = route_status(route, parents, controllers, now)
    return result

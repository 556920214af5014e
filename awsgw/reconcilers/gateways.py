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
    result = PassResult()
    attachment = attach(store)
    for provider in providers.values():
        provider.refresh()
    seen: dict[str, GatewayObservation] = {}
    problems: list[RuleProblem] = []
    for key, gws in attachment.gateways.items():
        found_provider = providers.get(gws.controller)
        if found_provider is None or not gws.accepted[0]:
            continue
        provider = found_provider
        progress(f"Gateway {key}: planning")
        desired, found = provider.plan(build_model(gws, attachment, store))
        problems += found
        progress(f"Gateway {key}: ensuring load balancer")
        observation = provider.ensure(desired)
        seen[key] = observation
        if observation.failed:
            result.failed.append(f"Gateway {key}: {observation.message}")
        progress(f"Gateway {key}: {observation.reason} {observation.address or ''}".rstrip())
    for provider in providers.values():
        for key in sorted(provider.owned() - set(attachment.gateways)):
            progress(f"Gateway {key}: gone, deleting its AWS resources")
            try:
                provider.ensure_deleted(key)
                result.deleted.append(key)
            except Exception as exc:  # reported, the pass goes on
                log.exception("deleting resources of %s failed", key)
                result.failed.append(f"Gateway {key}: delete failed: {exc}")
        provider.finish()
    apply_problems(attachment, store, problems)
    for name, status in class_statuses(attachment, now).items():
        result.statuses[("GatewayClass", name)] = status
    for key, gws in attachment.gateways.items():
        result.statuses[("Gateway", key)] = gateway_status(gws, seen.get(key), now)
    controllers = {gws.controller for gws in attachment.gateways.values()}
    controllers |= {cs.gateway_class.spec.controller_name for cs in attachment.classes.values()}
    for route in store.http_routes():
        parents = attachment.route_parents.get(route.key)
        if not parents:
            continue
        result.statuses[(route.kind, route.key)] = route_status(route, parents, controllers, now)
    return result

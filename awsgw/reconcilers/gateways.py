"""One full pass: attach, model, plan, ensure each Gateway, collect garbage, build statuses.

Level-based and idempotent: the same Store and cloud state give the same result and no
writes. Providers are looked up by the GatewayClass ``controllerName``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from awsgw.core.attach import (
    Attachment,
    RuleProblem,
    apply_notes,
    apply_problems,
    attach,
    route_id,
)
from awsgw.core.capabilities import capabilities
from awsgw.core.conditions import mappings
from awsgw.core.model import GatewayModel, PassModel
from awsgw.core.multicluster import build_exports
from awsgw.core.status import GatewayObservation, class_statuses, gateway_status, route_status
from awsgw.core.store import Store
from awsgw.core.translate import build_model
from awsgw.providers.base import PassAware, Provider

log = logging.getLogger("awsgw.reconcile")


@dataclass
class PassResult:
    """Statuses by (kind, key), and whether any cloud call failed."""

    statuses: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    annotations: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    """Annotations providers report for objects, by (kind, key), e.g. a Route's DNS name."""


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
    attachment = attach(store, parse_time(now))
    for provider in providers.values():
        provider.refresh()
    models: dict[str, GatewayModel] = {
        key: build_model(gws, attachment, store)
        for key, gws in attachment.gateways.items()
        if gws.controller in providers and gws.accepted[0]
    }
    _prepare(store, attachment, models, providers, result)
    seen: dict[str, GatewayObservation] = {}
    problems: list[RuleProblem] = []
    for key, gws in attachment.gateways.items():
        chosen = providers.get(gws.controller)
        if chosen is None or key not in models:
            continue
        desired, found = chosen.plan(models[key])
        problems += found
        if only is not None and key != only:
            continue
        progress(f"Gateway {key}: ensuring its {capabilities(gws.controller).short} resources")
        observation = chosen.ensure(desired)
        seen[key] = observation
        if observation.failed:
            result.failed.append(f"Gateway {key}: {observation.message}")
        progress(f"Gateway {key}: {observation.reason} {observation.address or ''}".rstrip())
    served = {k for k, g in attachment.gateways.items() if g.controller in providers}
    for controller, provider in providers.items():
        # A Gateway is gone for a provider when it is absent, being deleted, or now of
        # another controller's class (its old resources must not linger). It is deleted
        # (``result.deleted``: its finalizer may go) only when no provider serves it.
        kept = {k for k, g in attachment.gateways.items() if g.controller == controller}
        owned = provider.owned()
        gone = owned - kept
        if only is not None:
            gone = {only} - kept if only in owned or only not in served else set()
        for key in sorted(gone):
            progress(f"Gateway {key}: gone, deleting its cloud resources")
            try:
                provider.ensure_deleted(key)
                if key not in served and key not in result.deleted:
                    result.deleted.append(key)
            except Exception as exc:  # reported; the pass goes on
                log.exception("deleting resources of %s failed", key)
                result.failed.append(f"Gateway {key}: delete failed: {exc}")
        if only is None:
            provider.finish()
    apply_problems(attachment, store, problems)
    _route_notes(attachment, seen, result)
    for name, status in class_statuses(attachment, now).items():
        result.statuses[("GatewayClass", name)] = status
    for key, gws in attachment.gateways.items():
        if only is None or key == only:
            result.statuses[("Gateway", key)] = gateway_status(gws, seen.get(key), now)
    controllers = {gws.controller for gws in attachment.gateways.values()}
    controllers |= {cs.gateway_class.spec.controller_name for cs in attachment.classes.values()}
    controllers |= set(providers)
    for route in store.routes():
        parents = attachment.route_parents.get(route_id(route), [])
        stale = _stale_parents(route, controllers, attachment)
        touched = {p.gateway_key for p in parents} | stale
        if not touched or (only is not None and only not in touched):
            continue
        result.statuses[(route.kind, route.key)] = route_status(route, parents, controllers, now)
    return result


def parse_time(now: str) -> dt.datetime:
    """A status timestamp (RFC 3339, UTC) as an aware datetime."""
    return dt.datetime.fromisoformat(now.replace("Z", "+00:00"))


def _stale_parents(route: Any, controllers: set[str], attachment: Attachment) -> set[str]:
    """Gateways a Route's status still lists for our controllers that are no longer ours
    (deleted, or of another class): their entries must go."""
    status = route.raw.get("status")
    entries = mappings(status.get("parents")) if isinstance(status, dict) else []
    stale = set()
    for entry in entries:
        if entry.get("controllerName") not in controllers:
            continue
        ref = entry.get("parentRef")
        if not isinstance(ref, dict):
            continue
        key = f"{ref.get('namespace') or route.namespace}/{ref.get('name')}"
        if key not in attachment.gateways:
            stale.add(key)
    return stale


def _prepare(
    store: Store,
    attachment: Attachment,
    models: dict[str, GatewayModel],
    providers: dict[str, Provider],
    result: PassResult,
) -> None:
    """Show providers that span Gateways the whole pass (see ``PassAware``)."""
    exports = None
    for controller, provider in providers.items():
        if not isinstance(provider, PassAware):
            continue
        if exports is None:
            exports = build_exports(store)
        gateways = attachment.gateways.items()
        known = frozenset(k for k, g in gateways if g.controller == controller)
        mine = {k: m for k, m in models.items() if k in known}
        has_class = any(
            c.gateway_class.spec.controller_name == controller for c in attachment.classes.values()
        )
        result.failed += provider.prepare(PassModel(mine, known, exports, has_class))


def _route_notes(
    attachment: Attachment, seen: dict[str, GatewayObservation], result: PassResult
) -> None:
    """Per-Route notes of the providers: into Accepted messages and ``result.annotations``."""
    notes: dict[tuple[str, str], str] = {}
    for key, observation in seen.items():
        controller = attachment.gateways[key].controller
        for note in observation.routes:
            notes[(note.route, controller)] = note.message
            kind, _, route_key = note.route.partition(" ")
            result.annotations.setdefault((kind, route_key), {}).update(note.annotations)
    apply_notes(attachment, notes)

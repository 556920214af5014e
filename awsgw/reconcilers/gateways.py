"""One pass: attach, model, begin each provider's pass (read once, plan), apply what spans
Gateways, apply each Gateway, collect garbage, judge, build statuses.

Level-based and idempotent: the same Store and cloud state give the same result and no
writes. Providers are looked up by the GatewayClass ``controllerName``; a provider whose
read failed applies and deletes nothing this pass (what it read is not to be trusted).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from awsgw.core.attach import Attachment, attach
from awsgw.core.capabilities import Catalog
from awsgw.core.conditions import Reason, mappings
from awsgw.core.findings import Announcement, Failure, GatewayObservation, ProblemKind
from awsgw.core.model import GatewayModel
from awsgw.core.multicluster import build_exports
from awsgw.core.scope import controller_gateways, gateway_scope
from awsgw.core.status import class_statuses, gateway_status, listener_set_status, route_status
from awsgw.core.store import Store
from awsgw.core.translate import build_model
from awsgw.core.verdicts import judge
from awsgw.objects import TARGET_GROUP_POLICY, Gateway, Route, RouteRef
from awsgw.providers.base import PassScope, Provider, ProviderPass
from awsgw.providers.registry import CATALOG
from awsgw.reconcilers.heap import frozen_heap

log = logging.getLogger("awsgw.reconcile")
SHARED = "@shared"
"""The work of a full pass that belongs to no Gateway (GatewayClass statuses, what spans
Gateways, garbage collection of shared leftovers): ``owns(SHARED)`` says whose it is."""
Owns = Callable[[str], bool]


@dataclass
class PassResult:
    """Statuses by (kind, key), what failed, and what the runtime should write besides."""

    statuses: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    failed: list[Failure] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    """Gateways no provider serves any more whose cloud resources are gone."""
    annotations: dict[RouteRef, dict[str, str]] = field(default_factory=dict)
    """Annotations providers report for Routes, e.g. a VPC Lattice service's DNS name."""
    announcements: dict[RouteRef, list[tuple[str, Announcement]]] = field(default_factory=dict)
    """(controller, Event to record once when its annotation takes a new value)."""
    quota: dict[str, list[str]] = field(default_factory=dict)
    """Gateway → why Route rules were not programmed for a quota."""


def parse_time(now: str) -> dt.datetime:
    """A status timestamp (RFC 3339, UTC) as an aware datetime."""
    return dt.datetime.fromisoformat(now.replace("Z", "+00:00"))


def reconcile_all(
    store: Store,
    providers: Mapping[str, Provider],
    now: str,
    progress: Callable[[str], None] = lambda _: None,
    catalog: Catalog = CATALOG,
) -> PassResult:
    """Reconcile every Gateway in the Store; delete what Gateways no longer in it left."""
    return reconcile(store, providers, now, None, progress, catalog)


def reconcile(
    store: Store,
    providers: Mapping[str, Provider],
    now: str,
    only: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
    catalog: Catalog = CATALOG,
    owns: Owns | None = None,
) -> PassResult:
    """One pass. ``only=None``: every Gateway, garbage collection of Gateways absent from the
    Store, shared cleanup. ``only="ns/name"``: that Gateway alone (its resources deleted when
    it is absent or being deleted); statuses of it, of the Routes with a parent on it, and
    of the GatewayClasses.

    ``owns`` (a full pass of one replica among several, each owning some Gateways): only the
    Gateways it owns are applied, collected and given statuses, and the shared work only
    when it owns ``SHARED``.

    A pass over one Gateway attaches and plans it and the Gateways its Routes also name
    (``gateway_scope``: their Route statuses list every parent), and only it touches the
    cloud; its cost grows with that Gateway, not with the cluster.
    """
    with frozen_heap():
        return _reconcile(store, providers, now, only, progress, catalog, owns or _everything)


def _everything(_: str) -> bool:
    return True


def _reconcile(
    store: Store,
    providers: Mapping[str, Provider],
    now: str,
    only: str | None,
    progress: Callable[[str], None],
    catalog: Catalog,
    owns: Owns,
) -> PassResult:
    result = PassResult()
    scope = None if only is None else gateway_scope(store, catalog, only)
    attachment = attach(store, catalog, parse_time(now), scope)
    models: dict[str, GatewayModel] = {
        key: build_model(gws, attachment, store)
        for key, gws in attachment.gateways.items()
        if gws.controller in providers and gws.usable
    }
    partial = only is None and owns is not _everything
    shared = only is not None or owns(SHARED)
    passes = _begin(store, attachment, models, providers, only, partial, shared, result)
    seen = _apply(attachment, models, passes, only, owns, progress, result)
    _collect(attachment, passes, only, owns, progress, result)
    problems = [p for provider_pass in passes.values() for p in provider_pass.problems]
    for problem in problems:
        if problem.kind is ProblemKind.QUOTA:
            message = f"{problem.route} rule {problem.rule_index}: {problem.message}"
            result.quota.setdefault(problem.gateway, []).append(message)
    notes = _route_notes(attachment, seen, result)
    judgement = judge(attachment, problems, notes)
    for name, status in class_statuses(attachment, now).items() if owns(SHARED) else ():
        result.statuses[("GatewayClass", name)] = status
    for key, gws in attachment.gateways.items():
        if (only is None and owns(key)) or key == only:
            attached = judgement.attached_routes(key)
            result.statuses[("Gateway", key)] = gateway_status(gws, attached, seen.get(key), now)
            for st in gws.sets:
                status = listener_set_status(st, gws, attached, seen.get(key), now)
                result.statuses[("ListenerSet", st.key)] = status
    controllers = {gws.controller for gws in attachment.gateways.values()}
    controllers |= {cs.gateway_class.spec.controller_name for cs in attachment.classes.values()}
    controllers |= set(providers)
    for route in store.routes() if only is None else store.routes_naming([only]):
        parents = judgement.parents.get(route.ref, [])
        stale = _stale_parents(route, controllers, attachment)
        touched = {p.gateway_key for p in parents} | stale
        if not touched or (only is not None and only not in touched):
            continue
        if only is None and not any(owns(key) for key in touched):
            continue
        result.statuses[(route.kind, route.key)] = route_status(route, parents, controllers, now)
    for key, policy in attachment.policies.states.items():
        mine = any(owns(a) for a in policy.ancestors) or (owns(SHARED) and not policy.ancestors)
        if (only is None and mine) or (only is not None and only in policy.ancestors):
            status = policy.status(now, controllers, scope)
            result.statuses[(TARGET_GROUP_POLICY, key)] = status
    return result


def _begin(
    store: Store,
    attachment: Attachment,
    models: dict[str, GatewayModel],
    providers: Mapping[str, Provider],
    only: str | None,
    partial: bool,
    shared: bool,
    result: PassResult,
) -> dict[str, ProviderPass]:
    """Each provider reads the cloud once and plans the pass (``partial``: of a replica's
    own Gateways only; ``shared``: it does the work that spans Gateways)."""
    gateway = store.get("Gateway", only, Gateway) if only is not None else None
    gone = only is not None and (gateway is None or gateway.metadata.deletion_timestamp is not None)
    exports = build_exports(store)
    classes = {c.gateway_class.spec.controller_name for c in attachment.classes.values()}
    passes = {}
    for controller, provider in providers.items():
        known = controller_gateways(store, controller)
        mine = {k: m for k, m in models.items() if k in known}
        scope = PassScope(mine, known, exports, controller in classes, only, partial, shared, gone)
        provider_pass = provider.begin(scope)
        result.failed += provider_pass.failures
        passes[controller] = provider_pass
    return passes


def _apply(
    attachment: Attachment,
    models: dict[str, GatewayModel],
    passes: dict[str, ProviderPass],
    only: str | None,
    owns: Owns,
    progress: Callable[[str], None],
    result: PassResult,
) -> dict[str, GatewayObservation]:
    """What spans Gateways first (exported Services), then each selected Gateway."""
    for provider_pass in passes.values() if only is not None or owns(SHARED) else ():
        if not provider_pass.failures:
            result.failed += provider_pass.apply_shared()
    seen: dict[str, GatewayObservation] = {}
    for key, gws in attachment.gateways.items():
        planned = passes.get(gws.controller)
        if planned is None or key not in models or (only is not None and key != only):
            continue
        if only is None and not owns(key):
            continue
        if planned.failures:
            why = f"not applied this pass: {planned.failures[0]}"
            seen[key] = GatewayObservation(key, False, Reason.PENDING, why)
            continue
        progress(f"Gateway {key}: ensuring its {gws.caps.short} resources")
        observation = planned.apply(key)
        seen[key] = observation
        if observation.failure is not None:
            result.failed.append(observation.failure)
        progress(f"Gateway {key}: {observation.reason} {observation.address or ''}".rstrip())
    return seen


def _collect(
    attachment: Attachment,
    passes: dict[str, ProviderPass],
    only: str | None,
    owns: Owns,
    progress: Callable[[str], None],
    result: PassResult,
) -> None:
    """Delete what Gateways that are gone (for a provider) left; then shared leftovers."""
    served = {k for k, g in attachment.gateways.items() if g.controller in passes}
    for controller, provider_pass in passes.items():
        if provider_pass.failures:
            continue
        # A Gateway is gone for a provider when it is absent, being deleted, or now of
        # another controller's class (its old resources must not linger). It is deleted
        # (``result.deleted``: its finalizer may go) only when no provider serves it.
        kept = {k for k, g in attachment.gateways.items() if g.controller == controller}
        try:
            owned = provider_pass.owned()
        except Exception as exc:  # reported: the pass's statuses still go out, it is retried
            failure = Failure(f"finding what it owns failed: {exc}", only, "collecting garbage")
            result.failed.append(failure)
            continue
        gone = {key for key in owned - kept if owns(key)}
        if only is not None:
            gone = {only} - kept if only in owned or only not in served else set()
        for key in sorted(gone):
            progress(f"Gateway {key}: gone, deleting its cloud resources")
            try:
                provider_pass.delete(key)
                if key not in served and key not in result.deleted:
                    result.deleted.append(key)
            except Exception as exc:  # reported; the pass goes on
                log.exception("deleting resources of %s failed", key)
                result.failed.append(Failure(f"delete failed: {exc}", gateway=key))
        if only is None and owns(SHARED):
            try:
                provider_pass.collect()
            except Exception as exc:  # as above
                result.failed.append(Failure(f"{exc}", where="collecting garbage"))


def _stale_parents(route: Route, controllers: set[str], attachment: Attachment) -> set[str]:
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
        if ref.get("kind") == "ListenerSet" and key in attachment.listener_sets:
            key = attachment.listener_sets[key].gateway_key
        if key not in attachment.gateways:
            stale.add(key)
    return stale


def _route_notes(
    attachment: Attachment, seen: dict[str, GatewayObservation], result: PassResult
) -> dict[tuple[RouteRef, str], str]:
    """Per-Route notes of the providers: for the Accepted messages, the annotations and the
    announcements of ``result``."""
    notes: dict[tuple[RouteRef, str], str] = {}
    for key, observation in seen.items():
        controller = attachment.gateways[key].controller
        for note in observation.routes:
            notes[(note.route, controller)] = note.message
            result.annotations.setdefault(note.route, {}).update(note.annotations)
            if note.announce is not None:
                announced = result.announcements.setdefault(note.route, [])
                if (controller, note.announce) not in announced:
                    announced.append((controller, note.announce))
    return notes

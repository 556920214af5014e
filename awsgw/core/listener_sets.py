"""ListenerSets: which attach to which Gateway, and their listeners merged after the
Gateway's own (pure).

The spec's order (ListenerSet ``spec.listeners``): the parent Gateway's listeners first,
then ListenerSets oldest first, then by ``namespace/name``; a listener that conflicts with
one earlier in that order is the one conflicted. A ListenerSet attaches when the Gateway's
``allowedListeners`` admits its namespace (none by default) and at least one of its
listeners is usable (accepted, not conflicted, its references resolved). Its certificates
resolve in its own namespace, and ReferenceGrants must name ListenerSet (the Gateway's
grants are not inherited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason, Verdict
from awsgw.core.listeners import ListenerOwner, ListenerState, validate_set_listeners
from awsgw.core.refs import selects
from awsgw.core.store import Store, age_order
from awsgw.objects import Gateway, ListenerSet

ATTACHED = Verdict(True, Reason.ACCEPTED, "ListenerSet is attached to its Gateway")


@dataclass(frozen=True)
class ListenerSetState:
    """One ListenerSet naming a Gateway of ours, as attachment decides it."""

    listener_set: ListenerSet
    gateway_key: str
    accepted: Verdict
    listeners: tuple[ListenerState, ...] = ()
    """Its listeners, validated and merged (empty when the Gateway does not admit it)."""

    @property
    def key(self) -> str:
        return self.listener_set.key

    @property
    def attached(self) -> bool:
        return self.accepted.ok


def _admits(gw: Gateway, ls: ListenerSet, store: Store) -> str | None:
    """Why the Gateway's ``allowedListeners`` refuses the ListenerSet (None: it admits it)."""
    allowed = gw.spec.allowed_listeners
    frm = allowed.namespaces.from_ if allowed is not None else "None"
    where = f"Gateway {gw.key} spec.allowedListeners.namespaces.from"
    if frm == "All":
        return None
    if frm == "Same":
        if ls.namespace == gw.namespace:
            return None
        return f"{where} is Same: ListenerSets of namespace {gw.namespace} only"
    if frm == "Selector":
        selector = allowed.namespaces.selector if allowed is not None else None
        if selector is not None and selects(selector, store.namespace_labels(ls.namespace)):
            return None
        return f"{where} is Selector: namespace {ls.namespace} is not selected"
    return f"{where} is None: the Gateway takes no ListenerSets"


def listener_sets_of(
    gw: Gateway,
    gateway_accepted: Verdict,
    own: tuple[ListenerState, ...],
    store: Store,
    caps: Capabilities,
    now: dt.datetime | None,
) -> tuple[ListenerSetState, ...]:
    """Every ListenerSet naming the Gateway, in the spec's precedence, with its verdict and
    its listeners merged after the Gateway's ``own`` and those of the sets before it."""
    naming = [
        ls for ls in store.listener_sets_naming(gw.key) if ls.metadata.deletion_timestamp is None
    ]
    higher = list(own)
    out = []
    for ls in sorted(naming, key=age_order):
        refused = (
            _admits(gw, ls, store)
            if caps.listener_sets
            else f"Gateway {gw.key}: {caps.product} takes no ListenerSets"
        )
        if refused is not None:
            out.append(ListenerSetState(ls, gw.key, Verdict(False, Reason.NOT_ALLOWED, refused)))
            continue
        if not gateway_accepted.ok:
            message = f"Gateway {gw.key} is not accepted: {gateway_accepted.message}"
            verdict = Verdict(False, Reason.PARENT_NOT_ACCEPTED, message)
            out.append(ListenerSetState(ls, gw.key, verdict))
            continue
        owner = ListenerOwner("ListenerSet", ls.namespace, ls.key)
        states = validate_set_listeners(ls.spec.listeners, owner, higher, store, caps, now)
        higher += states
        if any(s.usable for s in states):  # an unresolved reference counts (upstream)
            verdict = ATTACHED
        else:
            verdict = Verdict(False, Reason.LISTENERS_NOT_VALID, "No listener is valid")
        out.append(ListenerSetState(ls, gw.key, verdict, tuple(states)))
    return tuple(out)

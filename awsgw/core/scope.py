"""What a pass over one Gateway must attach and plan (pure).

A Gateway's attachment, model and plan depend on its own listeners, the Routes naming it
and what those reference, never on other Gateways. Route statuses list every parent of
ours, so the Gateways those Routes also name come along; a data plane whose plan spans
Gateways (``Capabilities.planned_together``) brings every Gateway of its controller.
"""

from __future__ import annotations

from awsgw.core.capabilities import Catalog
from awsgw.core.store import Store
from awsgw.objects import Gateway, GatewayClass


def controller_of(store: Store, gateway: Gateway) -> str | None:
    """The ``controllerName`` of a Gateway's class (None: no such class)."""
    gc = store.get("GatewayClass", gateway.spec.gateway_class_name, GatewayClass)
    return gc.spec.controller_name if gc is not None else None


def gateway_scope(store: Store, catalog: Catalog, only: str) -> frozenset[str]:
    """The Gateway keys a pass over ``only`` attaches: it, the Gateways its Routes also
    name, and, for a data plane planned together, every Gateway of that controller."""
    keys = store.co_parents(only)
    together = set()
    for key in keys:
        gw = store.get("Gateway", key, Gateway)
        controller = controller_of(store, gw) if gw is not None else None
        caps = catalog.get(controller) if controller is not None else None
        if controller is not None and caps is not None and caps.planned_together:
            together.add(controller)
    for controller in sorted(together):
        keys |= {gw.key for gw in store.gateways_of_controller(controller)}
    return frozenset(keys)


def controller_gateways(store: Store, controller: str) -> frozenset[str]:
    """Every live Gateway key of a controller's classes (what its data plane keeps)."""
    return frozenset(
        gw.key
        for gw in store.gateways_of_controller(controller)
        if gw.metadata.deletion_timestamp is None
    )

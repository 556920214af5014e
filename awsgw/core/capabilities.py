"""What a data plane's cloud resources can carry: the row the core validates GatewayClasses,
listeners, Route kinds and backend kinds against, and the catalog of every row.

Each data plane describes itself in its own package (``providers/aws/<plane>/
capabilities.py``); the provider registry gathers them into a ``Catalog`` that the core is
given. The core knows no data plane by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from awsgw.objects import MULTICLUSTER_GROUP

SERVICE = ("", "Service")
SERVICE_IMPORT = (MULTICLUSTER_GROUP, "ServiceImport")


@dataclass(frozen=True)
class AttributeRule:
    """The values one load balancer attribute takes, as the AWS API reference gives them:
    one of ``choices``, an integer in ``low``–``high``, or (neither) any text."""

    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    default: str | None = None
    """The documented default (what a setting taken out of a configuration returns to);
    None where it depends on more than the type or cannot be returned to."""

    def problem(self, value: str) -> str | None:
        """Why ``value`` is refused (None: it is not)."""
        if self.choices:
            return None if value in self.choices else f"must be one of {', '.join(self.choices)}"
        if self.low is None or self.high is None:
            return None
        if not value.isdigit() or not self.low <= int(value) <= self.high:
            return f"must be an integer from {self.low} to {self.high}"
        return None


def attribute_problem(
    attributes: Mapping[str, str], rules: Mapping[str, AttributeRule], what: str
) -> str | None:
    """The first of ``attributes`` the ``rules`` refuse (``spec.attributes[key]: why``);
    ``what`` names what the keys are attributes of, for an unknown key."""
    for key, value in attributes.items():
        rule = rules.get(key)
        if rule is None:
            return f"spec.attributes[{key}]: not {what}"
        why = rule.problem(value)
        if why is not None:
            return f"spec.attributes[{key}]: {value!r} {why}"
    return None


BOOLEAN = AttributeRule(("true", "false"))
OFF = AttributeRule(("true", "false"), default="false")
ON = AttributeRule(("true", "false"), default="true")


@dataclass(frozen=True)
class TargetGroupRules:
    """What one kind of target group takes from a ``TargetGroupPolicy``."""

    product: str
    """For messages: "ALB target groups"."""
    fields: frozenset[str]
    """Policy fields it applies (``healthCheck``, ``attributes``, ...)."""
    attributes: Mapping[str, AttributeRule]
    """Target group attribute key → its values."""
    protocols: frozenset[str] = frozenset()
    """Target group protocols a policy's ``protocol`` may ask for."""


@dataclass(frozen=True)
class Capabilities:
    controller: str
    """The GatewayClass ``controllerName`` of the data plane."""
    product: str
    """What a Gateway becomes, for messages: "an Application Load Balancer"."""
    short: str
    """Short product name for messages: "ALB"."""
    accepted: str
    """The GatewayClass Accepted message."""
    route_kinds: Mapping[str, tuple[str, ...]]
    """Gateway listener protocol → Route kinds a listener of that protocol carries."""
    backend_kinds: frozenset[tuple[str, str]]
    """(group, kind) of the backendRefs its Routes may use."""
    no_static_address: str
    """Why ``spec.addresses`` values are refused."""
    no_address_type: str
    """Why requested address types cannot be assigned (``{types}`` is filled in)."""
    features: tuple[str, ...]
    """GatewayClass ``status.supportedFeatures``."""
    unsupported: Mapping[str, str] = field(default_factory=dict)
    """Gateway API features not claimed → why (the conformance report quotes them)."""
    kind_notes: Mapping[str, str] = field(default_factory=dict)
    """Route kind → why listeners of some protocols do not carry it (ALB: gRPC only on
    HTTPS), for the listener and Route statuses that refuse it."""
    tls_modes: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"HTTPS": ("Terminate",)}
    )
    """Listener protocol → the ``tls.mode`` values it serves."""
    own_hosts: bool = False
    """Each Route is served under a DNS name of its own (VPC Lattice services), so Routes
    without hostnames never share a host."""
    planned_together: bool = False
    """Its plan spans Gateways (VPC Lattice: services and target groups several Gateways
    share), so a pass over one of its Gateways plans every Gateway of its controller."""
    listener_sets: bool = False
    """Its Gateways take ListenerSets (their listeners join the Gateway's load balancer)."""
    acm_certificates: bool = False
    """Listeners may name ACM certificates in ``tls.options`` (ELBv2 load balancers)."""
    mixed_tls_modes: bool = False
    """TLS listeners of both modes may share a port (the ``TLSRouteModeMixed`` feature)."""
    address_types: frozenset[str] = frozenset()
    """``spec.addresses`` types whose values it assigns (NLB: ``IPAddress``, Elastic IPs)."""
    parameters: frozenset[str] = frozenset()
    """``LoadBalancerConfiguration`` fields it honours (``scheme``, ``listeners.sslPolicy``,
    ...); a configuration that sets another is refused."""
    attributes: Mapping[str, AttributeRule] = field(default_factory=dict)
    """Load balancer attribute key → its values (``spec.attributes``)."""
    target_groups: Mapping[str, TargetGroupRules] = field(default_factory=dict)
    """Route kind → what the target groups of its backends take from a ``TargetGroupPolicy``
    (an NLB serves HTTPRoutes through ALB target groups, stream Routes through its own);
    a kind without an entry takes no policy."""

    def backend_kinds_text(self) -> str:
        return _kinds_text(self.backend_kinds)


@lru_cache(maxsize=64)
def _kinds_text(kinds: frozenset[tuple[str, str]]) -> str:
    names = {SERVICE: "core Services", SERVICE_IMPORT: f"{MULTICLUSTER_GROUP} ServiceImports"}
    return " and ".join(names.get(k, f"{k[0]}/{k[1]}") for k in sorted(kinds))


@dataclass(frozen=True)
class Catalog:
    """Every data plane awsgw serves, by ``controllerName``, and the controller names it
    reserves without serving them yet (their classes are refused with a reason)."""

    rows: Mapping[str, Capabilities]
    reserved: tuple[str, ...] = ()

    def get(self, controller: str) -> Capabilities | None:
        return self.rows.get(controller)

    @property
    def controllers(self) -> frozenset[str]:
        return frozenset(self.rows)

    def __contains__(self, controller: object) -> bool:
        return controller in self.rows

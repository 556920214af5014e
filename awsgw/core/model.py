"""The provider-neutral load balancer model: what each Gateway needs, nothing about how.

``RouteRef`` (a Route's identity) is the objects' own, used here as is.

Rules are listed in Gateway API precedence order within each listener hostname group;
groups are ordered most specific listener hostname first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from awsgw.core.backends import BackendKey
from awsgw.core.parameters import NO_PARAMETERS, LoadBalancerParameters
from awsgw.core.policies import TargetGroupParameters
from awsgw.objects import RouteRef


@dataclass(frozen=True)
class KeyValueMatch:
    type: str  # Exact | RegularExpression
    name: str
    value: str


@dataclass(frozen=True)
class Match:
    path_type: str  # Exact | PathPrefix | RegularExpression | GRPCMethod (/<method>, any service)
    path: str
    headers: tuple[KeyValueMatch, ...] = ()
    query: tuple[KeyValueMatch, ...] = ()
    method: str | None = None


@dataclass(frozen=True)
class WeightedBackend:
    backend: BackendKey | None
    """None: an invalid reference, which must answer 500 for its share."""
    weight: int


@dataclass(frozen=True)
class Redirect:
    scheme: str | None
    hostname: str | None
    port: int | None
    """Already derived as the spec says (scheme's well-known port, else the listener's)."""
    path_type: str | None  # ReplaceFullPath | ReplacePrefixMatch
    path: str | None
    status_code: int


@dataclass(frozen=True)
class Rewrite:
    hostname: str | None
    path_type: str | None
    path: str | None


@dataclass(frozen=True)
class Action:
    backends: tuple[WeightedBackend, ...] = ()
    redirect: Redirect | None = None
    rewrite: Rewrite | None = None
    unsupported: tuple[str, ...] = ()
    """Filter types the core does not model; providers refuse the rule."""


@dataclass(frozen=True)
class Rule:
    route: RouteRef
    rule_index: int
    match_index: int
    hostnames: tuple[str, ...]
    """Host values to match; empty means any host."""
    match: Match
    action: Action


@dataclass
class HostGroup:
    """Rules of one Gateway listener, isolated from less specific listeners on its port."""

    listener: str
    hostname: str | None
    rules: list[Rule] = field(default_factory=list)


@dataclass(frozen=True)
class Certificate:
    """A TLS Secret's content: ``tls.crt`` (leaf first, then chain) and ``tls.key``."""

    namespace: str
    name: str
    certificate: str
    private_key: str

    def _blocks(self) -> list[str]:
        marker = "-----END CERTIFICATE-----"
        parts = [p.strip() for p in self.certificate.split(marker) if p.strip()]
        return [p + "\n" + marker + "\n" for p in parts]

    @property
    def leaf(self) -> str:
        return self._blocks()[0]

    @property
    def chain(self) -> str:
        return "".join(self._blocks()[1:])

    @property
    def key(self) -> str:
        """What names it in messages and in ``certificate_listeners``: the Secret."""
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class AcmCertificate:
    """A certificate already in ACM, named by ARN in a listener's ``tls.options``: used as
    it is, never modified or deleted (awsgw does not own it)."""

    arn: str

    @property
    def key(self) -> str:
        return self.arn


@dataclass(frozen=True)
class DiscoveredCertificates:
    """The ``ISSUED`` ACM certificates covering ``hostnames`` (a listener's
    ``tls.options[awsgw.io/certificate-discovery]``): which ones is the data plane's to
    find, per hostname; used as they are, like ``AcmCertificate``."""

    hostnames: tuple[str, ...]

    @property
    def key(self) -> str:
        return "discovery:" + ",".join(self.hostnames)


ListenerCertificate = Certificate | AcmCertificate | DiscoveredCertificates
"""What a TLS listener presents: a Secret's content (imported into ACM), an ACM ARN, or
the ACM certificates discovered for its hostnames."""


def add_certificates(
    certificates: list[ListenerCertificate],
    listeners_of: dict[str, list[str]],
    listener: str,
    presented: list[tuple[str, ListenerCertificate | None]],
) -> None:
    """Add what one Gateway listener presents — (key, certificate) pairs, None for a Secret
    that could not be read — to a port's ``certificates`` (each once, in order) and
    ``listeners_of`` (key → the listeners presenting it)."""
    for key, cert in presented:
        if cert is not None and cert not in certificates:
            certificates.append(cert)
        listeners_of.setdefault(key, []).append(listener)


@dataclass
class PortModel:
    port: int
    protocol: str  # HTTP | HTTPS
    groups: list[HostGroup] = field(default_factory=list)
    certificates: list[ListenerCertificate] = field(default_factory=list)
    """Certificates of the port's listeners; the first is the default."""
    certificate_listeners: dict[str, list[str]] = field(default_factory=dict)
    """Certificate key (Secret ``ns/name`` or ARN) → the Gateway listeners presenting it."""


@dataclass(frozen=True)
class RouteBackends:
    """A stream Route placed on a stream listener: its backends (of its first rule)."""

    route: RouteRef
    backends: tuple[WeightedBackend, ...]
    rules: int = 1
    """How many rules the Route has (``v1alpha2`` allows several: only the first is served)."""
    hostnames: tuple[str, ...] = ()
    """TLSRoute: the hostnames it serves on the listener (empty: any)."""


@dataclass
class StreamListener:
    """A TCP, UDP or TLS listener of a Gateway: whole connections, forwarded as they come."""

    listener: str
    port: int
    protocol: str
    """``TCP``, ``UDP`` or ``TLS``."""
    tls_mode: str | None = None
    """TLS listeners: ``Passthrough`` or ``Terminate``."""
    hostname: str | None = None
    routes: list[RouteBackends] = field(default_factory=list)
    """Placed Routes, oldest first (the spec's conflict order)."""
    certificates: list[ListenerCertificate] = field(default_factory=list)
    certificate_listeners: dict[str, list[str]] = field(default_factory=dict)
    """Certificate key (Secret ``ns/name`` or ARN) → the Gateway listeners presenting it."""


STREAM_PROTOCOLS = ("TCP", "UDP", "TLS")
REQUEST_PROTOCOLS = ("HTTP", "HTTPS")


@dataclass
class GatewayModel:
    key: str
    annotations: dict[str, str]
    ports: list[PortModel]
    targets: dict[BackendKey, tuple[tuple[str, int], ...]]
    """Every valid backend the rules use → its ready (IP, port) targets."""
    routes: tuple[RouteRef, ...] = ()
    """Routes placed on the Gateway, oldest first (the Gateway API tie-break order)."""
    streams: list[StreamListener] = field(default_factory=list)
    """TCP, UDP and TLS listeners (data planes that serve them)."""
    addresses: tuple[str, ...] = ()
    """Static IPv4 addresses ``spec.addresses`` asks for (data planes that assign them)."""
    parameters: LoadBalancerParameters = NO_PARAMETERS
    """Its load balancer settings (``LoadBalancerConfiguration``, merged)."""
    target_groups: dict[BackendKey, TargetGroupParameters] = field(default_factory=dict)
    """Backends whose target groups a ``TargetGroupPolicy`` shapes on this Gateway."""


@dataclass(frozen=True)
class ExportModel:
    """One port of a Service this cluster exports to the cluster set (ServiceExport)."""

    namespace: str
    name: str
    port: int
    targets: tuple[tuple[str, int], ...]
    """Ready (IP, port) endpoints behind the port."""


@dataclass(frozen=True)
class PassModel:
    """What a provider whose resources span Gateways sees of a whole reconcile pass."""

    gateways: dict[str, GatewayModel]
    """Accepted Gateways of the provider's controller → their model."""
    known: frozenset[str]
    """Every Gateway key of the controller (accepted or not): their resources are kept."""
    exports: tuple[ExportModel, ...] = ()
    has_class: bool = False
    """Some GatewayClass names the controller (else it may skip the cloud entirely)."""

"""GatewayModel → the Network Load Balancer it needs (pure; no boto3).

An NLB listener has no rules: it forwards every connection of its port one way. So each
Gateway stream listener is served by the oldest Route placed on it (the spec's conflict
order; the others are told they are not served), as one NLB listener:

- ``TCP`` → a TCP listener, ``UDP`` → a UDP listener; a TCP and a UDP Gateway listener on
  one port forwarding to the same backends → one ``TCP_UDP`` listener (else the later one
  is not programmed, and says why);
- ``TLS`` ``Passthrough`` → a TCP listener (the TLS stream reaches the backend untouched),
  ``Terminate`` → a TLS listener with the listener's certificates (SNI picks among them);
- ``HTTP``/``HTTPS`` → a TCP listener forwarding to an ALB-type target group: the ALB
  chained behind the NLB, compiled exactly as an ALB Gateway's, serves their Routes.

Backends are weighted forwards to IP target groups of the listener's protocol, one per
(Gateway, Service port, protocol), with TCP health checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from awsgw.core.backends import BackendKey
from awsgw.core.conditions import Reason
from awsgw.core.findings import ListenerProblem, ProblemKind, RuleProblem
from awsgw.core.model import GatewayModel, ListenerCertificate, RouteBackends, StreamListener
from awsgw.core.parameters import NO_PARAMETERS, SCHEME_ANNOTATION, LoadBalancerParameters
from awsgw.providers.aws.alb.plan.compile import AlbSpec, compile_alb
from awsgw.providers.aws.alb.plan.values import AlbLimits
from awsgw.providers.aws.common.naming import digest, label
from awsgw.providers.aws.elbv2.plan.forward import MAX_WEIGHT, exact_weights, scheme_of
from awsgw.providers.aws.elbv2.plan.specs import TargetGroupSpec

NLB_PLANE = "nlb"
"""``awsgw.io/plane`` of everything the NLB data plane creates (its chained ALB too)."""
UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class NlbLimits:
    """NLB quotas (AWS documentation defaults); moto enforces none of them."""

    listeners: int = 50
    target_groups_per_action: int = 5
    max_weight: int = MAX_WEIGHT
    certificates_per_listener: int = 25
    """The default certificate included."""


@dataclass(frozen=True)
class NlbForward:
    groups: tuple[tuple[str, int], ...]
    """(target group name, weight), sorted; one group always weighs 1."""


@dataclass
class NlbListener:
    port: int
    protocol: str
    """``TCP``, ``UDP``, ``TCP_UDP`` or ``TLS``."""
    forward: NlbForward
    serves: tuple[str, ...]
    """The Gateway listeners whose connections it carries."""
    certificates: list[ListenerCertificate] = field(default_factory=list)
    """TLS listeners: the default first, then the SNI ones."""
    certificate_listeners: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class NlbSpec:
    gateway: str
    name: str
    scheme: str
    listeners: list[NlbListener]
    target_groups: dict[str, TargetGroupSpec]
    """ALB-type ones (``target_type`` ``alb``) get their one target when the ALB exists."""
    chained: AlbSpec | None
    """The ALB behind the NLB serving its HTTP and HTTPS listeners (None: it has none)."""
    addresses: tuple[str, ...] = ()
    """Elastic IPs (public IPv4) the NLB must have, one per availability zone."""
    findings: list[RuleProblem] = field(default_factory=list)
    refused: list[ListenerProblem] = field(default_factory=list)
    """Gateway listeners the NLB cannot program (their Programmed condition says why)."""
    error: str | None = None
    parameters: LoadBalancerParameters = NO_PARAMETERS
    """The Gateway's ``LoadBalancerConfiguration`` (the chained ALB takes its tags and its
    HTTPS listeners' settings only)."""

    @property
    def tcp_ports(self) -> tuple[int, ...]:
        """Ports the owned security group opens for TCP (HTTP/HTTPS ports included)."""
        ports = {ls.port for ls in self.listeners if ls.protocol != "UDP"}
        return tuple(sorted(ports))

    @property
    def udp_ports(self) -> tuple[int, ...]:
        ports = {ls.port for ls in self.listeners if ls.protocol in ("UDP", "TCP_UDP")}
        return tuple(sorted(ports))


def nlb_name(cluster: str, gateway_key: str) -> str:
    """≤ 32 characters, stable per (cluster, Gateway)."""
    ns, _, name = gateway_key.partition("/")
    return f"nw-{label(ns, 8)}-{label(name, 8)}-{digest(cluster, gateway_key, size=10)}"


def chained_name(cluster: str, gateway_key: str) -> str:
    """The name of the ALB behind a Gateway's NLB."""
    ns, _, name = gateway_key.partition("/")
    digest_ = digest(cluster, gateway_key, "chained", size=10)
    return f"ch-{label(ns, 8)}-{label(name, 8)}-{digest_}"


def stream_tg_name(
    cluster: str, gateway_key: str, backend: str, protocol: str, target_type: str = "ip"
) -> str:
    """One target group per (Gateway, Service port, protocol), shared by its Routes;
    another target type (fixed at creation) is another target group."""
    svc = backend.split("/")[-1].split(":")[0]
    fixed = (target_type,) if target_type != "ip" else ()
    return f"tn-{label(svc, 12)}-{digest(cluster, gateway_key, backend, protocol, *fixed, size=14)}"


def chained_tg_name(cluster: str, gateway_key: str, port: int) -> str:
    """The ALB-type target group through which the NLB reaches the chained ALB's port."""
    return f"tc-{port}-{digest(cluster, gateway_key, 'chained', str(port), size=20)}"


@dataclass
class _Entry:
    """One Gateway listener's wish for an NLB listener on its port."""

    index: int
    """The Gateway listener's position (the later of two that cannot share a port yields)."""
    listeners: tuple[str, ...]
    """The Gateway listener; a chained HTTP(S) port: every listener of the port."""
    protocol: str
    weights: dict[BackendKey | None, int]
    """Backend → weight; empty for a chained HTTP(S) port."""
    stream: StreamListener | None = None


class _Compiler:
    def __init__(self, model: GatewayModel, cluster: str, limits: NlbLimits) -> None:
        self.model = model
        self.cluster = cluster
        self.limits = limits
        self.findings: list[RuleProblem] = []
        self.refused: list[ListenerProblem] = []
        self.groups: dict[str, TargetGroupSpec] = {}

    def problem(self, rb: RouteBackends, message: str, kind: ProblemKind, rule: int = 0) -> None:
        self.findings.append(RuleProblem(self.model.key, rb.route, rule, message, kind))

    # ------------------------------------------------------------------ Routes → backends
    def served(self, stream: StreamListener) -> RouteBackends | None:
        """The Route the listener forwards to: the oldest; the others are told."""
        if not stream.routes:
            return None
        first, *others = stream.routes
        why = (
            "an NLB cannot route by TLS server name (SNI)"
            if stream.protocol == "TLS"
            else "an NLB listener forwards every connection of its port one way"
        )
        for rb in others:
            self.problem(
                rb,
                f"not served: listener {stream.listener} forwards every connection to "
                f"{first.route}, the oldest Route placed on it ({why})",
                ProblemKind.NOTE,
            )
        for extra in range(1, first.rules):
            self.problem(
                first,
                f"not programmed: listener {stream.listener} forwards every connection to "
                "this Route's first rule (an NLB listener has no rules)",
                ProblemKind.UNSUPPORTED,
                extra,
            )
        if stream.protocol == "TLS" and not _covers(stream.hostname, first.hostnames):
            self.problem(
                first,
                f"an NLB cannot filter by TLS server name (SNI): connections to listener "
                f"{stream.listener} for any name reach this Route's backends",
                ProblemKind.NOTE,
            )
        return first

    def weights(
        self, stream: StreamListener, rb: RouteBackends
    ) -> dict[BackendKey | None, int] | None:
        """Backend → exact NLB weight; None when nothing can be forwarded."""
        merged: dict[BackendKey | None, int] = {}
        for wb in rb.backends:
            if wb.weight > 0:
                merged[wb.backend] = merged.get(wb.backend, 0) + wb.weight
        if not merged or all(k is None for k in merged):
            return None  # every connection refused, as the spec asks: no listener
        if len(merged) > self.limits.target_groups_per_action:
            self.problem(
                rb,
                f"not programmed: {len(merged)} weighted backends; an NLB forward takes "
                f"{self.limits.target_groups_per_action} target groups",
                ProblemKind.UNSUPPORTED,
            )
            return None
        scaled = exact_weights(list(merged.values()), self.limits.max_weight)
        if scaled is None:
            self.problem(
                rb,
                f"not programmed: weights {list(merged.values())} cannot be expressed "
                f"exactly in NLB's 0–{self.limits.max_weight}",
                ProblemKind.UNSUPPORTED,
            )
            return None
        return dict(zip(merged, [1] if len(merged) == 1 else scaled, strict=True))

    # ------------------------------------------------------------------ target groups
    def group_for(self, backend: BackendKey | None, protocol: str) -> str:
        backend_text = str(backend) if backend else UNRESOLVED
        policy = self.model.target_groups.get(backend) if backend else None
        kind = policy.target_type if policy else "ip"
        name = stream_tg_name(self.cluster, self.model.key, backend_text, protocol, kind)
        if name not in self.groups:
            targets = self.model.targets.get(backend, ()) if backend else ()
            port = targets[0][1] if targets else (backend.port if backend else 1)
            self.groups[name] = TargetGroupSpec(
                name,
                backend_text,
                port,
                targets,
                protocol=protocol,
                protocol_version=None,
                target_type=kind,
                health_check_protocol="TCP",
                policy=policy,
            )
        return name

    def forward(self, weights: dict[BackendKey | None, int], protocol: str) -> NlbForward:
        pairs = sorted((self.group_for(k, protocol), w) for k, w in weights.items())
        return NlbForward(tuple(pairs))

    def chained_group(self, port: int, protocol: str) -> NlbForward:
        name = chained_tg_name(self.cluster, self.model.key, port)
        self.groups[name] = TargetGroupSpec(
            name,
            f"alb:{port}",
            port,
            (),
            protocol="TCP",
            protocol_version=None,
            target_type="alb",
            health_check_protocol=protocol,
            health_check_codes="200-499",
        )
        return NlbForward(((name, 1),))

    # ------------------------------------------------------------------ listeners
    def entries(self) -> dict[int, list[_Entry]]:
        """Per port, what the Gateway listeners ask of it, in Gateway listener order."""
        by_port: dict[int, list[_Entry]] = {}
        for index, stream in enumerate(self.model.streams):
            rb = self.served(stream)
            weights = self.weights(stream, rb) if rb is not None else None
            if weights is None:
                continue  # no Route, or nothing to forward to: connections are refused
            entry = _Entry(index, (stream.listener,), stream.protocol, weights, stream)
            by_port.setdefault(stream.port, []).append(entry)
        offset = len(self.model.streams)
        for i, port in enumerate(self.model.ports):
            names = tuple(dict.fromkeys(g.listener for g in port.groups))
            entry = _Entry(offset + i, names, port.protocol, {})
            by_port.setdefault(port.port, []).append(entry)
        return by_port

    def listener_for(self, port: int, entries: list[_Entry]) -> NlbListener | None:
        entries = sorted(entries, key=lambda e: e.index)
        first, rest = entries[0], entries[1:]
        partner = next((e for e in rest if {first.protocol, e.protocol} == {"TCP", "UDP"}), None)
        if partner is not None and partner.weights == first.weights:
            self._refuse(port, first, [e for e in rest if e is not partner])
            tcp, udp = sorted((first, partner), key=lambda e: e.protocol == "UDP")
            forward = self.forward(tcp.weights, "TCP_UDP")
            return NlbListener(port, "TCP_UDP", forward, tcp.listeners + udp.listeners)
        self._refuse(port, first, rest)
        if first.protocol in ("HTTP", "HTTPS"):
            forward = self.chained_group(port, first.protocol)
            return NlbListener(port, "TCP", forward, first.listeners)
        stream = first.stream
        assert stream is not None
        if stream.protocol == "TLS" and stream.tls_mode == "Terminate":
            certificates = stream.certificates[: self.limits.certificates_per_listener]
            return NlbListener(
                port,
                "TLS",
                self.forward(first.weights, "TCP"),
                (stream.listener,),
                list(certificates),
                dict(stream.certificate_listeners),
            )
        protocol = "UDP" if stream.protocol == "UDP" else "TCP"
        return NlbListener(
            port, protocol, self.forward(first.weights, protocol), (stream.listener,)
        )

    def _refuse(self, port: int, served: _Entry, others: list[_Entry]) -> None:
        """The Gateway listeners of ``port`` its NLB listener cannot carry besides
        ``served``'s: each is not programmed, and says why."""
        for entry in others:
            pair = {served.protocol, entry.protocol}
            if pair == {"TCP", "UDP"}:
                why = ("an NLB listener is TCP, UDP or TCP_UDP, and a TCP and a UDP listener "
                       "share a port only when they forward to the same backends")  # fmt: skip
            elif "UDP" in pair:
                why = ("a port that hands connections to the chained ALB (HTTP, HTTPS) "
                       "carries no UDP, and a UDP listener takes the whole port")  # fmt: skip
            else:
                why = ("an NLB listener forwards every connection of its port one way: it "
                       "cannot tell listeners apart by hostname (TLS server name)")  # fmt: skip
            for name in entry.listeners:
                message = f"port {port} is taken by listener {served.listeners[0]}: {why}"
                self.refused.append(ListenerProblem(name, Reason.INVALID, message, refs=False))

    def listeners(self) -> list[NlbListener]:
        out: list[NlbListener] = []
        for port, entries in sorted(self.entries().items()):
            listener = self.listener_for(port, entries)
            if listener is None:
                continue
            if len(out) >= self.limits.listeners:
                for name in listener.serves:
                    message = (
                        f"not programmed: the NLB listener quota ({self.limits.listeners}) "
                        "is taken by lower ports"
                    )
                    self.refused.append(ListenerProblem(name, Reason.INVALID, message, False))
                continue
            out.append(listener)
        return out


def _covers(listener_hostname: str | None, route_hostnames: tuple[str, ...]) -> bool:
    """Does the Route serve every name the listener accepts (so SNI filtering is moot)?"""
    if not route_hostnames:
        return True
    return (
        listener_hostname is not None
        and not listener_hostname.startswith("*")
        and listener_hostname.lower() in (h.lower() for h in route_hostnames)
    )


def compile_nlb(
    model: GatewayModel,
    cluster: str,
    limits: NlbLimits | None = None,
    alb_limits: AlbLimits | None = None,
) -> NlbSpec:
    """The NLB, its listeners and target groups for one Gateway, and the ALB chained
    behind it for its HTTP and HTTPS listeners."""
    compiler = _Compiler(model, cluster, limits or NlbLimits())
    listeners = compiler.listeners()
    chained = None
    if model.ports:
        alb = compile_alb(replace(model, streams=[]), cluster, alb_limits)
        params = model.parameters
        behind = LoadBalancerParameters(
            params.sources, tags=params.tags, listeners=params.listeners
        )
        chained = replace(
            alb,
            name=chained_name(cluster, model.key),
            scheme="internal",
            error=None,
            parameters=behind,
        )
        compiler.findings += alb.findings
    scheme, error = scheme_of(model.annotations, model.parameters)
    if model.addresses:
        if scheme != "internet-facing" and model.parameters.scheme is not None:
            error = (
                "spec.addresses: Elastic IPs need an internet-facing Network Load Balancer; "
                f"{model.parameters.sources[-1]} spec.scheme is {scheme}"
            )
        elif SCHEME_ANNOTATION in model.annotations and scheme != "internet-facing":
            error = (
                "spec.addresses: Elastic IPs need an internet-facing Network Load Balancer; "
                f"metadata.annotations[{SCHEME_ANNOTATION}] is {scheme}"
            )
        scheme = "internet-facing"
    used = {name for ls in listeners for name, _ in ls.forward.groups}
    return NlbSpec(
        model.key,
        nlb_name(cluster, model.key),
        scheme,
        listeners,
        {name: tg for name, tg in compiler.groups.items() if name in used},
        chained,
        model.addresses,
        list(dict.fromkeys(compiler.findings)),
        compiler.refused,
        error,
        model.parameters,
    )

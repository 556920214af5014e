"""Gateway models → the VPC Lattice resources they need (pure; no boto3).

Each Route becomes one Lattice service (shared by every Lattice Gateway it is placed on),
with one listener per Gateway listener port and its rules in Gateway API precedence; a
TLSRoute on a TLS passthrough listener becomes a service whose custom domain is its one
exact hostname (Lattice routes TLS by SNI to it), with a ``TLS_PASSTHROUGH`` listener whose
only rule is its default forward to TCP target groups. Rule
matches and actions come out as the Lattice API shapes (target groups by name), so the apply
step compares them with what ``GetRule`` returns. What Lattice cannot express becomes a
``RuleProblem`` for the Route's status, never a silent approximation. Quotas are checked here,
before AWS is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from awsgw.core.backends import BackendKey
from awsgw.core.findings import ProblemKind, RuleProblem
from awsgw.core.model import (
    Action,
    Certificate,
    ExportModel,
    GatewayModel,
    Match,
    Rule,
)
from awsgw.core.translate import match_key
from awsgw.objects import RouteRef
from awsgw.providers.aws.lattice.plan.names import (
    export_group_name,
    network_name,
    service_name,
    target_group_name,
)
from awsgw.providers.aws.lattice.plan.passthrough import tls_routes, tls_service
from awsgw.providers.aws.lattice.plan.specs import (
    SERVER_ERROR,
    UNRESOLVED,
    Exported,
    LatticeAction,
    LatticeForward,
    LatticeLimits,
    LatticeListener,
    LatticePlan,
    LatticeRule,
    LatticeTargetGroup,
    ServiceSpec,
    Unsupported,
    canonical,
    lattice_weights,
)


def _path(value: str, kind: str, limits: LatticeLimits) -> dict[str, object]:
    if len(value) > limits.value_length:
        raise Unsupported(f"path {value[:20]}...: longer than {limits.value_length} characters")
    return {"match": {kind: value}, "caseSensitive": True}


def lattice_matches(m: Match, route_kind: str, limits: LatticeLimits) -> list[str]:
    """The Lattice matches (canonical JSON) that together express one Gateway API match:
    a PathPrefix needs two (``exact /p`` and ``prefix /p/``), as Lattice prefixes are not
    segment-aware."""
    if m.query:
        raise Unsupported("query parameter matches are not supported on VPC Lattice")
    if len(m.headers) > limits.headers_per_match:
        raise Unsupported(
            f"{len(m.headers)} header matches; a VPC Lattice rule takes {limits.headers_per_match}"
        )
    http: dict[str, object] = {}
    headers = []
    for h in m.headers:
        if h.type != "Exact":
            raise Unsupported(f"header {h.name}: type {h.type} is not supported on VPC Lattice")
        if len(h.value) > limits.value_length:
            raise Unsupported(f"header {h.name}: value longer than {limits.value_length}")
        headers.append({"name": h.name.lower(), "match": {"exact": h.value}, "caseSensitive": True})
    if headers:
        http["headerMatches"] = sorted(headers, key=canonical)
    if m.method:
        http["method"] = m.method
    if m.path_type == "Exact":
        paths = [_path(m.path, "exact", limits)]
    elif m.path_type == "PathPrefix":
        prefix = m.path.rstrip("/")
        paths = (
            [_path(prefix, "exact", limits), _path(prefix + "/", "prefix", limits)]
            if prefix
            else [_path("/", "prefix", limits)]
        )
    elif route_kind == "GRPCRoute":
        raise Unsupported(
            "a GRPCRoute method match needs both service and method (type Exact) on VPC "
            "Lattice, which matches paths by exact value or prefix only"
        )
    else:
        raise Unsupported("path type RegularExpression is not supported on VPC Lattice")
    return [canonical({"httpMatch": {**http, "pathMatch": p}}) for p in paths]


@dataclass
class _Context:
    cluster: str
    limits: LatticeLimits
    exported: Exported
    models: dict[str, GatewayModel]
    groups: dict[str, LatticeTargetGroup] = field(default_factory=dict)

    def local_group(self, backend: BackendKey | None, protocol_version: str) -> str:
        if backend is None:
            name = target_group_name(self.cluster, UNRESOLVED, protocol_version)
            unresolved = LatticeTargetGroup(name, UNRESOLVED, 80, protocol_version, ())
            self.groups.setdefault(name, unresolved)
            return name
        name = target_group_name(self.cluster, str(backend), protocol_version)
        if name not in self.groups:
            targets = next(
                (m.targets[backend] for m in self.models.values() if backend in m.targets), ()
            )
            port = targets[0][1] if targets else backend.port
            policy = next(
                (m.target_groups[backend] for m in self.models.values()
                 if backend in m.target_groups), None,
            )  # fmt: skip
            self.groups[name] = LatticeTargetGroup(
                name, str(backend), port, protocol_version, targets, policy=policy
            )
        return name


def _forward(rule: Rule, ctx: _Context, unresolved: list[str]) -> LatticeAction:
    """The rule's forward action; ServiceImport shares go to every exporting cluster's group
    (split evenly); invalid shares to an empty group (answers 5xx), all invalid: 500."""
    version = "GRPC" if rule.route.kind == "GRPCRoute" else "HTTP1"
    shares: dict[str | None, Fraction] = {}
    for b in (b for b in rule.action.backends if b.weight > 0):
        key = b.backend
        if key is not None and key.kind == "ServiceImport":
            if version == "GRPC":
                raise Unsupported(f"{key}: gRPC to a ServiceImport is not supported")
            groups = ctx.exported.get((key.namespace, key.name, key.port), ())
            if not groups:
                unresolved.append(
                    f"backendRef {key}: no cluster exports it (no exported VPC Lattice "
                    "target group found)"
                )
            for g in groups or (None,):
                shares[g] = shares.get(g, Fraction(0)) + Fraction(b.weight, len(groups) or 1)
            continue
        name = ctx.local_group(key, version) if key is not None else None
        shares[name] = shares.get(name, Fraction(0)) + b.weight
    if not shares or all(k is None for k in shares):
        return SERVER_ERROR
    if len(shares) > ctx.limits.target_groups_per_rule:
        raise Unsupported(
            f"{len(shares)} target groups; a VPC Lattice rule forwards to at most "
            f"{ctx.limits.target_groups_per_rule}"
        )
    names = [k if k is not None else ctx.local_group(None, "HTTP1") for k in shares]
    weights = lattice_weights(list(shares.values()), ctx.limits) if len(shares) > 1 else [1]
    return LatticeForward(tuple(sorted(zip(names, weights, strict=True))))


def _action(rule: Rule, ctx: _Context, unresolved: list[str]) -> LatticeAction:
    action: Action = rule.action
    unsupported = list(action.unsupported)
    if action.redirect is not None:
        unsupported.append("RequestRedirect")
    if action.rewrite is not None:
        unsupported.append("URLRewrite")
    if unsupported:
        raise Unsupported(f"filters {', '.join(unsupported)} are not supported on VPC Lattice")
    return _forward(rule, ctx, unresolved)


@dataclass
class _Entry:
    gateway: str
    port: int
    protocol: str
    certificates: list[Certificate]
    rule: Rule


def _entries(
    models: dict[str, GatewayModel],
) -> tuple[list[RouteRef], dict[RouteRef, list[_Entry]]]:
    order: list[RouteRef] = []
    entries: dict[RouteRef, list[_Entry]] = {}
    for key, model in sorted(models.items()):
        order += [r for r in model.routes if r not in order]
        for port in model.ports:
            for group in port.groups:
                for rule in group.rules:
                    # Lattice listeners take Secrets only (the core refuses ACM ARNs there)
                    secrets = [c for c in port.certificates if isinstance(c, Certificate)]
                    entry = _Entry(key, port.port, port.protocol, secrets, rule)
                    entries.setdefault(rule.route, []).append(entry)
    order += [r for r in entries if r not in order]
    return order, entries


def _custom_domain(entries: list[_Entry]) -> tuple[str | None, str | None]:
    """The one exact hostname a Route serves (None: any host), or why there is none."""
    hosts = sorted({h for e in entries for h in e.rule.hostnames})
    if not hosts:
        return None, None
    if len(hosts) == 1 and not hosts[0].startswith("*."):
        return hosts[0], None
    return None, (
        f"hostnames {', '.join(hosts)}: a VPC Lattice service has one custom domain name, "
        "exact (no wildcard); give the Route one hostname"
    )


def _refuse(plan: LatticePlan, entries: list[_Entry], message: str) -> None:
    for e in entries:
        plan.findings.append(RuleProblem(e.gateway, e.rule.route, e.rule.rule_index, message))


def _listener(
    port: int, protocol: str, entries: list[_Entry], ctx: _Context, plan: LatticePlan
) -> LatticeListener:
    spec = LatticeListener(port, protocol)
    gateways = sorted({e.gateway for e in entries})
    unique = {(e.rule.rule_index, e.rule.match_index): e.rule for e in entries}
    ordered = sorted(
        unique.values(), key=lambda r: (match_key(r.match), r.rule_index, r.match_index)
    )
    seen: set[str] = set()
    origins: list[Rule] = []

    def find(rule: Rule, message: str, kind: ProblemKind = ProblemKind.UNSUPPORTED) -> None:
        for gw in gateways:
            plan.findings.append(RuleProblem(gw, rule.route, rule.rule_index, message, kind))

    for rule in ordered:
        try:
            matches = lattice_matches(rule.match, rule.route.kind, ctx.limits)
        except Unsupported as exc:
            find(rule, f"dropped: {exc}")
            continue
        unresolved: list[str] = []
        try:
            act = _action(rule, ctx, unresolved)
        except Unsupported as exc:  # never skip a filter: answer 500 instead
            find(rule, f"answers 500: {exc}")
            act = SERVER_ERROR
        for message in unresolved:
            find(rule, message, ProblemKind.BACKEND_NOT_FOUND)
        source = f"{rule.route} rule {rule.rule_index} match {rule.match_index}"
        for match in matches:
            if match not in seen:  # an identical earlier rule always wins
                seen.add(match)
                spec.rules.append(LatticeRule(match, act, source))
                origins.append(rule)
    limit = ctx.limits.rules_per_listener
    if len(spec.rules) > limit:
        for rule in origins[limit:]:
            find(
                rule,
                f"port {port} needs {len(spec.rules)} VPC Lattice rules; the listener quota "
                f"is {limit}: lowest-precedence rules dropped",
                ProblemKind.QUOTA,
            )
        spec.rules = spec.rules[:limit]
    return spec


def compile_lattice(
    models: dict[str, GatewayModel],
    cluster: str,
    exported: Exported,
    limits: LatticeLimits | None = None,
) -> LatticePlan:
    """Service networks, one service per Route, and the local target groups they use."""
    ctx = _Context(cluster, limits or LatticeLimits(), exported, models)
    plan = LatticePlan()
    for key, model in models.items():
        plan.networks[key] = network_name(key, model.annotations)
    domains: dict[str, RouteRef] = {}
    order, by_route = _entries(models)
    for route in order:
        entries = by_route.get(route, [])
        if not entries:
            continue
        domain, problem = _custom_domain(entries)
        if domain is not None and domain in domains:
            problem = f"hostname {domain} is already the custom domain of {domains[domain]}"
        if problem:
            _refuse(plan, entries, f"dropped: {problem}")
            continue
        if domain is not None:
            domains[domain] = route
        ports = sorted({(e.port, e.protocol) for e in entries})
        kept = ports[: ctx.limits.listeners_per_service]
        for port, _ in ports[len(kept) :]:
            _refuse(
                plan,
                [e for e in entries if e.port == port],
                f"port {port} not programmed: a VPC Lattice service takes at most "
                f"{ctx.limits.listeners_per_service} listeners",
            )
        listeners = [
            _listener(p, proto, [e for e in entries if e.port == p], ctx, plan) for p, proto in kept
        ]
        certificate = next(
            (e.certificates[0] for e in entries if e.protocol == "HTTPS" and e.certificates), None
        )
        plan.services[service_name(cluster, route)] = ServiceSpec(
            service_name(cluster, route),
            route,
            sorted({e.gateway for e in entries if (e.port, e.protocol) in kept}),
            listeners,
            domain,
            certificate if domain else None,
        )
    for route, streams in tls_routes(models).items():
        service = tls_service(route, streams, ctx, plan, domains)
        if service is not None:
            plan.services[service.name] = service
    used = {
        name
        for svc in plan.services.values()
        for ls in svc.listeners
        for action in (*(r.action for r in ls.rules), *([ls.default] if ls.default else []))
        if isinstance(action, LatticeForward)
        for name, _ in action.groups
    }
    plan.target_groups = {k: v for k, v in ctx.groups.items() if k in used}
    plan.findings = list(dict.fromkeys(plan.findings))
    return plan


def compile_exports(
    exports: tuple[ExportModel, ...], cluster: str
) -> dict[str, LatticeTargetGroup]:
    """The target groups this cluster publishes, one per exported Service port."""
    out = {}
    for e in exports:
        name = export_group_name(cluster, e.namespace, e.name, e.port)
        port = e.targets[0][1] if e.targets else e.port
        backend = f"{e.namespace}/{e.name}:{e.port}"
        out[name] = LatticeTargetGroup(
            name, backend, port, "HTTP1", e.targets, (e.namespace, e.name, e.port)
        )
    return out

"""GatewayModel → the Application Load Balancer it needs (pure; no boto3).

Rules come out per listener port in Gateway API precedence, their conditions and actions in
the canonical form of ``values`` that the apply step turns into ELBv2 API shapes and compares
against what ``DescribeRules`` returns. What ALB cannot express becomes a ``RuleProblem`` for
the Route's status, never a silent approximation; quotas are checked here, before AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from awsgw.core.findings import ProblemKind, RuleProblem
from awsgw.core.model import GatewayModel, ListenerCertificate, Rule
from awsgw.core.parameters import NO_PARAMETERS, LoadBalancerParameters
from awsgw.objects import RouteRef
from awsgw.providers.aws.alb.plan.actions import TargetGroups, actions_for
from awsgw.providers.aws.alb.plan.conditions import ConditionSet, conditions_for, host_condition
from awsgw.providers.aws.alb.plan.values import (
    DEFAULT_LIMITS,
    NOT_FOUND,
    SERVER_ERROR,
    AlbAction,
    AlbLimits,
    Forward,
    Transform,
    Unsupported,
)
from awsgw.providers.aws.common.naming import digest, label
from awsgw.providers.aws.elbv2.plan.forward import scheme_of
from awsgw.providers.aws.elbv2.plan.specs import TargetGroupSpec


@dataclass(frozen=True)
class AlbRule:
    conditions: ConditionSet
    actions: tuple[AlbAction, ...]
    source: str
    """Human-readable origin, e.g. ``HTTPRoute ns/name rule 0 match 1``."""
    transforms: tuple[Transform, ...] = ()


@dataclass
class AlbListener:
    port: int
    protocol: str
    rules: list[AlbRule]
    certificates: list[ListenerCertificate] = field(default_factory=list)
    certificate_listeners: dict[str, list[str]] = field(default_factory=dict)
    """Certificate key (Secret ``ns/name`` or ARN) → the Gateway listeners presenting it."""


@dataclass
class AlbSpec:
    gateway: str
    name: str
    scheme: str
    listeners: list[AlbListener]
    target_groups: dict[str, TargetGroupSpec]
    findings: list[RuleProblem]
    """Route rules ALB cannot program as written, and notes on how it serves others."""
    error: str | None = None
    """A Gateway-level problem: nothing is programmed while it stands."""
    parameters: LoadBalancerParameters = NO_PARAMETERS
    """The Gateway's ``LoadBalancerConfiguration`` (scheme already in ``scheme``)."""


def lb_name(cluster: str, gateway_key: str) -> str:
    """≤ 32 characters, letters/digits/hyphens, stable per (cluster, Gateway)."""
    ns, _, name = gateway_key.partition("/")
    return f"gw-{label(ns, 8)}-{label(name, 8)}-{digest(cluster, gateway_key, size=10)}"


Origin = tuple[RouteRef, int]
"""The Route and rule index an ALB rule comes from."""


def fit_quota(
    rules: list[AlbRule],
    origins: list[Origin | None],
    route_order: tuple[RouteRef, ...],
    quota: int,
) -> tuple[list[AlbRule], list[Origin]]:
    """The rules a full listener keeps, in their listener order, and the Route rules dropped.

    Who keeps a place follows the spec's conflict order between Routes (oldest, then
    namespace/name: ``route_order``), never rule precedence across hostnames, which only
    orders the rules. Listener rules (hostname isolation, origin None) come first. A Route
    rule is kept whole or not at all (all of its matches and host chunks); within a Route,
    its rules are taken in its own precedence order and the first that does not fit drops it
    and every lower one."""
    by_origin: dict[Origin, list[int]] = {}
    for i, origin in enumerate(origins):
        if origin is not None:
            by_origin.setdefault(origin, []).append(i)
    keep = {i for i, origin in enumerate(origins) if origin is None}
    budget = quota - len(keep)
    rank = {route: n for n, route in enumerate(route_order)}
    of_route: dict[RouteRef, list[Origin]] = {}
    """Each Route's rules in listener order (``by_origin`` is in order of first rule)."""
    for origin in by_origin:
        of_route.setdefault(origin[0], []).append(origin)
    routes = sorted(of_route, key=lambda r: (rank.get(r, len(rank)), r))
    dropped: list[Origin] = []
    for route in routes:
        full = False
        for origin in of_route[route]:
            need = len(by_origin[origin])
            if full or need > budget:
                full = True
                dropped.append(origin)
                continue
            keep.update(by_origin[origin])
            budget -= need
    return [r for i, r in enumerate(rules) if i in keep], dropped


def compile_alb(model: GatewayModel, cluster: str, limits: AlbLimits | None = None) -> AlbSpec:
    """The ALB, listeners, ordered rules and target groups for one Gateway."""
    limits = limits or DEFAULT_LIMITS
    groups = TargetGroups(cluster, model.key, model)
    findings: list[RuleProblem] = []

    def problem(rule: Rule, message: str, kind: ProblemKind = ProblemKind.UNSUPPORTED) -> None:
        findings.append(RuleProblem(model.key, rule.route, rule.rule_index, message, kind))

    listeners = []
    for port in model.ports:
        rules: list[AlbRule] = []
        seen: set[ConditionSet] = set()
        origins: list[Origin | None] = []
        for gi, group in enumerate(port.groups):
            for rule in group.rules:
                try:
                    condition_sets, notes = conditions_for(rule, limits)
                except Unsupported as exc:
                    problem(rule, f"dropped: {exc}")
                    continue
                for note in notes:
                    problem(rule, note, ProblemKind.NOTE)
                transforms: tuple[Transform, ...] = ()
                try:
                    acts, transforms = actions_for(rule, groups, limits, port.protocol)
                except Unsupported as exc:  # never skip a filter: answer 500 instead
                    problem(rule, f"answers 500: {exc}")
                    acts = SERVER_ERROR
                source = f"{rule.route} rule {rule.rule_index} match {rule.match_index}"
                for conds in condition_sets:
                    if conds not in seen:  # an identical earlier rule always wins
                        seen.add(conds)
                        rules.append(AlbRule(conds, acts, source, transforms))
                        origins.append((rule.route, rule.rule_index))
            later = port.groups[gi + 1 :]
            if group.hostname and later:
                try:
                    isolate: ConditionSet = (host_condition(group.hostname, limits),)
                except Unsupported:
                    isolate = ()
                if isolate and isolate not in seen:
                    seen.add(isolate)
                    rules.append(AlbRule(isolate, NOT_FOUND, f"listener {group.listener}"))
                    origins.append(None)
        if len(rules) > limits.rules_per_listener:
            rules, dropped = fit_quota(rules, origins, model.routes, limits.rules_per_listener)
            message = (
                f"not programmed: the ALB rule quota of the listener on port {port.port} "
                f"({limits.rules_per_listener}) is taken by older Routes and this Route's "
                "higher-precedence rules"
            )
            for route, rule_index in dropped:
                findings.append(
                    RuleProblem(model.key, route, rule_index, message, ProblemKind.QUOTA)
                )
        listeners.append(
            AlbListener(
                port.port,
                port.protocol,
                rules,
                list(port.certificates),
                dict(port.certificate_listeners),
            )
        )
    used = {
        name
        for ls in listeners
        for r in ls.rules
        for a in r.actions
        if isinstance(a, Forward)
        for name, _ in a.groups
    }
    wanted = {k: v for k, v in groups.specs.items() if k in used}
    scheme, error = scheme_of(model.annotations, model.parameters)
    unique = list(dict.fromkeys(findings))
    name = lb_name(cluster, model.key)
    return AlbSpec(model.key, name, scheme, listeners, wanted, unique, error, model.parameters)

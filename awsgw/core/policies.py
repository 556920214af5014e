"""TargetGroupPolicy (GEP-713 direct policy on Services), pure: each policy checked, its
target references resolved (a Service, a port of it by name), conflicts settled (the oldest
policy keeps a Service port), and per ancestor — each Gateway whose Routes name a targeted
Service — whether that Gateway's data plane can apply it.

What comes out: the settings a Service port's target group gets on a Gateway
(``Policies.for_backend``), and each policy's ``status.ancestors``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from awsgw.core.backends import NODE_PORT_TYPES, BackendKey
from awsgw.core.capabilities import Capabilities, attribute_problem
from awsgw.core.conditions import Condition, Reason, Verdict, render
from awsgw.core.store import Store, age_order
from awsgw.objects import (
    GATEWAY_GROUP,
    TARGET_GROUP_POLICY,
    Route,
    TargetGroupPolicy,
    TargetGroupSettings,
)
from awsgw.objects.meta import spec_problem

POLICY_ACCEPTED = Verdict(True, Reason.ACCEPTED, "Policy is accepted")
ALL_PORTS = ""
"""The section of a target reference without ``sectionName``: every port of the Service."""


@dataclass(frozen=True)
class HealthCheck:
    """A target group's health check as a policy sets it (None: ELBv2's default)."""

    enabled: bool | None = None
    protocol: str | None = None
    port: int | None = None
    path: str | None = None
    interval_seconds: int | None = None
    timeout_seconds: int | None = None
    healthy_threshold_count: int | None = None
    unhealthy_threshold_count: int | None = None
    http_code: str | None = None
    grpc_code: str | None = None


@dataclass(frozen=True)
class TargetGroupParameters:
    """What a policy sets on the target groups of one Service port."""

    source: str
    """``TargetGroupPolicy ns/name``."""
    protocol_version: str | None = None
    target_type: str = "ip"
    protocol: str | None = None
    """The target group's protocol (ALB: ``HTTPS`` is TLS to the targets)."""
    """``ip`` (pod addresses) or ``instance`` (the Nodes' EC2 instances on the node port)."""
    health: HealthCheck = HealthCheck()
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PolicyState:
    """One policy as resolved: its own verdict (the same for every ancestor unless the
    ancestor's data plane refuses it) and its ancestors."""

    policy: TargetGroupPolicy
    verdict: Verdict
    ancestors: dict[str, tuple[str, Verdict]] = field(default_factory=dict)
    """Gateway key → (controllerName, the Accepted verdict there)."""

    def status(
        self, now: str, controllers: set[str], scope: frozenset[str] | None = None
    ) -> dict[str, object]:
        """``status.ancestors`` (GEP-713 ``PolicyAncestorStatus``): ours, after the entries
        other controllers wrote (``controllers``: the names that are ours). ``scope``: the
        Gateway keys this pass attached (None: all); our entries for others stay as they are."""
        previous = self.policy.raw.get("status")
        entries = [
            a
            for a in (previous.get("ancestors") or [] if isinstance(previous, dict) else [])
            if isinstance(a, dict) and isinstance(a.get("ancestorRef"), dict)
        ]

        def key_of(entry: dict[str, Any]) -> str:
            return f"{entry['ancestorRef'].get('namespace')}/{entry['ancestorRef'].get('name')}"

        ours = {key_of(a): a for a in entries if a.get("controllerName") in controllers}
        out: list[dict[str, object]] = [
            a for a in entries if a.get("controllerName") not in controllers
        ]
        mine: dict[str, dict[str, object]] = {
            k: a for k, a in ours.items() if scope is not None and k not in scope
        }
        for key, (controller, verdict) in self.ancestors.items():
            ns, _, name = key.partition("/")
            condition = Condition.of("Accepted", verdict, self.policy.generation)
            before = ours.get(key, {}).get("conditions")
            ref = {"group": GATEWAY_GROUP, "kind": "Gateway", "namespace": ns, "name": name}
            mine[key] = {
                "ancestorRef": ref,
                "controllerName": controller,
                "conditions": render([condition], before, now),
            }
        out += [a for _, a in sorted(mine.items())]
        return {"ancestors": out}


@dataclass(frozen=True)
class Policies:
    states: dict[str, PolicyState]
    """Policy key → its state."""
    applied: dict[tuple[str, str, str], tuple[str, TargetGroupParameters]]
    """(namespace, Service, port name or ``ALL_PORTS``) → (policy key, its settings)."""

    def for_backend(
        self, backend: BackendKey, gateway: str, store: Store
    ) -> TargetGroupParameters | None:
        """The settings of a Service port's target group on a Gateway (None: no policy
        applies there). A policy on the port by name wins over one on the whole Service."""
        if backend.kind != "Service" or not self.applied:
            return None
        svc = store.service(backend.namespace, backend.name)
        names = [p.name for p in (svc.spec.ports if svc else []) if p.port == backend.port]
        for section in [*(n for n in names if n), ALL_PORTS]:
            found = self.applied.get((backend.namespace, backend.name, section))
            if found is None:
                continue
            key, params = found
            _, verdict = self.states[key].ancestors.get(gateway, ("", POLICY_ACCEPTED))
            return params if verdict.ok else None
        return None


NO_POLICIES = Policies({}, {})


def _settings(policy: TargetGroupPolicy) -> TargetGroupSettings | Verdict:
    try:
        return TargetGroupSettings.model_validate(policy.spec)
    except ValidationError as exc:
        return Verdict(False, Reason.INVALID, spec_problem(exc))


def _parameters(settings: TargetGroupSettings, source: str) -> TargetGroupParameters:
    hc = settings.health_check
    health = HealthCheck()
    if hc is not None:
        matcher = hc.matcher
        health = HealthCheck(
            hc.enabled,
            hc.protocol,
            hc.port,
            hc.path,
            hc.interval_seconds,
            hc.timeout_seconds,
            hc.healthy_threshold_count,
            hc.unhealthy_threshold_count,
            matcher.http_code if matcher else None,
            matcher.grpc_code if matcher else None,
        )
    attributes = tuple(sorted((settings.attributes or {}).items()))
    return TargetGroupParameters(
        source,
        settings.protocol_version,
        settings.target_type or "ip",
        settings.protocol,
        health,
        attributes,
    )


def _refused_by(settings: TargetGroupSettings, caps: Capabilities, kinds: set[str]) -> str | None:
    """Why a Gateway's data plane cannot apply the policy to the target groups of the Route
    ``kinds`` that use its Services there (None: it can)."""
    data = settings.model_dump(by_alias=True, exclude_none=True)
    for kind in sorted(kinds):
        rules = caps.target_groups.get(kind)
        if rules is None:
            return f"{caps.short} applies no TargetGroupPolicy to the backends of {kind}s"
        for key in data:
            if key != "targetRefs" and key not in rules.fields:
                return f"spec.{key}: not applied to {rules.product}"
        if settings.protocol is not None and settings.protocol not in rules.protocols:
            protocols = ", ".join(sorted(rules.protocols))
            take = f"take {protocols}" if protocols else "keep the protocol of their listener"
            return f"spec.protocol: {rules.product} {take}"
        what = f"an attribute of {rules.product}"
        refused = attribute_problem(settings.attributes or {}, rules.attributes, what)
        if refused is not None:
            return refused
    matcher = settings.health_check.matcher if settings.health_check else None
    grpc = settings.protocol_version == "GRPC"
    if matcher is not None and matcher.grpc_code is not None and not grpc:
        return "spec.healthCheck.matcher.grpcCode: needs protocolVersion GRPC"
    if matcher is not None and matcher.http_code is not None and grpc:
        return "spec.healthCheck.matcher.httpCode: a GRPC target group takes grpcCode"
    return None


def _services_of(routes: Iterable[Route]) -> dict[tuple[str, str], set[str]]:
    """(namespace, name) of each Service the Routes use → the kinds of those Routes."""
    out: dict[tuple[str, str], set[str]] = {}
    for route in routes:
        for rule in route.spec.rules:
            for ref in rule.backend_refs:
                if ref.group == "" and ref.kind == "Service":
                    out.setdefault((ref.namespace or route.namespace, ref.name), set()).add(
                        route.kind
                    )
    return out


def resolve_policies(
    store: Store,
    gateway_routes: Mapping[str, tuple[str, Capabilities, list[Route]]],
) -> Policies:
    """Every TargetGroupPolicy resolved. ``gateway_routes``: Gateway key → (its class's
    controllerName, its data plane's row, the Routes placed on it)."""
    policies = store.all(TARGET_GROUP_POLICY, TargetGroupPolicy)
    policies.sort(key=age_order)
    states: dict[str, PolicyState] = {}
    applied: dict[tuple[str, str, str], tuple[str, TargetGroupParameters]] = {}
    uses = (
        {key: _services_of(routes) for key, (_, _, routes) in gateway_routes.items()}
        if policies
        else {}
    )
    for policy in policies:
        name = f"{TARGET_GROUP_POLICY} {policy.key}"
        settings = _settings(policy)
        targets: set[tuple[str, str]] = set()
        if isinstance(settings, Verdict):
            verdict = settings
            targets = named_services(policy)
        else:
            verdict, targets = _claim(policy, settings, store, applied, name)
        ancestors = {}
        for gw, (controller, caps, _) in sorted(gateway_routes.items()):
            used = [kinds for svc, kinds in uses[gw].items() if svc in targets]
            if not used:
                continue
            there = verdict
            if verdict.ok and not isinstance(settings, Verdict):
                refused = _refused_by(settings, caps, set().union(*used))
                if refused is not None:
                    there = Verdict(False, Reason.INVALID, refused)
            ancestors[gw] = (controller, there)
        states[policy.key] = PolicyState(policy, verdict, ancestors)
    return Policies(states, applied)


def named_services(policy: TargetGroupPolicy) -> set[tuple[str, str]]:
    """(namespace, name) of what a policy's ``targetRefs`` name, read from the spec as it is
    (a policy that does not validate still names what it names)."""
    refs = policy.spec.get("targetRefs")
    names = [r.get("name") for r in refs if isinstance(r, dict)] if isinstance(refs, list) else []
    return {(policy.namespace, n) for n in names if isinstance(n, str)}


def _claim(
    policy: TargetGroupPolicy,
    settings: TargetGroupSettings,
    store: Store,
    applied: dict[tuple[str, str, str], tuple[str, TargetGroupParameters]],
    name: str,
) -> tuple[Verdict, set[tuple[str, str]]]:
    """Claim the policy's Service ports (policies come oldest first); its verdict and the
    Services it targets."""
    params = _parameters(settings, name)
    problems: list[Verdict] = []
    claims: list[tuple[str, str, str]] = []
    targets = set()
    for i, ref in enumerate(settings.target_refs):
        where = f"spec.targetRefs[{i}]"
        if ref.group != "" or ref.kind != "Service":
            kind = f"{ref.group or 'core'}/{ref.kind}"
            problems.append(Verdict(False, Reason.INVALID, f"{where}: {kind}: only core Services"))
            continue
        targets.add((policy.namespace, ref.name))
        svc = store.service(policy.namespace, ref.name)
        if svc is None:
            message = f"{where}: Service {policy.namespace}/{ref.name} not found"
            problems.append(Verdict(False, Reason.TARGET_NOT_FOUND, message))
            continue
        if settings.target_type == "instance" and svc.spec.type not in NODE_PORT_TYPES:
            message = (
                f"spec.targetType: instance targets need a NodePort or LoadBalancer Service "
                f"({svc.key} is {svc.spec.type})"
            )
            problems.append(Verdict(False, Reason.INVALID, message))
            continue
        section = ref.section_name or ALL_PORTS
        if section and section not in {p.name for p in svc.spec.ports}:
            message = f"{where}.sectionName: Service {svc.key} has no port named {section}"
            problems.append(Verdict(False, Reason.TARGET_NOT_FOUND, message))
            continue
        key = (policy.namespace, ref.name, section)
        holder = applied.get(key)
        if holder is not None and holder[0] != policy.key:
            port = f"port {section} of " if section else ""
            message = (
                f"{where}: {port}Service {svc.key} already has TargetGroupPolicy "
                f"{holder[1].source.split(' ', 1)[1]} (the older one applies)"
            )
            problems.append(Verdict(False, Reason.CONFLICTED, message))
            continue
        claims.append(key)
    if problems:  # a policy applies whole or not at all (and then holds nothing)
        return problems[0], targets
    for key in claims:
        applied[key] = (policy.key, params)
    return POLICY_ACCEPTED, targets

"""GatewayModel → the Application Load Balancer it needs (pure; no boto3).

Conditions and actions come out in a canonical, hashable form that the apply step turns into
ELBv2 API shapes and compares against what ``DescribeRules`` returns. What ALB cannot express
becomes a ``RuleProblem`` for the Route's status, never a silent approximation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from awsgw.core.backends import BackendKey
from awsgw.core.findings import ProblemKind, RuleProblem
from awsgw.core.model import Action, Certificate, GatewayModel, Match, Rule
from awsgw.objects import RouteRef
from awsgw.providers.aws.common.naming import digest
from awsgw.providers.aws.elbv2.plan.specs import TargetGroupSpec

Cond = tuple[object, ...]
"""("host-header", values) | ("path-pattern", values) | ("http-header", name, values)
| ("query-string", ((key, value), ...)) | ("http-request-method", values); a field ending in
"~" ("host-header~", "path-pattern~", "http-header~") carries RegexValues instead of Values."""
Act = tuple[object, ...]
"""("forward", ((tg_name, weight), ...)) | ("fixed-response", code)
| ("redirect", protocol, port, host, path, query, code)"""
Transform = tuple[str, str, str]
"""("url-rewrite" | "host-header-rewrite", regex, replace)"""

SCHEME_ANNOTATION = "awsgw.io/scheme"
SCHEMES = ("internal", "internet-facing")


@dataclass(frozen=True)
class AlbLimits:
    """ELBv2 quotas (defaults from the AWS documentation); moto enforces none of them."""

    rules_per_listener: int = 100
    values_per_rule: int = 5
    values_per_condition: int = 3
    target_groups_per_action: int = 5
    max_weight: int = 999
    regex_length: int = 128


@dataclass(frozen=True)
class AlbRule:
    conditions: tuple[Cond, ...]
    actions: tuple[Act, ...]
    source: str
    """Human-readable origin, e.g. ``HTTPRoute ns/name rule 0 match 1``."""
    transforms: tuple[Transform, ...] = ()


@dataclass
class AlbListener:
    port: int
    protocol: str
    rules: list[AlbRule]
    certificates: list[Certificate] = field(default_factory=list)
    certificate_listeners: dict[str, list[str]] = field(default_factory=dict)
    """Secret ``ns/name`` → the Gateway listeners whose certificate it is."""


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


def _label(text: str, size: int) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", text)[:size].strip("-") or "x"


def lb_name(cluster: str, gateway_key: str) -> str:
    """≤ 32 characters, letters/digits/hyphens, stable per (cluster, Gateway)."""
    ns, _, name = gateway_key.partition("/")
    return f"gw-{_label(ns, 8)}-{_label(name, 8)}-{digest(cluster, gateway_key, size=10)}"


def tg_name(cluster: str, gateway_key: str, backend: str) -> str:
    """≤ 32 characters; one target group per (Gateway, Service port), shared by its Routes."""
    svc = backend.split("/")[-1].split(":")[0]
    return f"tg-{_label(svc, 12)}-{digest(cluster, gateway_key, backend, size=14)}"


class Unsupported(Exception):
    """A rule ALB cannot express exactly."""


WILDCARDS = re.compile(r"[*?]")
REGEX_SPECIAL = set("\\.^$|?*+()[]{}/")
ANY_PORT = "(:[0-9]+)?"
CATCH_ALL: Cond = ("path-pattern", ("/*",))


def regex_escape(text: str) -> str:
    """Escape regex metacharacters (and ``/``) so the pattern matches ``text`` literally."""
    return "".join("\\" + c if c in REGEX_SPECIAL else c for c in text)


def caseless(text: str) -> str:
    """A regex matching ``text`` literally and case-insensitively by construction: each
    letter becomes a two-letter class (ALB documents no case-insensitive regex flag)."""
    return "".join(
        f"[{c.lower()}{c.upper()}]" if c.isascii() and c.isalpha() else regex_escape(c)
        for c in text
    )


def host_regex(hostname: str) -> str:
    """A host-header regex for a hostname or ``*.`` wildcard: case-insensitive (RFC 9110
    host names), with an optional ``:port`` (the spec ignores the Host header's port; ALB
    matches the header as sent)."""
    if hostname.startswith("*."):
        return f"^[^:]+{caseless(hostname[1:])}{ANY_PORT}$"
    return f"^{caseless(hostname)}{ANY_PORT}$"


PLAIN_HOST = re.compile(r"[a-z0-9\-_.*?]+\.[a-z*?]+")
"""What ALB takes as a plain host-header value: letters, digits, ``-_.`` and wildcards, at
least one ``.``, only letters after the last one (128 characters at most)."""


def host_value(hostname: str, limits: AlbLimits) -> tuple[str, bool]:
    """(value, is_regex) matching a Route hostname on ALB. The case-insensitive regex when it
    fits ALB's 128 characters; else the plain value, which ALB compares case-insensitively
    but which cannot match a Host header carrying a port (``PORT_NOTE``)."""
    regex = host_regex(hostname)
    if len(regex) <= limits.regex_length:
        return regex, True
    if len(hostname) <= limits.regex_length and PLAIN_HOST.fullmatch(hostname):
        return hostname, False
    raise Unsupported(
        f"hostname {hostname}: longer than the {limits.regex_length} characters of an ALB "
        "host condition value"
    )


PORT_NOTE = (
    "hostname {host}: matched by its plain ALB host value (its case-insensitive regex "
    "exceeds {limit} characters), so a Host header carrying a port does not match it"
)


def _regex(pattern: str, what: str, limits: AlbLimits) -> str:
    if len(pattern) > limits.regex_length:
        raise Unsupported(f"{what}: its ALB regex exceeds {limits.regex_length} characters")
    return pattern


def path_condition(m: Match, limits: AlbLimits) -> Cond | None:
    """Exact and PathPrefix as anchored regexes: a prefix matches whole segments only."""
    if m.path_type == "Exact":
        return ("path-pattern~", (_regex(f"^{regex_escape(m.path)}$", "path", limits),))
    if m.path_type == "PathPrefix":
        prefix = m.path.rstrip("/")
        if not prefix:
            return None
        return ("path-pattern~", (_regex(f"^{regex_escape(prefix)}(/.*)?$", "path", limits),))
    raise Unsupported("path type RegularExpression is not supported on ALB")


def _fixed_conditions(m: Match, limits: AlbLimits) -> list[Cond]:
    out: list[Cond] = []
    for h in m.headers:
        if h.type != "Exact":
            raise Unsupported(f"header {h.name}: type {h.type} is not supported on ALB")
        exact = _regex(f"^{regex_escape(h.value)}$", f"header {h.name}", limits)
        out.append(("http-header~", h.name.lower(), (exact,)))
    for q in m.query:
        if q.type != "Exact":
            raise Unsupported(f"query param {q.name}: type {q.type} is not supported on ALB")
        if WILDCARDS.search(q.name + q.value):
            raise Unsupported(f"query param {q.name}: ALB treats * and ? as wildcards")
        out.append(("query-string", ((q.name, q.value),)))
    if m.method:
        out.append(("http-request-method", (m.method,)))
    path = path_condition(m, limits)
    if path is not None:
        out.append(path)
    return out


def _chunks(values: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def conditions_for(rule: Rule, limits: AlbLimits) -> tuple[list[tuple[Cond, ...]], list[str]]:
    """Condition sets of the ALB rules that together express one match (several when the
    host values do not fit one rule's evaluation budget, or mix regex and plain values),
    and notes on what ALB serves differently from the spec."""
    base = _fixed_conditions(rule.match, limits)
    used = len(base)
    if used > limits.values_per_rule:
        raise Unsupported(
            f"match needs {used} condition values; an ALB rule takes {limits.values_per_rule}"
        )
    regexes: list[str] = []
    plain: list[str] = []
    notes: list[str] = []
    for h in dict.fromkeys(h.lower() for h in rule.hostnames):
        value, is_regex = host_value(h, limits)
        (regexes if is_regex else plain).append(value)
        if not is_regex:
            notes.append(PORT_NOTE.format(host=h, limit=limits.regex_length))
    if not regexes and not plain:
        return [tuple(sorted(base, key=repr)) or (CATCH_ALL,)], notes
    room = min(limits.values_per_condition, limits.values_per_rule - used)
    if room < 1:
        raise Unsupported(
            f"match with hostnames needs {used + 1} condition values; "
            f"an ALB rule takes {limits.values_per_rule}"
        )
    sets = [
        tuple(sorted([*base, (field, chunk)], key=repr))
        for field, values in (("host-header~", regexes), ("host-header", plain))
        for chunk in _chunks(tuple(values), room)
    ]
    return sets, notes


def host_condition(hostname: str, limits: AlbLimits) -> Cond:
    """The host-header condition matching one hostname (regex, else plain value)."""
    value, is_regex = host_value(hostname.lower(), limits)
    return ("host-header~" if is_regex else "host-header", (value,))


def _literal_replace(text: str, what: str) -> str:
    if "$" in text:
        raise Unsupported(f"{what} {text!r}: ALB rewrite replacements treat $ as a group")
    return text


def prefix_rewrite(match: Match, replacement: str) -> Transform:
    """url-rewrite replacing a matched PathPrefix, with the spec's trailing-slash rules
    (``/foo/bar`` with prefix ``/foo``: ``/xyz`` → ``/xyz/bar``; ``""`` → ``/bar``).
    The query string, if the URL carries one, is kept."""
    if match.path_type != "PathPrefix":
        raise Unsupported("ReplacePrefixMatch needs a PathPrefix match")
    prefix = regex_escape(match.path.rstrip("/"))
    base = _literal_replace(replacement.rstrip("/"), "replacePrefixMatch")
    if not base:
        return ("url-rewrite", f"^{prefix}/?([^?]*)(\\?.*)?$", "/$1$2")
    return ("url-rewrite", f"^{prefix}(/[^?]*)?(\\?.*)?$", f"{base}$1$2")


def full_rewrite(path: str) -> Transform:
    return ("url-rewrite", "^[^?]*(\\?.*)?$", _literal_replace(path, "replaceFullPath") + "$1")


def _redirect(action: Action, match: Match, protocol: str) -> tuple[Act, tuple[Transform, ...]]:
    r = action.redirect
    assert r is not None
    if r.status_code not in (301, 302):
        raise Unsupported(f"redirect statusCode {r.status_code}: ALB redirects with 301 or 302")
    scheme = "#{protocol}"
    if r.scheme is not None:
        if r.scheme.lower() not in ("http", "https"):
            raise Unsupported(f"redirect scheme {r.scheme}: ALB redirects to http or https")
        if protocol == "HTTPS" and r.scheme.lower() == "http":
            raise Unsupported("redirect from an HTTPS listener to http: ALB cannot")
        scheme = r.scheme.upper()
    transforms: tuple[Transform, ...] = ()
    path = r.path or "/#{path}"
    if r.path_type == "ReplacePrefixMatch":
        transforms = (prefix_rewrite(match, r.path or ""),)
        path = "/#{path}"
    port = str(r.port) if r.port is not None else "#{port}"
    host = r.hostname or "#{host}"
    return (("redirect", scheme, port, host, path, "#{query}", f"HTTP_{r.status_code}"), transforms)


def _weights(weights: list[int], limits: AlbLimits) -> list[int]:
    """Scale Gateway API weights (0–1,000,000) into ALB's 0–999 without changing ratios."""
    top = max(weights)
    if top <= limits.max_weight:
        return weights
    divisor = math.gcd(*weights)
    scaled = [w // divisor for w in weights]
    if max(scaled) > limits.max_weight:
        raise Unsupported(
            f"weights {weights} cannot be expressed exactly in ALB's 0–{limits.max_weight}"
        )
    return scaled


@dataclass
class _Context:
    cluster: str
    gateway: str
    limits: AlbLimits
    model: GatewayModel
    target_groups: dict[str, TargetGroupSpec] = field(default_factory=dict)

    def group_for(self, backend: BackendKey | None) -> str:
        label = str(backend) if backend else "unresolved"
        name = tg_name(self.cluster, self.gateway, label)
        if name not in self.target_groups:
            targets = self.model.targets.get(backend, ()) if backend else ()
            port = targets[0][1] if targets else (backend.port if backend else 80)
            self.target_groups[name] = TargetGroupSpec(name, label, port, targets)
        return name


def _forward(action: Action, ctx: _Context) -> Act:
    live = [b for b in action.backends if b.weight > 0]
    if not live or all(b.backend is None for b in live):
        return ("fixed-response", "500")
    merged: dict[BackendKey | None, int] = {}
    for b in live:
        merged[b.backend] = merged.get(b.backend, 0) + b.weight
    if len(merged) > ctx.limits.target_groups_per_action:
        raise Unsupported(
            f"{len(merged)} weighted backends; an ALB forward takes "
            f"{ctx.limits.target_groups_per_action}"
        )
    weights = _weights(list(merged.values()), ctx.limits)
    if len(merged) == 1:
        weights = [1]
    pairs = tuple(sorted((ctx.group_for(k), w) for k, w in zip(merged, weights, strict=True)))
    return ("forward", pairs)


def actions_for(
    rule: Rule, ctx: _Context, protocol: str
) -> tuple[tuple[Act, ...], tuple[Transform, ...]]:
    """The rule's ALB actions and request transforms (URLRewrite, prefix redirects)."""
    action = rule.action
    if action.unsupported:
        raise Unsupported(f"filters {', '.join(action.unsupported)} are not supported on ALB")
    if action.redirect is not None:
        redirect, redirect_transforms = _redirect(action, rule.match, protocol)
        return (redirect,), redirect_transforms
    transforms: list[Transform] = []
    rewrite = action.rewrite
    if rewrite is not None and rewrite.hostname:
        transforms.append(
            ("host-header-rewrite", "^.*$", _literal_replace(rewrite.hostname, "hostname"))
        )
    if rewrite is not None and rewrite.path_type == "ReplaceFullPath":
        transforms.append(full_rewrite(rewrite.path or "/"))
    if rewrite is not None and rewrite.path_type == "ReplacePrefixMatch":
        transforms.append(prefix_rewrite(rule.match, rewrite.path or ""))
    return (_forward(action, ctx),), tuple(transforms)


def _scheme(model: GatewayModel) -> tuple[str, str | None]:
    scheme = model.annotations.get(SCHEME_ANNOTATION, "internal")
    if scheme not in SCHEMES:
        return "internal", (
            f"metadata.annotations[{SCHEME_ANNOTATION}]: {scheme!r} is not one of {SCHEMES}"
        )
    return scheme, None


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
    routes = sorted({o[0] for o in by_origin}, key=lambda r: (rank.get(r, len(rank)), str(r)))
    dropped: list[Origin] = []
    for route in routes:
        own = sorted((o for o in by_origin if o[0] == route), key=lambda o: by_origin[o][0])
        full = False
        for origin in own:
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
    limits = limits or AlbLimits()
    ctx = _Context(cluster, model.key, limits, model)
    findings: list[RuleProblem] = []

    def problem(rule: Rule, message: str, kind: ProblemKind = ProblemKind.UNSUPPORTED) -> None:
        findings.append(RuleProblem(model.key, rule.route, rule.rule_index, message, kind))

    listeners = []
    for port in model.ports:
        rules: list[AlbRule] = []
        seen: set[tuple[Cond, ...]] = set()
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
                    acts, transforms = actions_for(rule, ctx, port.protocol)
                except Unsupported as exc:  # never skip a filter: answer 500 instead
                    problem(rule, f"answers 500: {exc}")
                    acts = (("fixed-response", "500"),)
                source = f"{rule.route} rule {rule.rule_index} match {rule.match_index}"
                for conds in condition_sets:
                    if conds not in seen:  # an identical earlier rule always wins
                        seen.add(conds)
                        rules.append(AlbRule(conds, acts, source, transforms))
                        origins.append((rule.route, rule.rule_index))
            later = port.groups[gi + 1 :]
            if group.hostname and later:
                try:
                    isolate: tuple[Cond, ...] = (host_condition(group.hostname, limits),)
                except Unsupported:
                    isolate = ()
                if isolate and isolate not in seen:
                    seen.add(isolate)
                    rules.append(
                        AlbRule(isolate, (("fixed-response", "404"),), f"listener {group.listener}")
                    )
                    origins.append(None)
        if len(rules) > limits.rules_per_listener:
            rules, dropped = fit_quota(rules, origins, model.routes, limits.rules_per_listener)
            for route, rule_index in dropped:
                message = (
                    f"not programmed: the ALB rule quota of the listener on port {port.port} "
                    f"({limits.rules_per_listener}) is taken by older Routes and this Route's "
                    "higher-precedence rules"
                )
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
        if a[0] == "forward"
        for name, _ in a[1]  # type: ignore[attr-defined]
    }
    groups = {k: v for k, v in ctx.target_groups.items() if k in used}
    scheme, error = _scheme(model)
    unique = list(dict.fromkeys(findings))
    return AlbSpec(model.key, lb_name(cluster, model.key), scheme, listeners, groups, unique, error)

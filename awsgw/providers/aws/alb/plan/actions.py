"""Gateway API rule actions → ALB actions and rule transforms (pure): weighted forwards to
shared target groups, redirects, URLRewrite and prefix redirects as ``Transforms``.

A filter ALB cannot apply is never skipped: the rule answers 500 instead (the caller
reports it). Weights keep their exact ratios within ALB's 0–999, or are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from awsgw.core.backends import BackendKey
from awsgw.core.model import Action, GatewayModel, Match, Rule
from awsgw.providers.aws.alb.plan.conditions import regex_escape
from awsgw.providers.aws.alb.plan.values import (
    SERVER_ERROR,
    AlbAction,
    AlbLimits,
    Forward,
    RedirectTo,
    Transform,
    Unsupported,
)
from awsgw.providers.aws.common.naming import digest, label
from awsgw.providers.aws.elbv2.plan.forward import exact_weights
from awsgw.providers.aws.elbv2.plan.specs import TargetGroupSpec


def tg_name(
    cluster: str,
    gateway_key: str,
    backend: str,
    version: str = "HTTP1",
    target_type: str = "ip",
    protocol: str = "HTTP",
) -> str:
    """≤ 32 characters; one target group per (Gateway, Service port), shared by its Routes.
    Another protocol, protocol version or target type (fixed at creation) is another target
    group."""
    svc = backend.split("/")[-1].split(":")[0]
    pairs = ((version, "HTTP1"), (target_type, "ip"), (protocol, "HTTP"))
    fixed = [v for v, default in pairs if v != default]
    return f"tg-{label(svc, 12)}-{digest(cluster, gateway_key, backend, *fixed, size=14)}"


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
        return Transform("url-rewrite", f"^{prefix}/?([^?]*)(\\?.*)?$", "/$1$2")
    return Transform("url-rewrite", f"^{prefix}(/[^?]*)?(\\?.*)?$", f"{base}$1$2")


def full_rewrite(path: str) -> Transform:
    replace = _literal_replace(path, "replaceFullPath") + "$1"
    return Transform("url-rewrite", "^[^?]*(\\?.*)?$", replace)


def _redirect(
    action: Action, match: Match, protocol: str
) -> tuple[RedirectTo, tuple[Transform, ...]]:
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
    redirect = RedirectTo(scheme, port, host, path, "#{query}", f"HTTP_{r.status_code}")
    return redirect, transforms


def _weights(weights: list[int], limits: AlbLimits) -> list[int]:
    """Scale Gateway API weights (0–1,000,000) into ALB's 0–999 without changing ratios."""
    scaled = exact_weights(weights, limits.max_weight)
    if scaled is None:
        raise Unsupported(
            f"weights {weights} cannot be expressed exactly in ALB's 0–{limits.max_weight}"
        )
    return scaled


@dataclass
class TargetGroups:
    """The Gateway's target groups, one per Service port its rules forward to."""

    cluster: str
    gateway: str
    model: GatewayModel
    specs: dict[str, TargetGroupSpec] = field(default_factory=dict)
    _names: dict[tuple[BackendKey | None, bool], str] = field(default_factory=dict)
    _forwards: dict[tuple[BackendKey | None, bool], Forward] = field(default_factory=dict)

    def group_for(self, backend: BackendKey | None, grpc: bool = False) -> str:
        """The target group forwarding to ``backend``; ``grpc``: of a GRPCRoute, whose
        target groups speak gRPC (protocol version ``GRPC``, whatever a policy says)."""
        known = self._names.get((backend, grpc))
        if known is not None:
            return known
        name_of = str(backend) if backend else "unresolved"
        policy = self.model.target_groups.get(backend) if backend else None
        version = "GRPC" if grpc else (policy.protocol_version if policy else None) or "HTTP1"
        kind = policy.target_type if policy else "ip"
        protocol = (policy.protocol if policy else None) or "HTTP"
        name = tg_name(self.cluster, self.gateway, name_of, version, kind, protocol)
        if name not in self.specs:
            targets = self.model.targets.get(backend, ()) if backend else ()
            port = targets[0][1] if targets else (backend.port if backend else 80)
            self.specs[name] = TargetGroupSpec(
                name, name_of, port, targets, protocol=protocol, protocol_version=version,
                target_type=kind, policy=policy,
            )  # fmt: skip
        self._names[(backend, grpc)] = name
        return name

    def forward_to(self, backend: BackendKey | None, grpc: bool = False) -> Forward:
        """The forward to ``backend``'s target group alone: one value its rules share."""
        known = self._forwards.get((backend, grpc))
        if known is None:
            known = self._forwards[(backend, grpc)] = Forward(((self.group_for(backend, grpc), 1),))
        return known


def _forward(action: Action, groups: TargetGroups, limits: AlbLimits, grpc: bool) -> AlbAction:
    live = [b for b in action.backends if b.weight > 0]
    if len(live) == 1:  # the common case: one target group, weight 1
        only = live[0].backend
        return SERVER_ERROR[0] if only is None else groups.forward_to(only, grpc)
    if not live or all(b.backend is None for b in live):
        return SERVER_ERROR[0]
    merged: dict[BackendKey | None, int] = {}
    for b in live:
        merged[b.backend] = merged.get(b.backend, 0) + b.weight
    if len(merged) > limits.target_groups_per_action:
        raise Unsupported(
            f"{len(merged)} weighted backends; an ALB forward takes "
            f"{limits.target_groups_per_action}"
        )
    weights = _weights(list(merged.values()), limits)
    if len(merged) == 1:
        weights = [1]
    pairs = sorted((groups.group_for(k, grpc), w) for k, w in zip(merged, weights, strict=True))
    return Forward(tuple(pairs))


def actions_for(
    rule: Rule, groups: TargetGroups, limits: AlbLimits, protocol: str
) -> tuple[tuple[AlbAction, ...], tuple[Transform, ...]]:
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
        replace = _literal_replace(rewrite.hostname, "hostname")
        transforms.append(Transform("host-header-rewrite", "^.*$", replace))
    if rewrite is not None and rewrite.path_type == "ReplaceFullPath":
        transforms.append(full_rewrite(rewrite.path or "/"))
    if rewrite is not None and rewrite.path_type == "ReplacePrefixMatch":
        transforms.append(prefix_rewrite(rule.match, rewrite.path or ""))
    grpc = rule.route.kind == "GRPCRoute"
    return (_forward(action, groups, limits, grpc),), tuple(transforms)

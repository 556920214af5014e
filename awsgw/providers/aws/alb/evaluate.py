"""Evaluate a request against a live Application Load Balancer, the way ALB does.

Reads only AWS (``DescribeListeners``, ``DescribeRules``, ``DescribeTargetGroups``,
``DescribeTargetHealth``), never the translator's internals, so it judges what was really
programmed. Semantics (ELBv2 "Listener rules" documentation): rules run lowest priority
first, the default action last; conditions AND, values OR; host-header, http-header and
query-string ``Values`` compare case-insensitively with ``*``/``?`` wildcards; path-pattern is
case-sensitive and never sees the query; http-request-method is exact. ``RegexValues`` are
regular expressions searched in the value (awsgw always anchors its own), case-sensitive. The
Host header is matched as sent (a port in it is part of the value).

Transforms ("Transforms for listener rules"): a host-header-rewrite or url-rewrite replaces
the first match of its regex (``$n`` are groups; no match leaves the request as it was); the
URL it sees is the path with the query string. They apply before the action, so a redirect's
``#{path}`` is the rewritten one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.elbv2.describe import all_rules


@dataclass
class AlbOutcome:
    """Where a request ends: the rule (None = default action) and what it does."""

    priority: str
    action: str  # forward | fixed-response | redirect | none
    status: int
    targets: list[tuple[str, int, list[str]]] = field(default_factory=list)
    """forward: (target group name, weight, ["ip:port", ...])."""
    location: str | None = None
    path: str | None = None
    """The path (and query) the backend sees, after transforms."""
    host: str | None = None
    """The Host header the backend sees, after transforms."""
    versions: dict[str, str] = field(default_factory=dict)
    """forward: target group name → its protocol version (``HTTP1``, ``HTTP2``, ``GRPC``)."""


@lru_cache(maxsize=4096)
def _pattern(value: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard(value: str, text: str, ignore_case: bool) -> bool:
    return _pattern(value, ignore_case).fullmatch(text) is not None


def _values(cond: dict[str, Any], key: str) -> list[Any]:
    return list((cond.get(key) or {}).get("Values") or cond.get("Values") or [])


def _any(config: dict[str, Any], texts: list[str], ignore_case: bool) -> bool:
    """Values (wildcards) or RegexValues against any of the texts."""
    regexes = config.get("RegexValues") or []
    if regexes:
        return any(re.search(rx, t) for rx in regexes for t in texts)
    return any(wildcard(v, t, ignore_case) for v in config.get("Values") or [] for t in texts)


def condition_matches(cond: dict[str, Any], req: Request) -> bool:
    field_ = cond["Field"]
    if field_ == "host-header":
        config = cond.get("HostHeaderConfig") or {"Values": cond.get("Values", [])}
        return _any(config, [req.host], True)
    if field_ == "path-pattern":
        config = cond.get("PathPatternConfig") or {"Values": cond.get("Values", [])}
        return _any(config, [req.path_only], False)
    if field_ == "http-request-method":
        return req.method in _values(cond, "HttpRequestMethodConfig")
    if field_ == "http-header":
        cfg = cond["HttpHeaderConfig"]
        name = cfg["HttpHeaderName"].lower()
        sent = [v for k, v in req.headers if k.lower() == name]
        if name == "host":
            sent.append(req.host)
        return _any(cfg, sent, True)
    if field_ == "query-string":
        pairs = parse_qsl(req.query, keep_blank_values=True)
        for want in cond["QueryStringConfig"]["Values"]:
            key = want.get("Key")
            for k, v in pairs:
                if (key is None or wildcard(key, k, True)) and wildcard(want["Value"], v, True):
                    return True
        return False
    return False  # source-ip and unknown fields: not evaluated (no client address)


def _rewrite(regex: str, replace: str, text: str) -> str:
    python = re.sub(r"\$(\d+)", r"\\g<\1>", replace.replace("\\", "\\\\"))
    return re.sub(regex, python, text, count=1)


def apply_transforms(transforms: list[dict[str, Any]] | None, req: Request) -> Request:
    """The request as a rule's transforms leave it."""
    host, path = req.host, req.path
    for t in transforms or []:
        key = "UrlRewriteConfig" if t["Type"] == "url-rewrite" else "HostHeaderRewriteConfig"
        for rw in (t.get(key) or {}).get("Rewrites", []):
            if t["Type"] == "url-rewrite":
                path = _rewrite(rw["Regex"], rw["Replace"], path)
            else:
                host = _rewrite(rw["Regex"], rw["Replace"], host)
    return Request(host, path, req.method, req.headers, req.port, req.scheme)


def _location(cfg: dict[str, Any], req: Request) -> str:
    host_only = req.host.split(":", 1)[0]

    def fill(template: str) -> str:
        return (
            template.replace("#{protocol}", req.scheme.upper())
            .replace("#{host}", host_only)
            .replace("#{port}", str(req.port))
            .replace("#{path}", req.path_only.lstrip("/"))
            .replace("#{query}", req.query)
        )

    scheme = fill(cfg.get("Protocol", "#{protocol}")).lower()
    port = fill(cfg.get("Port", "#{port}"))
    host = fill(cfg.get("Host", "#{host}"))
    path = fill(cfg.get("Path", "/#{path}"))
    query = fill(cfg.get("Query", "#{query}"))
    default = {"http": "80", "https": "443"}.get(scheme)
    authority = host if port == default else f"{host}:{port}"
    return f"{scheme}://{authority}{path}" + (f"?{query}" if query else "")


@dataclass
class LiveListener:
    """A listener's rules (lowest priority first, default last) and target groups."""

    port: int
    rules: list[dict[str, Any]]
    groups: dict[str, tuple[str, list[str]]]
    """Target group ARN → (name, ["ip:port", ...] of registered targets)."""
    versions: dict[str, str] = field(default_factory=dict)
    """Target group ARN → its protocol version."""

    def evaluate(self, req: Request) -> AlbOutcome:
        for rule in self.rules:
            if all(condition_matches(c, req) for c in rule.get("Conditions", [])):
                return self._act(rule, req)
        return AlbOutcome("none", "none", 404)

    def _act(self, rule: dict[str, Any], sent: Request) -> AlbOutcome:
        priority = rule["Priority"]
        req = apply_transforms(rule.get("Transforms"), sent)
        for action in sorted(rule.get("Actions", []), key=lambda a: a.get("Order", 0)):
            kind = action["Type"]
            if kind == "fixed-response":
                code = int(action["FixedResponseConfig"]["StatusCode"])
                return AlbOutcome(priority, kind, code)
            if kind == "redirect":
                cfg = action["RedirectConfig"]
                code = int(cfg["StatusCode"].split("_")[1])
                return AlbOutcome(priority, kind, code, location=_location(cfg, req))
            if kind == "forward":
                groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or [
                    {"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}
                ]
                targets = [
                    (
                        *self.groups.get(g["TargetGroupArn"], (g["TargetGroupArn"], []))[:1],
                        int(g.get("Weight", 1)),
                        self.groups.get(g["TargetGroupArn"], ("", []))[1],
                    )
                    for g in groups
                ]
                live = [t for t in targets if t[1] > 0 and t[2]]
                code = 200 if live else 503
                versions = {
                    self.groups[arn][0]: self.versions[arn]
                    for g in groups
                    if (arn := g["TargetGroupArn"]) in self.groups and arn in self.versions
                }
                return AlbOutcome(
                    priority, kind, code, targets, path=req.path, host=req.host, versions=versions
                )
        return AlbOutcome(priority, "none", 500)


def _referenced_groups(rules: list[dict[str, Any]]) -> set[str]:
    arns: set[str] = set()
    for rule in rules:
        for action in rule.get("Actions", []):
            if action["Type"] == "forward":
                groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or [action]
                arns.update(g["TargetGroupArn"] for g in groups)
    return arns


def _groups(elbv2: Any, arns: set[str]) -> tuple[dict[str, tuple[str, list[str]]], dict[str, str]]:
    """Per target group ARN: (name, registered targets), and its protocol version."""
    out = {}
    versions = {}
    for arn in sorted(arns):
        tg = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
        if tg.get("ProtocolVersion"):
            versions[arn] = str(tg["ProtocolVersion"])
        health = elbv2.describe_target_health(TargetGroupArn=arn)
        addrs = sorted(
            f"{d['Target']['Id']}:{d['Target']['Port']}"
            for d in health["TargetHealthDescriptions"]
            if d.get("TargetHealth", {}).get("State") != "draining"
        )
        out[arn] = (tg["TargetGroupName"], addrs)
    return out, versions


def load_listeners(elbv2: Any, lb_arn: str) -> dict[int, LiveListener]:
    """Every listener of a load balancer with its rules and registered targets."""
    out = {}
    for page in elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=lb_arn):
        for ls in page["Listeners"]:
            rules = all_rules(elbv2, ls["ListenerArn"])
            rules.sort(key=lambda r: 10**9 if r["Priority"] == "default" else int(r["Priority"]))
            groups, versions = _groups(elbv2, _referenced_groups(rules))
            out[int(ls["Port"])] = LiveListener(int(ls["Port"]), rules, groups, versions)
    return out

"""Canonical rule conditions, actions and transforms ↔ ELBv2 API shapes (both ways, pure)."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.alb.plan.values import (
    HEADER,
    QUERY,
    AlbAction,
    AlbCondition,
    FixedResponse,
    ForeignAction,
    Forward,
    RedirectTo,
    Transform,
)

CONFIG_KEYS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-request-method": "HttpRequestMethodConfig",
}
STATUS_TEXT = {"404": "Not Found", "500": "Internal Server Error"}
TRANSFORM_KEYS = {
    "url-rewrite": "UrlRewriteConfig",
    "host-header-rewrite": "HostHeaderRewriteConfig",
}


def conditions_api(conds: tuple[AlbCondition, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in conds:
        key = "RegexValues" if c.regex else "Values"
        if c.field in CONFIG_KEYS:
            out.append({"Field": c.field, CONFIG_KEYS[c.field]: {key: list(c.values)}})
        elif c.field == HEADER:
            config = {"HttpHeaderName": c.header, key: list(c.values)}
            out.append({"Field": c.field, "HttpHeaderConfig": config})
        elif c.field == QUERY:
            values = [{"Key": k, "Value": v} for k, v in c.pairs]
            out.append({"Field": c.field, "QueryStringConfig": {"Values": values}})
        else:
            raise ValueError(f"unknown condition {c.field}")
    return out


def _values(config: dict[str, Any], condition: dict[str, Any]) -> tuple[bool, tuple[str, ...]]:
    """(regex, values) of a describe-shaped config."""
    if config.get("RegexValues"):
        return True, tuple(config["RegexValues"])
    return False, tuple(config.get("Values") or condition.get("Values") or [])


def conditions_canon(api: list[dict[str, Any]]) -> tuple[AlbCondition, ...]:
    out: list[AlbCondition] = []
    for c in api:
        field = c["Field"]
        if field in CONFIG_KEYS:
            regex, values = _values(c.get(CONFIG_KEYS[field]) or {}, c)
            out.append(AlbCondition(field, values, regex))
        elif field == HEADER:
            cfg = c["HttpHeaderConfig"]
            regex, values = _values(cfg, {})
            out.append(AlbCondition(field, values, regex, header=cfg["HttpHeaderName"].lower()))
        elif field == QUERY:
            pairs = tuple((v.get("Key"), v["Value"]) for v in c["QueryStringConfig"]["Values"])
            out.append(AlbCondition(field, pairs=pairs))
        else:
            out.append(AlbCondition(field, (repr(c),)))  # foreign shapes never equal ours
    return tuple(sorted(out))


def transforms_api(transforms: tuple[Transform, ...]) -> list[dict[str, Any]]:
    return [
        {
            "Type": t.kind,
            TRANSFORM_KEYS[t.kind]: {"Rewrites": [{"Regex": t.regex, "Replace": t.replace}]},
        }
        for t in transforms
    ]


def transforms_canon(api: list[dict[str, Any]] | None) -> tuple[Transform, ...]:
    out: list[Transform] = []
    for t in api or []:
        kind = t["Type"]
        if kind not in TRANSFORM_KEYS:
            out.append(Transform(kind, repr(t), ""))  # foreign shapes never equal ours
            continue
        for rewrite in (t.get(TRANSFORM_KEYS[kind]) or {}).get("Rewrites", []):
            out.append(Transform(kind, rewrite["Regex"], rewrite["Replace"]))
    return tuple(sorted(out))


def actions_api(acts: tuple[AlbAction, ...], arns: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for order, a in enumerate(acts, start=1):
        if isinstance(a, Forward):
            groups = [{"TargetGroupArn": arns[n], "Weight": w} for n, w in a.groups]
            out.append(
                {"Type": "forward", "Order": order, "ForwardConfig": {"TargetGroups": groups}}
            )
        elif isinstance(a, FixedResponse):
            config = {
                "StatusCode": a.status,
                "ContentType": "text/plain",
                "MessageBody": STATUS_TEXT.get(a.status, a.status),
            }
            out.append({"Type": "fixed-response", "Order": order, "FixedResponseConfig": config})
        elif isinstance(a, RedirectTo):
            config = {
                "Protocol": a.protocol,
                "Port": a.port,
                "Host": a.host,
                "Path": a.path,
                "Query": a.query,
                "StatusCode": a.status,
            }
            out.append({"Type": "redirect", "Order": order, "RedirectConfig": config})
        else:
            raise ValueError(f"awsgw writes no action {a}")
    return out


def actions_canon(api: list[dict[str, Any]], names: dict[str, str]) -> tuple[AlbAction, ...]:
    """Live actions in canonical form; ``names``: target group ARN → name."""
    out: list[AlbAction] = []
    for a in sorted(api, key=lambda a: a.get("Order", 0)):
        kind = a["Type"]
        if kind == "forward":
            groups = a.get("ForwardConfig", {}).get("TargetGroups") or [
                {"TargetGroupArn": a["TargetGroupArn"], "Weight": 1}
            ]
            pairs = sorted(
                (names.get(g["TargetGroupArn"], g["TargetGroupArn"]), int(g.get("Weight", 1)))
                for g in groups
            )
            if len(pairs) == 1:
                pairs = [(pairs[0][0], 1)]
            out.append(Forward(tuple(pairs)))
        elif kind == "fixed-response":
            out.append(FixedResponse(str(a["FixedResponseConfig"]["StatusCode"])))
        elif kind == "redirect":
            r = a["RedirectConfig"]
            out.append(
                RedirectTo(
                    r.get("Protocol", "#{protocol}"),
                    str(r.get("Port", "#{port}")),
                    r.get("Host", "#{host}"),
                    r.get("Path", "/#{path}"),
                    r.get("Query", "#{query}"),
                    r["StatusCode"],
                )
            )
        else:
            out.append(ForeignAction(repr(a)))
    return tuple(out)

"""Canonical rule conditions/actions ↔ ELBv2 API shapes (both directions, pure)."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.alb.plan.compile import Act, Cond, Transform

CONFIG_KEYS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-request-method": "HttpRequestMethodConfig",
}
REGEX = "~"
"""Suffix of a canonical field whose values are RegexValues."""
STATUS_TEXT = {"404": "Not Found", "500": "Internal Server Error"}


def _field(name: str) -> tuple[str, str]:
    """("host-header~") → ("host-header", "RegexValues"); plain names use "Values"."""
    if name.endswith(REGEX):
        return name[:-1], "RegexValues"
    return name, "Values"


def conditions_api(conds: tuple[Cond, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in conds:
        field, key = _field(str(c[0]))
        if field in CONFIG_KEYS:
            out.append({"Field": field, CONFIG_KEYS[field]: {key: list(c[1])}})  # type: ignore[call-overload]
        elif field == "http-header":
            config = {"HttpHeaderName": c[1], key: list(c[2])}  # type: ignore[call-overload]
            out.append({"Field": field, "HttpHeaderConfig": config})
        elif field == "query-string":
            values = [{"Key": k, "Value": v} for k, v in c[1]]  # type: ignore[attr-defined]
            out.append({"Field": field, "QueryStringConfig": {"Values": values}})
        else:
            raise ValueError(f"unknown condition {field}")
    return out


def _values(config: dict[str, Any], condition: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """("" or "~", values) of a describe-shaped config."""
    if config.get("RegexValues"):
        return REGEX, tuple(config["RegexValues"])
    return "", tuple(config.get("Values") or condition.get("Values") or [])


def conditions_canon(api: list[dict[str, Any]]) -> tuple[Cond, ...]:
    out: list[Cond] = []
    for c in api:
        field = c["Field"]
        if field in CONFIG_KEYS:
            suffix, values = _values(c.get(CONFIG_KEYS[field]) or {}, c)
            out.append((field + suffix, values))
        elif field == "http-header":
            cfg = c["HttpHeaderConfig"]
            suffix, values = _values(cfg, {})
            out.append((field + suffix, cfg["HttpHeaderName"].lower(), values))
        elif field == "query-string":
            pairs = tuple((v.get("Key"), v["Value"]) for v in c["QueryStringConfig"]["Values"])
            out.append((field, pairs))
        else:
            out.append((field, repr(c)))  # foreign shapes never equal ours
    return tuple(sorted(out, key=repr))


TRANSFORM_KEYS = {
    "url-rewrite": "UrlRewriteConfig",
    "host-header-rewrite": "HostHeaderRewriteConfig",
}


def transforms_api(transforms: tuple[Transform, ...]) -> list[dict[str, Any]]:
    return [
        {"Type": kind, TRANSFORM_KEYS[kind]: {"Rewrites": [{"Regex": regex, "Replace": replace}]}}
        for kind, regex, replace in transforms
    ]


def transforms_canon(api: list[dict[str, Any]] | None) -> tuple[Transform, ...]:
    out: list[Transform] = []
    for t in api or []:
        kind = t["Type"]
        if kind not in TRANSFORM_KEYS:
            out.append((kind, repr(t), ""))  # foreign shapes never equal ours
            continue
        for rewrite in (t.get(TRANSFORM_KEYS[kind]) or {}).get("Rewrites", []):
            out.append((kind, rewrite["Regex"], rewrite["Replace"]))
    return tuple(sorted(out))


def actions_api(acts: tuple[Act, ...], arns: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for order, a in enumerate(acts, start=1):
        kind = a[0]
        if kind == "forward":
            groups = [{"TargetGroupArn": arns[str(n)], "Weight": w} for n, w in a[1]]  # type: ignore[attr-defined]
            out.append({"Type": kind, "Order": order, "ForwardConfig": {"TargetGroups": groups}})
        elif kind == "fixed-response":
            code = str(a[1])
            out.append(
                {
                    "Type": kind,
                    "Order": order,
                    "FixedResponseConfig": {
                        "StatusCode": code,
                        "ContentType": "text/plain",
                        "MessageBody": STATUS_TEXT.get(code, code),
                    },
                }
            )
        elif kind == "redirect":
            protocol, port, host, path, query, code = (str(x) for x in a[1:])
            out.append(
                {
                    "Type": kind,
                    "Order": order,
                    "RedirectConfig": {
                        "Protocol": protocol,
                        "Port": port,
                        "Host": host,
                        "Path": path,
                        "Query": query,
                        "StatusCode": code,
                    },
                }
            )
        else:
            raise ValueError(f"unknown action {kind}")
    return out


def actions_canon(api: list[dict[str, Any]], names: dict[str, str]) -> tuple[Act, ...]:
    out: list[Act] = []
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
            out.append((kind, tuple(pairs)))
        elif kind == "fixed-response":
            out.append((kind, str(a["FixedResponseConfig"]["StatusCode"])))
        elif kind == "redirect":
            r = a["RedirectConfig"]
            out.append(
                (
                    kind,
                    r.get("Protocol", "#{protocol}"),
                    str(r.get("Port", "#{port}")),
                    r.get("Host", "#{host}"),
                    r.get("Path", "/#{path}"),
                    r.get("Query", "#{query}"),
                    r["StatusCode"],
                )
            )
        else:
            out.append((kind, repr(a)))
    return tuple(out)

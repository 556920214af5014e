"""Canonical rule conditions/actions ↔ ELBv2 API shapes (both directions, pure)."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.alb_compile import Act, Cond

CONFIG_KEYS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-request-method": "HttpRequestMethodConfig",
}
STATUS_TEXT = {"404": "Not Found", "500": "Internal Server Error"}


def conditions_api(conds: tuple[Cond, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in conds:
        field = str(c[0])
        if field in CONFIG_KEYS:
            out.append({"Field": field, CONFIG_KEYS[field]: {"Values": list(c[1])}})  # type: ignore[call-overload]
        elif field == "http-header":
            out.append(
                {
                    "Field": field,
                    "HttpHeaderConfig": {"HttpHeaderName": c[1], "Values": list(c[2])},  # type: ignore[call-overload]
                }
            )
        elif field == "query-string":
            values = [{"Key": k, "Value": v} for k, v in c[1]]  # type: ignore[attr-defined]
            out.append({"Field": field, "QueryStringConfig": {"Values": values}})
        else:
            raise ValueError(f"unknown condition {field}")
    return out


def conditions_canon(api: list[dict[str, Any]]) -> tuple[Cond, ...]:
    out: list[Cond] = []
    for c in api:
        field = c["Field"]
        if field in CONFIG_KEYS:
            values = c.get(CONFIG_KEYS[field], {}).get("Values") or c.get("Values", [])
            out.append((field, tuple(values)))
        elif field == "http-header":
            cfg = c["HttpHeaderConfig"]
            out.append((field, cfg["HttpHeaderName"].lower(), tuple(cfg["Values"])))
        elif field == "query-string":
            pairs = tuple((v.get("Key"), v["Value"]) for v in c["QueryStringConfig"]["Values"])
            out.append((field, pairs))
        else:
            out.append((field, repr(c)))  # foreign shapes never equal ours
    return tuple(sorted(out, key=repr))


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

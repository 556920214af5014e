"""ELBv2 actions as change records show them (pure): ``forward a (weight 90), b (weight
10)``, ``fixed-response 404``, ``redirect HTTP_301 to https://#{host}:443/#{path}?#{query}``,
shared by the listeners' default actions (API shapes) and ALB's rules (canonical form)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def actions_text(actions: list[dict[str, Any]], name_of: Callable[[str], str]) -> list[str]:
    """ELBv2 actions (API shapes) as change records show them; ``name_of``: target group
    ARN → name."""
    out = []
    for action in sorted(actions, key=lambda a: a.get("Order", 0)):
        kind = action.get("Type", "")
        if kind == "forward":
            groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or [
                {"TargetGroupArn": action.get("TargetGroupArn", "")}
            ]
            out.append(
                forward_text([(name_of(g["TargetGroupArn"]), g.get("Weight")) for g in groups])
            )
        elif kind == "fixed-response":
            out.append(f"fixed-response {action['FixedResponseConfig']['StatusCode']}")
        elif kind == "redirect":
            r = action["RedirectConfig"]
            out.append(
                redirect_text(
                    r["StatusCode"],
                    r.get("Protocol", "#{protocol}"),
                    r.get("Host", "#{host}"),
                    str(r.get("Port", "#{port}")),
                    r.get("Path", "/#{path}"),
                    r.get("Query", "#{query}"),
                )
            )
        else:
            out.append(kind)
    return out


def forward_text(groups: Sequence[tuple[str, int | None]]) -> str:
    """``forward a`` for one target group, ``forward a (weight 90), b (weight 10)``."""
    if len(groups) == 1:
        return f"forward {groups[0][0]}"
    return "forward " + ", ".join(f"{name} (weight {weight})" for name, weight in groups)


def redirect_text(status: str, protocol: str, host: str, port: str, path: str, query: str) -> str:
    return f"redirect {status} to {protocol}://{host}:{port}{path}?{query}"

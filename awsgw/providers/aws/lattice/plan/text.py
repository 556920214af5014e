"""VPC Lattice rule matches and actions as change records show them (pure): ``path prefix
/cart``, ``header x-canary exact true``, ``method GET``, ``forward a (weight 90), b (weight
10)``, ``fixed-response 404``."""

from __future__ import annotations

import json
from typing import Any

from awsgw.providers.aws.lattice.plan.specs import LatticeAction, LatticeFixed


def _value(match: dict[str, Any], case_sensitive: object) -> str:
    kind, value = next(iter((match or {"?": ""}).items()))
    return f"{kind} {value}" + ("" if case_sensitive is not False else " (any case)")


def match_text(match: str) -> list[str]:
    """A rule's ``match`` (canonical JSON) as one line per condition."""
    http = (json.loads(match) or {}).get("httpMatch") or {}
    out = []
    if "pathMatch" in http:
        path = http["pathMatch"]
        out.append(f"path {_value(path.get('match'), path.get('caseSensitive'))}")
    for header in http.get("headerMatches") or []:
        value = _value(header.get("match"), header.get("caseSensitive"))
        out.append(f"header {header.get('name')} {value}")
    if http.get("method"):
        out.append(f"method {http['method']}")
    return out or ["any request"]


def action_text(action: LatticeAction) -> str:
    if isinstance(action, LatticeFixed):
        return f"fixed-response {action.status}"
    if len(action.groups) == 1:
        return f"forward {action.groups[0][0]}"
    return "forward " + ", ".join(f"{name} (weight {w})" for name, w in action.groups)

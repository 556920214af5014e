"""What a VPC Lattice listener's action may be, for the moto fill of ``moto_lattice``:
fixed responses answer 404 or 500 only; and, as "TLS listeners for VPC Lattice services"
states it, a ``TLS_PASSTHROUGH`` listener's service must have a custom domain name, its
default action must forward to TCP target groups, and it takes no rule besides the default;
HTTP and HTTPS listeners forward to HTTP or HTTPS groups only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TLS_PASSTHROUGH = "TLS_PASSTHROUGH"
NO_DOMAIN = "A service with a TLS listener must have a custom domain name"
NO_RULES = "The only rule allowed for a TLS listener is the default rule"


def action_problem(
    protocol: str | None, action: dict[str, Any], group_protocols: Iterable[str]
) -> str | None:
    """Why a listener of ``protocol`` (None: not known yet) cannot take ``action``, whose
    forward reaches target groups of ``group_protocols`` (None: it can)."""
    fixed = action.get("fixedResponse")
    if fixed is not None and int(fixed.get("statusCode", 0)) not in (404, 500):
        return "Only 404 and 500 status codes are supported"
    if protocol is None:
        return None
    tls = protocol == TLS_PASSTHROUGH
    if tls and "fixedResponse" in action:
        return "The default action of a TLS listener must forward to a TCP target group"
    for group in group_protocols:
        if (group == "TCP") != tls:
            if tls:
                return "A TLS listener forwards to TCP target groups only"
            return f"An {protocol} listener cannot forward to a TCP target group"
    return None

"""ELBv2 resources as change records name them (``listener 80 of load balancer gw-1``): from
what the pass labelled (the listeners and rules it read or made), else from the ARN, whose
resource part carries the load balancer's or target group's name."""

from __future__ import annotations

from collections.abc import Mapping

from awsgw.providers.changes import Resource

LOAD_BALANCER = "load balancer"
TARGET_GROUP = "target group"
LISTENER = "listener"
RULE = "listener rule"
TARGET = "target"
LISTENER_CERTIFICATE = "listener certificate"
SHIELD_PROTECTION = "Shield protection"


def load_balancer(name: str) -> Resource:
    return Resource(LOAD_BALANCER, name)


def target_group(name: str) -> Resource:
    return Resource(TARGET_GROUP, name)


def from_arn(arn: str, labels: Mapping[str, Resource]) -> Resource:
    """The resource of an ELBv2 ARN (or a placeholder of one the pass labelled)."""
    if arn in labels:
        return labels[arn]
    kind, _, rest = arn.rpartition(":")[2].partition("/")
    parts = rest.split("/")
    if kind == "targetgroup" and parts:
        return target_group(parts[0])
    if kind.startswith(("loadbalancer", "listener")) and len(parts) >= 2:
        lb = load_balancer(parts[1])
        if kind == "loadbalancer":
            return lb
        listener = lb.child(LISTENER, parts[3] if len(parts) > 3 else arn)
        return listener if kind == "listener" else listener.child(RULE, parts[-1])
    return Resource("resource", arn)

"""Ownership tags: set in every create call; nothing without them is modified or deleted."""

from __future__ import annotations

from collections.abc import Mapping

from awsgw.core.parameters import RESERVED_TAG_PREFIXES

CLUSTER_TAG = "awsgw.io/cluster"
GATEWAY_TAG = "awsgw.io/gateway"
BACKEND_TAG = "awsgw.io/backend"
MANAGED_TAG = "awsgw.io/managed"
"""On a resource: what awsgw set there beyond its defaults, for a configuration or a policy
(comma-separated: ``attributes``, ``tags``, ``web-acl``, ``shield``, ``health-check``; ``-``
for nothing), so a setting dropped is taken back only where awsgw made it."""
PLANE_TAG = "awsgw.io/plane"
"""The data plane owning an ELBv2 or EC2 resource when two share a resource type (``nlb``:
the NLB data plane, its chained ALB included); absent on the ALB data plane's own."""


def managed_of(tags: Mapping[str, str]) -> set[str]:
    """What ``MANAGED_TAG`` says awsgw manages on a resource."""
    return set(tags.get(MANAGED_TAG, "-").split(",")) - {"-", ""}


def user_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The tags neither awsgw's nor AWS's (those a configuration sets)."""
    return {k: v for k, v in tags.items() if not k.startswith(RESERVED_TAG_PREFIXES)}


def owner_tags(cluster: str, gateway: str, **extra: str) -> dict[str, str]:
    tags = {CLUSTER_TAG: cluster, GATEWAY_TAG: gateway}
    tags.update(extra)
    return tags


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def owned_by(tags: dict[str, str], cluster: str, plane: str | None = None) -> bool:
    """This cluster's, and the data plane's (``plane`` None: no plane tag)."""
    return tags.get(CLUSTER_TAG) == cluster and tags.get(PLANE_TAG) == plane


class Conflict(Exception):
    """A resource awsgw would use exists but is not owned by this cluster."""

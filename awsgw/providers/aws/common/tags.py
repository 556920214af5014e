"""Ownership tags: set in every create call; nothing without them is modified or deleted."""

from __future__ import annotations

CLUSTER_TAG = "awsgw.io/cluster"
GATEWAY_TAG = "awsgw.io/gateway"
BACKEND_TAG = "awsgw.io/backend"


def owner_tags(cluster: str, gateway: str, **extra: str) -> dict[str, str]:
    tags = {CLUSTER_TAG: cluster, GATEWAY_TAG: gateway}
    tags.update(extra)
    return tags


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def owned_by(tags: dict[str, str], cluster: str) -> bool:
    return tags.get(CLUSTER_TAG) == cluster


class Conflict(Exception):
    """A resource awsgw would use exists but is not owned by this cluster."""

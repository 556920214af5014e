"""VPC Lattice names and tags (pure): stable across runs, within Lattice's limits.

Lattice names take lowercase letters, digits and single hyphens, neither first nor last;
services at most 40 characters, service networks 63, target groups 128, rules 63.
"""

from __future__ import annotations

import re

from awsgw.objects import RouteRef
from awsgw.providers.aws.common.naming import digest

SERVICE_NAME_LENGTH = 40
NETWORK_ANNOTATION = "awsgw.io/lattice-service-network"
DNS_ANNOTATION = "awsgw.io/lattice-dns"
ROUTE_TAG = "awsgw.io/route"
EXPORT_NAMESPACE_TAG = "awsgw.io/export-namespace"
EXPORT_NAME_TAG = "awsgw.io/export-name"
EXPORT_PORT_TAG = "awsgw.io/export-port"
WITHDRAWN_TAG = "awsgw.io/export-withdrawn"
VALID_NAME = re.compile(r"(?!-)(?!.*--)[a-z0-9-]*[a-z0-9]")
SERVICE_NAMES = re.compile(r"[a-z0-9-]+-[0-9a-f]{8}")
"""Every name ``service_name`` gives (and others): a service of another name is not awsgw's."""
TARGET_GROUP_NAMES = re.compile(r"(k8s|export)-[a-z0-9-]+-[0-9a-f]{12}")
"""Every name ``target_group_name`` and ``export_group_name`` give (and others)."""


def label(text: str, size: int) -> str:
    """Lowercase letters and digits joined by single hyphens, at most ``size`` long."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower())[:size]
    return cleaned.strip("-") or "x"


def service_name(cluster: str, route: RouteRef) -> str:
    """≤ 40 characters, one per (cluster, Route): ``<name>-<namespace>-<hash>``."""
    ns, _, name = route.key.partition("/")
    return f"{label(name, 16)}-{label(ns, 12)}-{digest(cluster, route.kind, route.key, size=8)}"


def target_group_name(cluster: str, backend: str, protocol_version: str) -> str:
    """One local target group per (cluster, Service port, protocol version)."""
    ns, _, rest = backend.partition("/")
    name = rest.split(":")[0]
    tail = digest(cluster, backend, protocol_version, size=12)
    return f"k8s-{label(name, 40)}-{label(ns, 30)}-{tail}"


def export_group_name(cluster: str, namespace: str, name: str, port: int) -> str:
    """The target group a cluster publishes for one exported Service port."""
    tail = digest(cluster, namespace, name, str(port), size=12)
    return f"export-{label(name, 40)}-{label(namespace, 30)}-{port}-{tail}"


def network_name(gateway_key: str, annotations: dict[str, str]) -> tuple[str, str | None]:
    """The service network of a Gateway (its name, or the annotation) and why it is not
    a valid Lattice name, if it is not."""
    wanted = annotations.get(NETWORK_ANNOTATION) or gateway_key.partition("/")[2]
    if 3 <= len(wanted) <= 63 and VALID_NAME.fullmatch(wanted):
        return wanted, None
    return wanted, (
        f"service network name {wanted!r} is not valid in VPC Lattice (3-63 lowercase "
        f"letters, digits, single hyphens): set the annotation {NETWORK_ANNOTATION}"
    )


def route_name(route: RouteRef) -> str:
    return str(route)

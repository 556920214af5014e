"""One read of the account's VPC Lattice resources, with the tags of those that can be awsgw's
(the pass's snapshot)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import CLUSTER_TAG, GATEWAY_TAG, owned_by
from awsgw.providers.aws.lattice.plan.names import (
    EXPORT_NAME_TAG,
    EXPORT_NAMESPACE_TAG,
    EXPORT_PORT_TAG,
    SERVICE_NAMES,
    TARGET_GROUP_NAMES,
    WITHDRAWN_TAG,
)
from awsgw.providers.changes import Resource

SERVICE_NETWORK = "service network"
SERVICE = "service"
ASSOCIATION = "service network association"
VPC_ASSOCIATION = "VPC association"
LISTENER = "listener"
RULE = "listener rule"
TARGET_GROUP = "target group"
TARGET = "target"
LATTICE_CLIENT = "vpc-lattice"
"""The boto3 client of VPC Lattice."""


def pages(client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a paginated Lattice List call."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get("items", [])


def resource_tags(client: Any, arn: str) -> dict[str, str]:
    return dict(client.list_tags_for_resource(resourceArn=arn).get("tags") or {})


@dataclass
class LatticeInventory:
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Service networks by name."""
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Services by name."""
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Target groups by name (summaries carry ``serviceArns``)."""
    vpc_links: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Service network ↔ VPC associations of this cluster's VPC, by id."""
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Service network ↔ service associations of this cluster's services, by id."""
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    """ARN → tags, for everything above."""

    def mine(self, resource: dict[str, Any], cluster: str) -> bool:
        return owned_by(self.tags.get(resource.get("arn", ""), {}), cluster)

    def tag(self, resource: dict[str, Any], key: str) -> str | None:
        return self.tags.get(resource.get("arn", ""), {}).get(key)

    def names_by_id(self) -> dict[str, str]:
        """Target group id and ARN → name (to read forward actions)."""
        out = {}
        for name, tg in self.groups.items():
            out[tg["id"]] = out[tg["arn"]] = name
        return out

    def exported(self) -> dict[tuple[str, str, int], tuple[str, ...]]:
        """Published (not withdrawn) export groups of every cluster, by Service port."""
        found: dict[tuple[str, str, int], list[str]] = {}
        for name, tg in self.groups.items():
            tags = self.tags.get(tg["arn"], {})
            if EXPORT_NAME_TAG not in tags or WITHDRAWN_TAG in tags:
                continue
            try:
                key = (
                    tags[EXPORT_NAMESPACE_TAG],
                    tags[EXPORT_NAME_TAG],
                    int(tags[EXPORT_PORT_TAG]),
                )
            except (KeyError, ValueError):
                continue
            found.setdefault(key, []).append(name)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def service_links(self, service_id: str) -> list[dict[str, Any]]:
        return [a for a in self.links.values() if a.get("serviceId") == service_id]

    def service(self, service_id: str) -> Resource:
        """A service as change records name it (by name, from its id)."""
        name = next((n for n, s in self.services.items() if s["id"] == service_id), service_id)
        return Resource(SERVICE, name)

    def network(self, network_id: str) -> Resource:
        name = next((n for n, s in self.networks.items() if s["id"] == network_id), network_id)
        return Resource(SERVICE_NETWORK, name)

    def link(self, link: dict[str, Any]) -> Resource:
        """A service's association with a service network, as change records name it."""
        network = self.network(str(link.get("serviceNetworkId", "")))
        return self.service(str(link.get("serviceId", ""))).child(ASSOCIATION, network.name)


def owns_lattice_resources(aws: Aws, cluster: str, gateway: str | None = None) -> bool:
    """Does this cluster (for one Gateway: that Gateway) own any VPC Lattice resource? One
    tag-scoped read (Resource Groups Tagging API ``GetResources``), not a listing of the
    account."""
    filters = [{"Key": CLUSTER_TAG, "Values": [cluster]}]
    if gateway is not None:
        filters.append({"Key": GATEWAY_TAG, "Values": [gateway]})
    found = aws.client("resourcegroupstaggingapi").get_resources(
        TagFilters=filters, ResourceTypeFilters=["vpc-lattice"], ResourcesPerPage=1
    )
    return bool(found.get("ResourceTagMappingList"))


def read_inventory(client: Any, cluster: str, vpc: str | None) -> LatticeInventory:
    """Networks, services, target groups and this VPC's associations; the tags of those
    that can be awsgw's (of any cluster: other clusters' exports count); the network
    associations of this cluster's own services.

    Lattice reads tags one resource at a time, so the tags of a service or target group
    whose name awsgw never gives are not read: it is not awsgw's whatever its tags say
    (``SERVICE_NAMES``, ``TARGET_GROUP_NAMES``), and an account's other Lattice services
    cost a listing page per hundred, not a call each. Networks carry the names users give
    them, and this VPC's associations are few: theirs are all read."""
    inv = LatticeInventory()
    inv.networks = {n["name"]: n for n in pages(client, "list_service_networks")}
    inv.services = {s["name"]: s for s in pages(client, "list_services")}
    inv.groups = {g["name"]: g for g in pages(client, "list_target_groups")}
    if vpc is not None:
        found = pages(client, "list_service_network_vpc_associations", vpcIdentifier=vpc)
        inv.vpc_links = {a["id"]: a for a in found}
    every = [*inv.networks.values(), *inv.vpc_links.values()]
    every += [s for name, s in inv.services.items() if SERVICE_NAMES.fullmatch(name)]
    every += [g for name, g in inv.groups.items() if TARGET_GROUP_NAMES.fullmatch(name)]
    for resource in every:
        inv.tags[resource["arn"]] = resource_tags(client, resource["arn"])
    for service in inv.services.values():
        if inv.mine(service, cluster):
            for link in pages(
                client, "list_service_network_service_associations", serviceIdentifier=service["id"]
            ):
                inv.links[link["id"]] = link
                inv.tags[link["arn"]] = resource_tags(client, link["arn"])
    return inv

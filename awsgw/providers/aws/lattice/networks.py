"""A VPC Lattice Gateway's service network and this cluster's VPC association with it:
created (tagged) or adopted by name (then only used), a configuration's tags kept in step
on what awsgw owns, the association's security groups as configured, and the network
deleted when its Gateway goes and nobody else uses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import (
    GATEWAY_TAG,
    MANAGED_TAG,
    managed_of,
    owner_tags,
    user_tags,
)
from awsgw.providers.aws.common.writes import Write
from awsgw.providers.aws.lattice.inventory import (
    LATTICE_CLIENT,
    SERVICE_NETWORK,
    VPC_ASSOCIATION,
    LatticeInventory,
    pages,
)
from awsgw.providers.changes import (
    Change,
    Resource,
    creating,
    deleting,
    modifying,
    pending,
    tag_field,
)


class Networks:
    """Service network and VPC association writes of one pass, against its inventory."""

    def __init__(
        self,
        aws: Aws,
        cluster: str,
        inventory: LatticeInventory,
        vpc: Callable[[], str],
        security_groups: list[str],
    ) -> None:
        self.aws = aws
        self.client = aws.client(LATTICE_CLIENT)
        self.cluster = cluster
        self.inv = inventory
        self.vpc = vpc
        self.security_groups = security_groups

    def _send(
        self, method: str, params: dict[str, Any], *changes: Change, **extra: Any
    ) -> dict[str, Any]:
        return self.aws.write(Write(LATTICE_CLIENT, method, params, changes, **extra))

    def ensure(self, gateway: str, name: str, user_tags: dict[str, str]) -> dict[str, Any]:
        """The service network by name: ours (its tags kept as configured), adopted (used
        as it is), or created."""
        network = self.inv.networks.get(name)
        if network is None:
            tags = {**user_tags, **owner_tags(self.cluster, gateway)}
            if user_tags:
                tags[MANAGED_TAG] = "tags"
            resource = Resource(SERVICE_NETWORK, name)
            planned = {
                "id": pending(f"id of {resource}"),
                "arn": pending(f"arn of {resource}"),
                "name": name,
            }
            params = {"name": name, "authType": "NONE", "tags": tags}
            change = creating(resource, {"AuthType": "NONE", "Tags": tags})
            network = self._send("create_service_network", params, change, planned=planned)
            self.inv.networks[name] = network
            self.inv.tags[network["arn"]] = tags
        elif self.inv.mine(network, self.cluster) and self.inv.tag(network, GATEWAY_TAG) == gateway:
            self._sync_tags(Resource(SERVICE_NETWORK, name), network["arn"], user_tags)
        return network

    def _sync_tags(self, resource: Resource, arn: str, want: dict[str, str]) -> None:
        """A configuration's tags on an owned resource, in place; removed ones untagged
        (only while awsgw manages its tags: ``MANAGED_TAG``)."""
        tags = self.inv.tags.setdefault(arn, {})
        if not want and "tags" not in managed_of(tags):
            return
        theirs = user_tags(tags)
        marker = "tags" if want else "-"
        add = {k: v for k, v in want.items() if theirs.get(k) != v}
        if add or tags.get(MANAGED_TAG) != marker:
            adding = {**add, MANAGED_TAG: marker}
            diffs = {tag_field(k): (tags.get(k), v) for k, v in adding.items() if tags.get(k) != v}
            change = modifying(resource, diffs)
            self._send("tag_resource", {"resourceArn": arn, "tags": adding}, change)
        gone = sorted(k for k in theirs if k not in want)
        if gone:
            change = modifying(resource, {tag_field(k): (tags.get(k), None) for k in gone})
            self._send("untag_resource", {"resourceArn": arn, "tagKeys": gone}, change)
        for k in gone:
            del tags[k]
        tags.update({**want, MANAGED_TAG: marker})

    def join(self, gateway: str, network: dict[str, Any], user_tags: dict[str, str]) -> str | None:
        """Join this cluster's VPC to the network (a VPC joins one network); keep the
        security groups of an association we own as configured."""
        vpc = self.vpc()
        resource = Resource(SERVICE_NETWORK, str(network.get("name"))).child(VPC_ASSOCIATION, vpc)
        link = next((a for a in self.inv.vpc_links.values() if a.get("vpcId") == vpc), None)
        if link is not None and link.get("serviceNetworkId") != network["id"]:
            if not (
                self.inv.mine(link, self.cluster) and self.inv.tag(link, GATEWAY_TAG) == gateway
            ):
                return (
                    f"VPC {vpc} is associated with service network "
                    f"{link.get('serviceNetworkName')}; a VPC joins one service network"
                )
            self.unlink(link)  # our own association with this Gateway's old network
            link = None
        if link is not None and self.inv.mine(link, self.cluster):
            current = self.client.get_service_network_vpc_association(
                serviceNetworkVpcAssociationIdentifier=link["id"]
            )
            have = sorted(current.get("securityGroupIds") or [])
            if have != self.security_groups:
                if self.security_groups:
                    change = modifying(resource, {"SecurityGroupIds": (have, self.security_groups)})
                    params = {
                        "serviceNetworkVpcAssociationIdentifier": link["id"],
                        "securityGroupIds": self.security_groups,
                    }
                    self._send("update_service_network_vpc_association", params, change)
                else:  # the last security group cannot be removed: re-associate
                    self.unlink(link)
                    link = None
        if link is not None and self.inv.mine(link, self.cluster):
            self._sync_tags(resource, link["arn"], user_tags)
        if link is None:
            tags = {**user_tags, **owner_tags(self.cluster, gateway)}
            if user_tags:
                tags[MANAGED_TAG] = "tags"
            kwargs: dict[str, Any] = {"serviceNetworkIdentifier": network["id"], "tags": tags}
            if self.security_groups:
                kwargs["securityGroupIds"] = self.security_groups
            values = {"SecurityGroupIds": self.security_groups or None, "Tags": tags}
            planned = {
                "id": pending(f"id of {resource}"),
                "arn": pending(f"arn of {resource}"),
                "status": "CREATE_IN_PROGRESS",
            }
            created = self._send(
                "create_service_network_vpc_association",
                {"vpcIdentifier": vpc, **kwargs},
                creating(resource, values),
                planned=planned,
            )
            link = {
                **created,
                "vpcId": vpc,
                "serviceNetworkId": network["id"],
                "serviceNetworkName": network.get("name"),
            }
            self.inv.vpc_links[link["id"]] = link
            self.inv.tags[link["arn"]] = tags
        status = link.get("status", "ACTIVE")
        return (
            None
            if status in ("ACTIVE", "CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")
            else (f"VPC association {link['id']} is {status}")
        )

    def unlink(self, link: dict[str, Any]) -> None:
        """Leave a service network: this VPC's association with it."""
        network = Resource(SERVICE_NETWORK, str(link.get("serviceNetworkName")))
        change = deleting(network.child(VPC_ASSOCIATION, str(link.get("vpcId"))))
        params = {"serviceNetworkVpcAssociationIdentifier": link["id"]}
        self._send("delete_service_network_vpc_association", params, change, removes=(link["id"],))
        del self.inv.vpc_links[link["id"]]

    def in_use(self, network: dict[str, Any]) -> bool:
        """Associations remain (not counting those a plan deletes: AWS still lists them)."""
        ident = {"serviceNetworkIdentifier": network["id"]}
        gone = self.aws.writer.removed

        def left(operation: str) -> bool:
            return any(a["id"] not in gone for a in pages(self.client, operation, **ident))

        return left("list_service_network_service_associations") or left(
            "list_service_network_vpc_associations"
        )

    def delete(self, name: str) -> None:
        """Delete an owned service network (nothing may use it any more)."""
        change = deleting(Resource(SERVICE_NETWORK, name))
        params = {"serviceNetworkIdentifier": self.inv.networks[name]["id"]}
        self._send("delete_service_network", params, change)
        del self.inv.networks[name]

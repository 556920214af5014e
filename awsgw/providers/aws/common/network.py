"""EC2 side of a load balancer: VPC and subnet discovery, the owned security group."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from awsgw.providers.aws.common.session import Aws, error_code
from awsgw.providers.aws.common.tags import CLUSTER_TAG, GATEWAY_TAG, PLANE_TAG, owner_tags
from awsgw.providers.aws.common.writes import Write
from awsgw.providers.changes import Resource, creating, deleting, pending

EC2 = "ec2"
SECURITY_GROUP = "security group"
SECURITY_GROUP_RULE = "security group rule"
ROLE_TAGS = {
    "internet-facing": "kubernetes.io/role/elb",
    "internal": "kubernetes.io/role/internal-elb",
}


class NetworkError(Exception):
    """The VPC or its subnets cannot carry a load balancer; the message says why."""


def cluster_tag(cluster: str) -> str:
    return f"kubernetes.io/cluster/{cluster}"


def _tags(resource: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def find_vpc(aws: Aws, cluster: str) -> str:
    """The VPC of the subnets tagged ``kubernetes.io/cluster/<cluster>``; it must be unique."""
    pages = (
        aws.client("ec2")
        .get_paginator("describe_subnets")
        .paginate(Filters=[{"Name": "tag-key", "Values": [cluster_tag(cluster)]}])
    )
    vpcs = {s["VpcId"] for page in pages for s in page["Subnets"]}
    if len(vpcs) != 1:
        raise NetworkError(
            f"set AWSGW_VPC_ID: subnets tagged {cluster_tag(cluster)} are in {len(vpcs)} VPCs"
        )
    return str(vpcs.pop())


def find_subnets(aws: Aws, vpc: str, cluster: str, scheme: str, min_zones: int = 2) -> list[str]:
    """One subnet per AZ carrying the role tag of the scheme, preferring subnets tagged for
    this cluster and skipping those tagged for another cluster; at least ``min_zones`` AZs
    (an ALB needs two, an NLB one)."""
    role = ROLE_TAGS[scheme]
    pages = (
        aws.client("ec2")
        .get_paginator("describe_subnets")
        .paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "tag-key", "Values": [role]}]
        )
    )
    by_az: dict[str, list[tuple[int, str]]] = {}
    for page in pages:
        for subnet in page["Subnets"]:
            tags = _tags(subnet)
            if tags.get(role) not in ("", "1"):
                continue
            clusters = [k for k in tags if k.startswith("kubernetes.io/cluster/")]
            if clusters and cluster_tag(cluster) not in clusters:
                continue
            rank = 0 if cluster_tag(cluster) in clusters else 1
            by_az.setdefault(subnet["AvailabilityZone"], []).append((rank, subnet["SubnetId"]))
    if len(by_az) < min_zones:
        zones = "two availability zones" if min_zones == 2 else f"{min_zones} availability zone"
        raise NetworkError(
            f"VPC {vpc} needs subnets tagged {role} in at least {zones} (found {len(by_az)})"
        )
    return sorted(min(c)[1] for c in by_az.values())


def _in_use(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and error_code(exc) == "DependencyViolation"


@dataclass(frozen=True, order=True)
class Ingress:
    """A listener port the owned security group opens to any source."""

    protocol: str
    """``tcp`` or ``udp`` (EC2's names)."""
    port: int

    def of(self, group: Resource) -> Resource:
        """The rule as change records name it."""
        return group.child(SECURITY_GROUP_RULE, f"ingress {self.protocol}/{self.port} from {ANY}")


ANY = "0.0.0.0/0"


@dataclass
class SecurityGroups:
    """The owned security group of each Gateway's load balancer (of one data plane)."""

    aws: Aws
    cluster: str
    sleep: Callable[[float], None] = time.sleep
    plane: str | None = None
    """``PLANE_TAG`` of the groups this data plane owns (None: the ALB's, untagged)."""
    written: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Gateway → its group as this pass's writes left it: what a later step of the pass
    sees, also before AWS lists it (and in a plan, which sends none)."""

    def new_pass(self) -> None:
        self.written = {}

    def _mine(self, group: dict[str, Any]) -> bool:
        tags = _tags(group)
        return tags.get(CLUSTER_TAG) == self.cluster and tags.get(PLANE_TAG) == self.plane

    def find(self, gateway: str) -> dict[str, Any] | None:
        found = self.aws.client("ec2").describe_security_groups(
            Filters=[
                {"Name": f"tag:{CLUSTER_TAG}", "Values": [self.cluster]},
                {"Name": f"tag:{GATEWAY_TAG}", "Values": [gateway]},
            ]
        )["SecurityGroups"]
        mine = [g for g in found if self._mine(g)]
        group = mine[0] if mine else None
        ours = self.written.get(gateway)
        if ours is not None and (group is None or group["GroupId"] == ours["GroupId"]):
            return {**(group or {}), **ours}
        return group

    def ensure(
        self,
        gateway: str,
        name: str,
        vpc: str,
        ports: list[Ingress],
        user_tags: Mapping[str, str] | None = None,
    ) -> str:
        """Create or update the group so it opens exactly ``ports`` (any source); a new one
        also carries ``user_tags``."""
        group = self.find(gateway)
        resource = Resource(SECURITY_GROUP, name if group is None else group["GroupName"])
        made: dict[str, Any] = {}
        if group is None:
            extra = {PLANE_TAG: self.plane} if self.plane else {}
            owner = {**(user_tags or {}), **owner_tags(self.cluster, gateway, **extra)}
            tags = [{"Key": k, "Value": v} for k, v in owner.items()]
            description = f"awsgw load balancer for Gateway {gateway}"
            params = {
                "GroupName": name,
                "Description": description,
                "VpcId": vpc,
                "TagSpecifications": [{"ResourceType": "security-group", "Tags": tags}],
            }
            change = creating(resource, {"Description": description, "VpcId": vpc, "Tags": owner})
            planned = {"GroupId": pending(f"GroupId of {resource}")}
            write = Write(EC2, "create_security_group", params, (change,), planned=planned)
            group_id = self.aws.write(write)["GroupId"]
            made = {"GroupName": name, "Tags": tags}
            have: set[Ingress] = set()
        else:
            group_id = group["GroupId"]
            have = {
                Ingress(p["IpProtocol"], int(p["FromPort"]))
                for p in group.get("IpPermissions", [])
                if p.get("IpProtocol") in ("tcp", "udp")
                and p.get("FromPort") == p.get("ToPort")
                and any(r.get("CidrIp") == "0.0.0.0/0" for r in p.get("IpRanges", []))
            }
        want = set(ports)

        def perms(ps: set[Ingress]) -> list[dict[str, Any]]:
            return [
                {
                    "IpProtocol": p.protocol,
                    "FromPort": p.port,
                    "ToPort": p.port,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "Gateway listener"}],
                }
                for p in sorted(ps)
            ]

        if want - have:
            add = want - have
            changes = tuple(creating(p.of(resource), {}) for p in sorted(add))
            params = {"GroupId": group_id, "IpPermissions": perms(add)}
            self.aws.write(Write(EC2, "authorize_security_group_ingress", params, changes))
        if have - want:
            gone = have - want
            changes = tuple(deleting(p.of(resource)) for p in sorted(gone))
            params = {"GroupId": group_id, "IpPermissions": perms(gone)}
            self.aws.write(Write(EC2, "revoke_security_group_ingress", params, changes))
        if made or want != have:
            self.written[gateway] = {**made, "GroupId": group_id, "IpPermissions": perms(want)}
        return str(group_id)

    def delete(self, gateway: str, wait: float = 0.0) -> None:
        """Delete the Gateway's owned group. The load balancer's network interfaces go some
        time after the load balancer itself: ``DependencyViolation`` is retried for up to
        ``wait`` seconds (an eventual-consistency code, so tenacity, not botocore)."""
        group = self.find(gateway)
        if group is None:
            return
        change = deleting(
            Resource(SECURITY_GROUP, group["GroupName"]), {"GroupId": group["GroupId"]}
        )
        write = Write(EC2, "delete_security_group", {"GroupId": group["GroupId"]}, (change,))

        @retry(
            retry=retry_if_exception(_in_use),
            stop=stop_after_delay(wait),
            wait=wait_exponential(multiplier=2, max=20),
            sleep=self.sleep,
            reraise=True,
        )
        def delete() -> None:
            self.aws.write(write)

        delete()

    def owned_gateways(self) -> set[str]:
        pages = (
            self.aws.client("ec2")
            .get_paginator("describe_security_groups")
            .paginate(Filters=[{"Name": f"tag:{CLUSTER_TAG}", "Values": [self.cluster]}])
        )
        return {
            _tags(g)[GATEWAY_TAG]
            for page in pages
            for g in page["SecurityGroups"]
            if GATEWAY_TAG in _tags(g) and self._mine(g)
        }

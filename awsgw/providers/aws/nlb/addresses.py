"""Static addresses of an NLB Gateway (``GatewayStaticAddresses``): ``spec.addresses`` of
type ``IPAddress`` name Elastic IPs of the account, which become the NLB's subnet mappings.

An NLB's Elastic IPs are fixed at creation, so other addresses mean another NLB. The pass
that first sees the change does not replace it: it tags the NLB with the addresses it will
get and reports that in the Gateway's status; the next pass replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from awsgw.providers.aws.common.naming import digest
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import tag_list
from awsgw.providers.aws.elbv2.load_balancers import LoadBalancers

REPLACE_TAG = "awsgw.io/replace-for"
SETTLED = "-"
"""``REPLACE_TAG`` of an NLB whose addresses are what its Gateway asks for."""
"""On an NLB about to be replaced: a digest of the Elastic IPs its successor gets."""


class AddressProblem(Exception):
    """An address the Gateway asks for cannot be used (``AddressNotUsable``)."""


def lb_allocations(lb: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The Elastic IP allocation IDs a load balancer holds, sorted."""
    if lb is None:
        return ()
    return tuple(
        sorted(
            a["AllocationId"]
            for zone in lb.get("AvailabilityZones", [])
            for a in zone.get("LoadBalancerAddresses", [])
            if a.get("AllocationId")
        )
    )


@dataclass
class StaticAddresses:
    aws: Aws

    def allocations(
        self, ips: tuple[str, ...], current: Mapping[str, Any] | None
    ) -> tuple[str, ...]:
        """The allocation IDs of the Elastic IPs ``ips`` (in their order); each must be this
        account's and free, or held by ``current``, the Gateway's NLB."""
        if not ips:
            return ()
        try:
            found = self.aws.client("ec2").describe_addresses(PublicIps=list(ips))["Addresses"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidAddress.NotFound":
                raise AddressProblem(
                    f"spec.addresses: {', '.join(ips)}: not all are Elastic IPs of this account"
                ) from exc
            raise
        by_ip = {a["PublicIp"]: a for a in found}
        ours = set(lb_allocations(current))
        out = []
        for ip in ips:
            address = by_ip.get(ip)
            if address is None or not address.get("AllocationId"):
                raise AddressProblem(f"spec.addresses: {ip} is not an Elastic IP of this account")
            if address.get("AssociationId") and address["AllocationId"] not in ours:
                raise AddressProblem(
                    f"spec.addresses: Elastic IP {ip} is associated with another resource"
                )
            out.append(str(address["AllocationId"]))
        return tuple(out)

    def replacement(
        self, lbs: LoadBalancers, name: str, allocations: tuple[str, ...]
    ) -> str | None:
        """None when the NLB ``name`` holds these Elastic IPs or is gone (or was just
        deleted to be replaced, as announced); else the announcement of its replacement."""
        lb = lbs.inv.lbs.get(name)
        if lb is None or lb.get("Type") != "network":
            return None
        arn = lb["LoadBalancerArn"]
        tags = lbs.inv.tags.setdefault(arn, {})
        if lb_allocations(lb) == tuple(sorted(allocations)):
            if tags.get(REPLACE_TAG, SETTLED) != SETTLED:  # a change taken back: forget it
                lbs.elbv2.add_tags(ResourceArns=[arn], Tags=tag_list({REPLACE_TAG: SETTLED}))
                tags[REPLACE_TAG] = SETTLED
            return None
        scheme = "internet-facing" if allocations else str(lb["Scheme"])
        lbs.placement("network", scheme, allocations)  # it fits, or say so before anything
        marker = digest(*sorted(allocations), size=16) if allocations else "none"
        if tags.get(REPLACE_TAG) == marker:
            lbs.delete_load_balancer(name)
            return None
        lbs.elbv2.add_tags(ResourceArns=[arn], Tags=tag_list({REPLACE_TAG: marker}))
        tags[REPLACE_TAG] = marker
        return (
            "spec.addresses changed: the Network Load Balancer is replaced by one holding "
            "the new addresses on the next pass (its DNS name changes and open connections "
            "end)"
        )

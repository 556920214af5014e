"""Static addresses of an NLB Gateway (``GatewayStaticAddresses``): ``spec.addresses`` of
type ``IPAddress`` name Elastic IPs of the account, which become the NLB's subnet mappings.

An NLB's Elastic IPs are fixed at creation, so other addresses mean another NLB: replaced as
``awsgw.providers.aws.elbv2.replacement`` announces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from awsgw.providers.aws.common.session import Aws, error_code
from awsgw.providers.aws.elbv2.replacement import lb_allocations


class AddressProblem(Exception):
    """An address the Gateway asks for cannot be used (``AddressNotUsable``)."""


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
            if error_code(exc) == "InvalidAddress.NotFound":
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

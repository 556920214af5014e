"""What ELBv2 fixes when a load balancer is created (its scheme; an NLB's Elastic IPs):
other values mean another load balancer, with another DNS name. The pass that first sees
the change does not replace it: it tags the load balancer with a digest of what its
successor gets and reports the replacement in the Gateway's status; the next pass (the
change still wanted) replaces it. A change taken back in between is forgotten."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from awsgw.core.parameters import NO_PARAMETERS, LoadBalancerParameters
from awsgw.providers.aws.common.naming import digest
from awsgw.providers.aws.common.tags import tag_list
from awsgw.providers.aws.elbv2.load_balancers import LoadBalancers
from awsgw.providers.aws.elbv2.resources import load_balancer
from awsgw.providers.changes import modifying, tag_field

REPLACE_TAG = "awsgw.io/replace-for"
"""On a load balancer about to be replaced: a digest of what its successor gets."""
SETTLED = "-"
"""``REPLACE_TAG`` of a load balancer that is what its Gateway asks for."""
PRODUCTS = {"application": "Application Load Balancer", "network": "Network Load Balancer"}


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


@dataclass(frozen=True)
class Fixed:
    """A load balancer's properties fixed at creation."""

    scheme: str
    allocations: tuple[str, ...] = ()

    @classmethod
    def of(cls, lb: Mapping[str, Any]) -> Fixed:
        return cls(str(lb["Scheme"]), lb_allocations(lb))

    def normal(self) -> Fixed:
        return Fixed(self.scheme, tuple(sorted(self.allocations)))

    def marker(self) -> str:
        return digest(self.scheme, *sorted(self.allocations), size=16)

    def changes(self, want: Fixed) -> str:
        """What differs from ``want``, for the status."""
        parts = []
        if self.scheme != want.scheme:
            parts.append(f"the scheme changes from {self.scheme} to {want.scheme}")
        if self.allocations != want.normal().allocations:
            parts.append("spec.addresses changed")
        return " and ".join(parts)


def replacement(
    lbs: LoadBalancers,
    name: str,
    lb_type: str,
    want: Fixed,
    params: LoadBalancerParameters = NO_PARAMETERS,
) -> str | None:
    """None when the load balancer ``name`` has ``want`` (or is gone, or was just deleted
    to be replaced, as announced); else the announcement of its replacement."""
    lb = lbs.inv.lbs.get(name)
    if lb is None or lb.get("Type", "application") != lb_type:
        return None
    arn = lb["LoadBalancerArn"]
    tags = lbs.inv.tags.setdefault(arn, {})
    have = Fixed.of(lb)
    if have == want.normal():
        if tags.get(REPLACE_TAG, SETTLED) != SETTLED:  # a change taken back: forget it
            _mark(lbs, name, arn, tags, SETTLED)
        return None
    lbs.placement(lb_type, want.scheme, want.allocations, params)  # it fits, or say so first
    marker = want.marker()
    if tags.get(REPLACE_TAG) == marker:
        lbs.delete_load_balancer(name)
        return None
    _mark(lbs, name, arn, tags, marker)
    return (
        f"{have.changes(want)}: the {PRODUCTS.get(lb_type, 'load balancer')} is replaced by "
        "a new one on the next pass (its DNS name changes and open connections end)"
    )


def _mark(lbs: LoadBalancers, name: str, arn: str, tags: dict[str, str], marker: str) -> None:
    """Tag the load balancer with what its successor gets (``SETTLED``: none)."""
    change = modifying(
        load_balancer(name), {tag_field(REPLACE_TAG): (tags.get(REPLACE_TAG), marker)}
    )
    lbs.send("add_tags", {"ResourceArns": [arn], "Tags": tag_list({REPLACE_TAG: marker})}, change)
    tags[REPLACE_TAG] = marker

"""One read of the account's ELBv2 load balancers (of the data plane's types) and target
groups, with their tags: the pass's snapshot, shared by the ALB and NLB data planes.

Ownership is this cluster's tag and the data plane's (``PLANE_TAG``): the NLB data plane's
chained ALB and target groups are never the ALB data plane's to collect, nor the reverse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awsgw.providers.aws.common.tags import GATEWAY_TAG, owned_by
from awsgw.providers.aws.elbv2.describe import tags_of


@dataclass
class ElbInventory:
    plane: str | None = None
    """The data plane whose resources count as owned (``PLANE_TAG``; None: the ALB's)."""
    lbs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Load balancers of the data plane's type, by name."""
    tgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every target group of the account, by name (names are unique per account)."""
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    """ARN → tags, for everything above."""

    def mine(self, arn: str, cluster: str) -> bool:
        return owned_by(self.tags.get(arn, {}), cluster, self.plane)

    def gateway_of(self, arn: str) -> str | None:
        return self.tags.get(arn, {}).get(GATEWAY_TAG)

    def owned_gateways(self, cluster: str) -> set[str]:
        """Gateway keys owning a load balancer or target group here."""
        arns = [lb["LoadBalancerArn"] for lb in self.lbs.values()]
        arns += [tg["TargetGroupArn"] for tg in self.tgs.values()]
        return {
            gateway
            for arn in arns
            if self.mine(arn, cluster) and (gateway := self.gateway_of(arn)) is not None
        }


def read_inventory(elbv2: Any, lb_types: tuple[str, ...], plane: str | None = None) -> ElbInventory:
    """Every load balancer of ``lb_types`` (``application``, ``network``) and every target
    group, with their tags; ``plane`` decides what is owned."""
    inv = ElbInventory(plane)
    for page in elbv2.get_paginator("describe_load_balancers").paginate():
        for lb in page["LoadBalancers"]:
            if lb.get("Type") in lb_types:
                inv.lbs[lb["LoadBalancerName"]] = lb
    for page in elbv2.get_paginator("describe_target_groups").paginate():
        for tg in page["TargetGroups"]:
            inv.tgs[tg["TargetGroupName"]] = tg
    arns = [lb["LoadBalancerArn"] for lb in inv.lbs.values()]
    arns += [tg["TargetGroupArn"] for tg in inv.tgs.values()]
    inv.tags = tags_of(elbv2, arns)
    return inv

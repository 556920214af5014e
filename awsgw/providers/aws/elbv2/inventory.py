"""The pass's snapshot of ELBv2, shared by the ALB and NLB data planes: on a full pass one
read of the account's load balancers (of the data plane's types) and target groups, with
their tags; on a pass over one Gateway, its own only (``read_gateway``): its load balancers
by name, their target groups and their tags (a target group about to be created is looked
up by name first: ``look_up_target_group``; when the Gateway is deleted, those tagged as
its own that no load balancer uses any more are found by tag: ``read_detached``).

Ownership is this cluster's tag and the data plane's (``PLANE_TAG``): the NLB data plane's
chained ALB and target groups are never the ALB data plane's to collect, nor the reverse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from awsgw.providers.aws.common.session import error_code
from awsgw.providers.aws.common.tags import CLUSTER_TAG, GATEWAY_TAG, owned_by
from awsgw.providers.aws.elbv2.describe import tags_of
from awsgw.providers.aws.elbv2.resources import from_arn, load_balancer, target_group
from awsgw.providers.changes import Resource


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
    gateway: str | None = None
    """The one Gateway whose resources this holds (None: the account's, a full read)."""
    labels: dict[str, Resource] = field(default_factory=dict)
    """ARN → the resource as change records name it, for listeners and rules the pass
    read or made (load balancers and target groups are named from ``lbs`` and ``tgs``)."""

    def resource(self, arn: str) -> Resource:
        """How change records name the resource of an ARN (or of a plan's placeholder)."""
        if arn not in self.labels:
            for name, lb in self.lbs.items():
                if lb["LoadBalancerArn"] == arn:
                    return load_balancer(name)
            for name, tg in self.tgs.items():
                if tg["TargetGroupArn"] == arn:
                    return target_group(name)
        return from_arn(arn, self.labels)

    def mine(self, arn: str, cluster: str) -> bool:
        return owned_by(self.tags.get(arn, {}), cluster, self.plane)

    def gateway_of(self, arn: str) -> str | None:
        return self.tags.get(arn, {}).get(GATEWAY_TAG)

    def owned_load_balancers(self, cluster: str) -> list[str]:
        """ARNs of the load balancers here this cluster owns."""
        return [a for lb in self.lbs.values() if self.mine(a := lb["LoadBalancerArn"], cluster)]

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


NOT_FOUND = ("LoadBalancerNotFound", "TargetGroupNotFound")
NAMES_BATCH = 20
"""Names one DescribeLoadBalancers or DescribeTargetGroups call takes (ELBv2: 20)."""


def _named(
    elbv2: Any, operation: str, key: str, names: list[str], by: str = "Names"
) -> list[dict[str, Any]]:
    """What exists of ``names`` (or of ARNs, ``by`` ``TargetGroupArns``): one call per
    batch, and only when a batch names something absent (ELBv2 then refuses the whole
    call) one call per name of it."""
    found: list[dict[str, Any]] = []
    call = getattr(elbv2, operation)
    for i in range(0, len(names), NAMES_BATCH):
        batch = names[i : i + NAMES_BATCH]
        try:
            found += call(**{by: batch})[key]
            continue
        except ClientError as exc:
            if error_code(exc) not in NOT_FOUND:
                raise
        for name in batch if len(batch) > 1 else ():
            try:
                found += call(**{by: [name]})[key]
            except ClientError as exc:
                if error_code(exc) not in NOT_FOUND:
                    raise
    return found


def _used_by(elbv2: Any, lb_arn: str) -> list[dict[str, Any]]:
    """The target groups a load balancer's listeners use: none is an answer, whether ELBv2
    says so with an empty page or with TargetGroupNotFound (as moto does)."""
    found: list[dict[str, Any]] = []
    try:
        for page in elbv2.get_paginator("describe_target_groups").paginate(LoadBalancerArn=lb_arn):
            found += page["TargetGroups"]
    except ClientError as exc:
        if error_code(exc) != "TargetGroupNotFound":
            raise
    return found


def read_gateway(
    elbv2: Any,
    gateway: str,
    lb_types: tuple[str, ...],
    lb_names: Iterable[str],
    plane: str | None = None,
) -> ElbInventory:
    """One Gateway's share of ELBv2, whatever else the account holds: the load balancers
    named ``lb_names``, the target groups they use, and their tags. Target groups of the
    Gateway that nothing uses any more are the full pass's to collect."""
    inv = ElbInventory(plane, gateway=gateway)
    for lb in _named(elbv2, "describe_load_balancers", "LoadBalancers", sorted(set(lb_names))):
        if lb.get("Type") in lb_types:
            inv.lbs[lb["LoadBalancerName"]] = lb
    for lb in inv.lbs.values():
        for tg in _used_by(elbv2, lb["LoadBalancerArn"]):
            inv.tgs[tg["TargetGroupName"]] = tg
    arns = [lb["LoadBalancerArn"] for lb in inv.lbs.values()]
    arns += [tg["TargetGroupArn"] for tg in inv.tgs.values()]
    inv.tags = tags_of(elbv2, arns)
    return inv


def look_up_target_group(elbv2: Any, inv: ElbInventory, name: str) -> dict[str, Any] | None:
    """A target group by name, from the inventory or, when it holds one Gateway's share
    only, from ELBv2 (with its tags, kept in the inventory): a name another owner took must
    be seen before a create."""
    if name in inv.tgs or inv.gateway is None:
        return inv.tgs.get(name)
    found = _named(elbv2, "describe_target_groups", "TargetGroups", [name])
    if not found:
        return None
    tg = inv.tgs[name] = found[0]
    inv.tags.update(tags_of(elbv2, [tg["TargetGroupArn"]]))
    return tg


TARGET_GROUP_TYPE = "elasticloadbalancing:targetgroup"


def read_detached(tagging: Any, elbv2: Any, inv: ElbInventory, cluster: str) -> None:
    """Add to one Gateway's share the target groups tagged as its own (this cluster's)
    that it does not hold yet: those no load balancer uses any more, as after a delete
    that removed the load balancer and then failed. One tag-scoped read (Resource Groups
    Tagging API ``GetResources``, whose index may lag a just-made resource: the full pass
    still collects what it misses), and a describe of what it found."""
    assert inv.gateway is not None, "a full read holds every target group already"
    filters = [
        {"Key": CLUSTER_TAG, "Values": [cluster]},
        {"Key": GATEWAY_TAG, "Values": [inv.gateway]},
    ]
    held = {tg["TargetGroupArn"] for tg in inv.tgs.values()}
    found: dict[str, dict[str, str]] = {}
    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=filters, ResourceTypeFilters=[TARGET_GROUP_TYPE]
    )
    for page in pages:
        for mapping in page["ResourceTagMappingList"]:
            arn = mapping["ResourceARN"]
            if arn not in held:
                found[arn] = {t["Key"]: t.get("Value", "") for t in mapping.get("Tags", [])}
    groups = _named(
        elbv2, "describe_target_groups", "TargetGroups", sorted(found), "TargetGroupArns"
    )
    for tg in groups:
        inv.tgs[tg["TargetGroupName"]] = tg
        inv.tags[tg["TargetGroupArn"]] = found[tg["TargetGroupArn"]]

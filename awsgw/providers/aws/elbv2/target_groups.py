"""ELBv2 target groups of a pass, as ALB and NLB share them (the base of ``LoadBalancers``):
created with the owner tags in the create call, shaped as a ``TargetGroupPolicy`` says,
their targets kept in step with the ready endpoints by diff (register and deregister only
what differs), and deleted, when no Route uses them any more, only when owned."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from awsgw.core.capabilities import AttributeRule
from awsgw.providers.aws.common.session import Aws, access_denied
from awsgw.providers.aws.common.tags import (
    BACKEND_TAG,
    MANAGED_TAG,
    PLANE_TAG,
    Conflict,
    managed_of,
    owner_tags,
    tag_list,
)
from awsgw.providers.aws.common.writes import Write, exists
from awsgw.providers.aws.elbv2.attributes import (
    ALB_TARGET_GROUP_ATTRIBUTES,
    NLB_TARGET_GROUP_ATTRIBUTES,
    attribute_changes,
)
from awsgw.providers.aws.elbv2.inventory import (
    ElbInventory,
    look_up_target_group,
    read_detached,
)
from awsgw.providers.aws.elbv2.plan.health import health_changes, wanted_health
from awsgw.providers.aws.elbv2.plan.specs import TargetGroupSpec
from awsgw.providers.aws.elbv2.resources import TARGET, target_group
from awsgw.providers.changes import (
    Change,
    Resource,
    creating,
    deleting,
    modifying,
    pending,
    tag_field,
)

ELBV2 = "elbv2"
log = logging.getLogger("awsgw.elbv2")


class TargetGroups:
    """One pass's target group writes, against its inventory."""

    def __init__(
        self, aws: Aws, cluster: str, inventory: ElbInventory, vpc: Callable[[], str]
    ) -> None:
        self.aws = aws
        self.elbv2 = aws.client("elbv2")
        self.cluster = cluster
        self.inv = inventory
        self.vpc = vpc

    def tags(self, gateway: str, **extra: str) -> dict[str, str]:
        """The owner tags of what this data plane creates for a Gateway."""
        if self.inv.plane is not None:
            extra[PLANE_TAG] = self.inv.plane
        return owner_tags(self.cluster, gateway, **extra)

    def send(self, method: str, params: dict[str, Any], *changes: Change) -> dict[str, Any]:
        """One ELBv2 write through the seam."""
        return self.aws.write(Write(ELBV2, method, params, changes))

    def ensure_target_groups(
        self,
        gateway: str,
        specs: Mapping[str, TargetGroupSpec],
        user_tags: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """Name → ARN of the Gateway's target groups, each with exactly its targets."""
        arns = {}
        for name, tg in specs.items():
            have = look_up_target_group(self.elbv2, self.inv, name)
            if have is not None and not self.inv.mine(have["TargetGroupArn"], self.cluster):
                raise Conflict(f"target group {name} exists and is not owned by this cluster")
            created = have is None
            if have is None:
                have = self._create_target_group(gateway, tg, user_tags or {})
            else:
                self._shape(have, tg)
            arns[name] = have["TargetGroupArn"]
            self._sync_targets(have["TargetGroupArn"], tg, created=created)
        return arns

    def _create_target_group(
        self, gateway: str, tg: TargetGroupSpec, user_tags: Mapping[str, str]
    ) -> dict[str, Any]:
        tags = {**user_tags, **self.tags(gateway, **{BACKEND_TAG: tg.backend})}
        if tg.policy is not None:
            tags[MANAGED_TAG] = "health-check"
        kwargs: dict[str, Any] = {
            "Name": tg.name,
            "Protocol": tg.protocol,
            "Port": tg.port,
            "VpcId": self.vpc(),
            "TargetType": tg.target_type,
            "Tags": tag_list(tags),
        }
        if tg.protocol_version is not None:
            kwargs["ProtocolVersion"] = tg.protocol_version
        if tg.health_check_protocol is not None:
            kwargs["HealthCheckProtocol"] = tg.health_check_protocol
        if tg.health_check_codes is not None:
            kwargs["Matcher"] = {"HttpCode": tg.health_check_codes}
        if tg.policy is not None:  # the whole health check: defaults where it says nothing
            kwargs.update(wanted_health(tg))
        made = self.aws.write(_target_group_create(kwargs, tags))
        self.inv.tgs[tg.name] = made
        self.inv.tags[made["TargetGroupArn"]] = tags
        if tg.policy is not None and tg.policy.attributes:
            self._shape(made, tg)
        return made

    def _shape(self, have: dict[str, Any], tg: TargetGroupSpec) -> None:
        """An existing target group's health check and attributes as its policy sets them:
        one ``ModifyTargetGroup`` of the fields that differ, one
        ``ModifyTargetGroupAttributes`` of the attributes that do. What a policy set and no
        longer does returns to ELBv2's default (``MANAGED_TAG`` remembers it), so a target
        group no policy ever shaped costs no call."""
        arn = have["TargetGroupArn"]
        resource = target_group(tg.name)
        tags = self.inv.tags.setdefault(arn, {})
        managed = managed_of(tags)
        policy = tg.policy
        now = set()
        if policy is not None:
            now.add("health-check")
            if policy.attributes:
                now.add("attributes")
        if "health-check" in now | managed:
            changes = health_changes(have, wanted_health(tg))
            if changes:
                diffs = {k: (have.get(k), v) for k, v in changes.items()}
                change = modifying(resource, diffs)
                self.send("modify_target_group", {"TargetGroupArn": arn, **changes}, change)
                have.update(changes)
        if "attributes" in now | managed:
            want = dict(policy.attributes) if policy is not None else {}
            rules = (
                ALB_TARGET_GROUP_ATTRIBUTES
                if tg.protocol in ("HTTP", "HTTPS")
                else NLB_TARGET_GROUP_ATTRIBUTES
            )
            self._target_group_attributes(resource, arn, want, rules)
        marker = ",".join(sorted(now)) or "-"
        if tags.get(MANAGED_TAG, "-") != marker:
            change = modifying(resource, {tag_field(MANAGED_TAG): (tags.get(MANAGED_TAG), marker)})
            params = {"ResourceArns": [arn], "Tags": tag_list({MANAGED_TAG: marker})}
            self.send("add_tags", params, change)
            tags[MANAGED_TAG] = marker

    def _target_group_attributes(
        self,
        resource: Resource,
        arn: str,
        want: dict[str, str],
        rules: Mapping[str, AttributeRule],
    ) -> None:
        """Only the differing attributes; a target group a plan would create has the
        documented defaults."""
        found = (
            self.elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
            if exists(arn)
            else defaults_of(rules)
        )
        changes = attribute_changes(rules, want, found)
        if changes:
            change = modifying(resource, attribute_diffs(found, changes))
            params = {"TargetGroupArn": arn, "Attributes": changes}
            self.send("modify_target_group_attributes", params, change)

    def _sync_targets(self, arn: str, tg: TargetGroupSpec, created: bool) -> None:
        have: set[tuple[str, int]] = set()
        resource = target_group(tg.name)
        if not created:
            health = self.elbv2.describe_target_health(TargetGroupArn=arn)
            have = {
                (d["Target"]["Id"], int(d["Target"]["Port"]))
                for d in health["TargetHealthDescriptions"]
                if d.get("TargetHealth", {}).get("State") != "draining"
            }
        want = set(tg.targets)
        if want - have:
            add = sorted(want - have)
            targets = [{"Id": i, "Port": p} for i, p in add]
            changes = [creating(self._target(resource, i, p), {}) for i, p in add]
            params = {"TargetGroupArn": arn, "Targets": targets}
            self.send("register_targets", params, *changes)
        if have - want:
            gone = sorted(have - want)
            targets = [{"Id": i, "Port": p} for i, p in gone]
            changes = [deleting(self._target(resource, i, p)) for i, p in gone]
            params = {"TargetGroupArn": arn, "Targets": targets}
            self.send("deregister_targets", params, *changes)

    def _target(self, group: Resource, target: str, port: int) -> Resource:
        """A target as change records name it: an IP or instance, or (an NLB's target
        group of its chained ALB) the load balancer by name."""
        shown = self.inv.resource(target).name if not exists(target) or ":" in target else target
        return group.child(TARGET, f"{shown}:{port}")

    def find_detached(self) -> None:
        """Before a Gateway's resources are deleted on a pass over that Gateway alone: its
        target groups its load balancers no longer use (a full pass holds them all). An
        account that denies the tag-scoped read is logged once: the full pass collects
        them then."""
        if self.inv.gateway is None:
            return
        try:
            tagging = self.aws.client("resourcegroupstaggingapi")
            read_detached(tagging, self.elbv2, self.inv, self.cluster)
        except ClientError as exc:
            if not access_denied(exc):
                raise
            if self.aws.first_notice("elbv2-tags-denied"):
                note = "target groups are not readable by tag here (%s): a full pass deletes"
                log.warning(note + " those a deleted Gateway's load balancer no longer used", exc)

    def delete_target_groups(
        self, gateway: str, keep: set[str], target_type: str | None = None
    ) -> None:
        """The Gateway's owned target groups whose ARN is not in ``keep`` (of one target
        type only, when given)."""
        for name, tg in list(self.inv.tgs.items()):
            arn = tg["TargetGroupArn"]
            if target_type is not None and tg.get("TargetType") != target_type:
                continue
            owned = self.inv.mine(arn, self.cluster) and self.inv.gateway_of(arn) == gateway
            if owned and arn not in keep:
                what = {"Protocol": tg.get("Protocol"), "Port": tg.get("Port")}
                change = deleting(target_group(name), what)
                self.send("delete_target_group", {"TargetGroupArn": arn}, change)
                del self.inv.tgs[name]


def defaults_of(rules: Mapping[str, AttributeRule]) -> list[dict[str, str]]:
    """The attributes of a new resource, as documented (what a plan's new ones have)."""
    return [{"Key": k, "Value": r.default} for k, r in rules.items() if r.default is not None]


def attribute_diffs(
    found: list[dict[str, Any]], changes: list[dict[str, str]]
) -> dict[str, tuple[Any, Any]]:
    """Change record fields of a modify of attributes: ``attribute:<key>`` → (old, new)."""
    have = {a["Key"]: a.get("Value") for a in found}
    return {f"attribute:{c['Key']}": (have.get(c["Key"]), c["Value"]) for c in changes}


def _target_group_create(params: dict[str, Any], tags: dict[str, str]) -> Write:
    """The create of a target group; in a plan, it is as the request says, its ARN known
    after apply."""
    resource = target_group(params["Name"])
    shape = {k: v for k, v in params.items() if k not in ("Name", "Tags")}
    planned = {
        **shape,
        "TargetGroupName": params["Name"],
        "TargetGroupArn": pending(f"TargetGroupArn of {resource}"),
    }
    change = creating(resource, {**shape, "Tags": tags})
    return Write(ELBV2, "create_target_group", params, (change,), ("TargetGroups", 0), planned)

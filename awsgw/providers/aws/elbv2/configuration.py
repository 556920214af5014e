"""What a Gateway's ``LoadBalancerConfiguration`` asks of its load balancer beyond the
create call: the subnets and security groups it names (checked before use), attributes, its
tags on the load balancer, target groups and listeners, the WAF web ACL (ALB) and the Shield
Advanced protection. The user's own subnets, security groups and web ACLs are referenced,
never changed.

What awsgw set beyond its own defaults is remembered in the load balancer's ``MANAGED_TAG``:
a Gateway that never had a configuration costs no extra call, and a setting taken out of a
configuration is taken back only where awsgw made it (attributes return to their documented
defaults, the web ACL is disassociated, the protection deleted, tags removed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from awsgw.core.parameters import LoadBalancerParameters
from awsgw.providers.aws.common.network import find_subnets
from awsgw.providers.aws.common.session import Aws, error_code
from awsgw.providers.aws.common.tags import (
    CLUSTER_TAG,
    GATEWAY_TAG,
    MANAGED_TAG,
    managed_of,
    tag_list,
    user_tags,
)
from awsgw.providers.aws.common.writes import Write, exists
from awsgw.providers.aws.elbv2.attributes import ATTRIBUTES, attribute_changes
from awsgw.providers.aws.elbv2.inventory import ElbInventory
from awsgw.providers.aws.elbv2.resources import SHIELD_PROTECTION
from awsgw.providers.aws.elbv2.target_groups import ELBV2, attribute_diffs, defaults_of
from awsgw.providers.changes import Change, creating, deleting, modifying, tag_field

OWNER_KEYS = (CLUSTER_TAG, GATEWAY_TAG)
BATCH = 20
"""ELBv2 takes at most 20 ARNs per AddTags/RemoveTags and 20 attributes per modify call."""


class InvalidConfiguration(Exception):
    """The configuration names something AWS does not have (or refuses): the Gateway is
    not programmed, and nothing was changed for it."""


def _where(params: LoadBalancerParameters) -> str:
    return params.sources[-1] if params.sources else "LoadBalancerConfiguration"


def _one_per_zone(subnets: list[dict[str, Any]]) -> dict[str, str]:
    by_zone: dict[str, str] = {}
    for s in sorted(subnets, key=lambda s: str(s["SubnetId"])):
        by_zone.setdefault(str(s["AvailabilityZone"]), str(s["SubnetId"]))
    return by_zone


def choose_subnets(
    aws: Aws,
    vpc: str,
    cluster: str,
    params: LoadBalancerParameters,
    scheme: str,
    min_zones: int,
    current: list[str],
) -> list[str]:
    """The subnets a load balancer goes in: the configuration's (by ID: each in the VPC and
    one per zone; by tags: one per zone of those carrying them), else found by role tag."""
    if not params.subnet_ids and not params.subnet_tags:
        return find_subnets(aws, vpc, cluster, scheme, min_zones)
    if params.subnet_ids and sorted(params.subnet_ids) == sorted(current):
        return sorted(current)  # what the load balancer has: no need to look again
    ec2 = aws.client("ec2")
    where = _where(params)
    if params.subnet_ids:
        try:
            found = ec2.describe_subnets(SubnetIds=list(params.subnet_ids))["Subnets"]
        except ClientError as exc:
            if error_code(exc) != "InvalidSubnetID.NotFound":
                raise
            raise InvalidConfiguration(
                f"{where} spec.subnets.ids: {exc.response['Error'].get('Message', '')}"
            ) from exc
        outside = sorted(s["SubnetId"] for s in found if s.get("VpcId") != vpc)
        if outside:
            raise InvalidConfiguration(
                f"{where} spec.subnets.ids: {', '.join(outside)} not in VPC {vpc}"
            )
        zones = _one_per_zone(found)
        if len(zones) != len(found):
            raise InvalidConfiguration(
                f"{where} spec.subnets.ids: two subnets in one availability zone"
            )
        what = "spec.subnets.ids"
    else:
        filters = [{"Name": "vpc-id", "Values": [vpc]}]
        filters += [{"Name": f"tag:{k}", "Values": [v]} for k, v in params.subnet_tags]
        pages = ec2.get_paginator("describe_subnets").paginate(Filters=filters)
        zones = _one_per_zone([s for page in pages for s in page["Subnets"]])
        what = "spec.subnets.tags"
    if len(zones) < min_zones:
        raise InvalidConfiguration(
            f"{where} {what}: subnets in {len(zones)} availability zone(s); the load "
            f"balancer needs {min_zones}"
        )
    return sorted(zones.values())


def check_security_groups(aws: Aws, vpc: str, params: LoadBalancerParameters) -> None:
    """The configuration's security groups exist in the VPC (one read, before any use)."""
    ids = list(params.security_groups or ())
    if not ids:
        return
    where = _where(params)
    try:
        found = aws.client("ec2").describe_security_groups(GroupIds=ids)["SecurityGroups"]
    except ClientError as exc:
        if error_code(exc) not in (
            "InvalidGroup.NotFound",
            "InvalidGroupId.Malformed",
        ):
            raise
        message = exc.response["Error"].get("Message", "")
        raise InvalidConfiguration(f"{where} spec.securityGroups: {message}") from exc
    outside = sorted(g["GroupId"] for g in found if g.get("VpcId") != vpc)
    if outside:
        raise InvalidConfiguration(
            f"{where} spec.securityGroups: {', '.join(outside)} not in VPC {vpc}"
        )


class Configuration:
    """Applies what a configuration sets on one pass's load balancers."""

    def __init__(self, aws: Aws, inventory: ElbInventory) -> None:
        self.aws = aws
        self.elbv2 = aws.client("elbv2")
        self.inv = inventory

    def managed(self, arn: str) -> set[str]:
        return managed_of(self.inv.tags.get(arn, {}))

    def apply(
        self,
        lb: Mapping[str, Any],
        params: LoadBalancerParameters,
        others: Mapping[str, dict[str, str]],
    ) -> None:
        """Attributes, tags (on the load balancer and ``others``: ARN → tags of its target
        groups and listeners), web ACL and protection of one load balancer. Every tag
        change of the load balancer carries ``MANAGED_TAG`` (what the IAM policy for
        configurations asks of them)."""
        arn = str(lb["LoadBalancerArn"])
        managed = self.managed(arn)
        now = {
            name
            for name, wanted in (
                ("attributes", bool(params.attributes)),
                ("web-acl", params.web_acl is not None),
                ("shield", bool(params.shield_advanced)),
                ("tags", bool(params.tags)),
            )
            if wanted
        }
        if "attributes" in now | managed:
            self._attributes(arn, str(lb.get("Type", "application")), dict(params.attributes))
        if "web-acl" in now | managed:
            self._web_acl(arn, params)
        if "shield" in now | managed:
            self._shield(arn, str(lb["LoadBalancerName"]), bool(params.shield_advanced), params)
        tags = self.inv.tags.setdefault(arn, {})
        wanted = dict(params.tags)
        if "tags" in now | managed:
            self._sync_tags(others, wanted)
        else:
            wanted = user_tags(tags)  # not awsgw's to change
        marker = ",".join(sorted(now)) or "-"
        want = {**wanted, MANAGED_TAG: marker}
        mine = {**user_tags(tags), MANAGED_TAG: tags.get(MANAGED_TAG, "-")}
        if want != mine:
            self._sync_tags({arn: tags}, want, keep=(MANAGED_TAG,))

    def _send(self, service: str, method: str, params: dict[str, Any], *changes: Change) -> None:
        self.aws.write(Write(service, method, params, changes))

    def _sync_tags(
        self,
        current: Mapping[str, dict[str, str]],
        want: Mapping[str, str],
        keep: tuple[str, ...] = (),
    ) -> None:
        """Make the user tags of each ELBv2 resource (ARN → its tags, updated here) exactly
        ``want``; awsgw's own and AWS's tags are left as they are. Batched by ARN.
        ``keep``: keys of ``want`` every add carries, changed or not."""
        adds: dict[tuple[tuple[str, str], ...], list[str]] = {}
        removes: dict[tuple[str, ...], list[str]] = {}
        for arn, tags in current.items():
            mine = user_tags(tags)
            add = tuple(sorted((k, v) for k, v in want.items() if tags.get(k) != v))
            if add:
                add = tuple(sorted({**dict(add), **{k: want[k] for k in keep}}.items()))
            remove = tuple(sorted(k for k in mine if k not in want))
            if add:
                adds.setdefault(add, []).append(arn)
            if remove:
                removes.setdefault(remove, []).append(arn)
        for add, arns in adds.items():
            for i in range(0, len(arns), BATCH):
                batch = arns[i : i + BATCH]
                changes = [
                    modifying(
                        self.inv.resource(a),
                        {
                            tag_field(k): (current[a].get(k), v)
                            for k, v in add
                            if current[a].get(k) != v
                        },
                    )
                    for a in batch
                ]
                params = {"ResourceArns": batch, "Tags": tag_list(dict(add))}
                self._send(ELBV2, "add_tags", params, *changes)
        for remove, arns in removes.items():
            for i in range(0, len(arns), BATCH):
                batch = arns[i : i + BATCH]
                changes = [
                    modifying(
                        self.inv.resource(a),
                        {tag_field(k): (current[a].get(k), None) for k in remove},
                    )
                    for a in batch
                ]
                params = {"ResourceArns": batch, "TagKeys": list(remove)}
                self._send(ELBV2, "remove_tags", params, *changes)
        for tags in current.values():
            for k in [k for k in user_tags(tags) if k not in want]:
                del tags[k]
            tags.update(want)

    def forget(self, lb: Mapping[str, Any]) -> None:
        """Before the load balancer is deleted: the Shield protection awsgw made for it
        (a protection outlives its resource; a web ACL association does not)."""
        arn = str(lb["LoadBalancerArn"])
        if "shield" in self.managed(arn):
            self._shield(arn, str(lb["LoadBalancerName"]), False, LoadBalancerParameters())

    def _attributes(self, arn: str, lb_type: str, want: dict[str, str]) -> None:
        """The configuration's attributes; every other one awsgw knows at its default (a
        load balancer a plan would create has the documented ones)."""
        rules = ATTRIBUTES.get(lb_type, {})
        found = (
            self.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
            if exists(arn)
            else defaults_of(rules)
        )
        changes = attribute_changes(rules, want, found)
        for i in range(0, len(changes), BATCH):
            batch = changes[i : i + BATCH]
            change = modifying(self.inv.resource(arn), attribute_diffs(found, batch))
            params = {"LoadBalancerArn": arn, "Attributes": batch}
            self._send(ELBV2, "modify_load_balancer_attributes", params, change)

    def _web_acl(self, arn: str, params: LoadBalancerParameters) -> None:
        waf = self.aws.client("wafv2")
        have = None
        if exists(arn):
            have = (waf.get_web_acl_for_resource(ResourceArn=arn).get("WebACL") or {}).get("ARN")
        resource = self.inv.resource(arn)
        if params.web_acl is None:
            if have is not None:
                change = modifying(resource, {"WebACL": (have, None)})
                self._send("wafv2", "disassociate_web_acl", {"ResourceArn": arn}, change)
            return
        if have == params.web_acl:
            return
        try:
            change = modifying(resource, {"WebACL": (have, params.web_acl)})
            request = {"WebACLArn": params.web_acl, "ResourceArn": arn}
            self._send("wafv2", "associate_web_acl", request, change)
        except ClientError as exc:
            if error_code(exc) != "WAFNonexistentItemException":
                raise
            raise InvalidConfiguration(
                f"{_where(params)} spec.wafv2WebACLArn: web ACL {params.web_acl} does not exist"
            ) from exc

    def _shield(self, arn: str, name: str, want: bool, params: LoadBalancerParameters) -> None:
        """Shield Advanced protection of the load balancer; awsgw's carry its owner tags
        (what lets the IAM policy scope its deletes)."""
        shield = self.aws.client("shield")
        protection = None
        try:
            if exists(arn):
                protection = shield.describe_protection(ResourceArn=arn)["Protection"]
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
        resource = self.inv.resource(arn).child(SHIELD_PROTECTION, name)
        if want and protection is None:
            try:
                owner = {k: v for k, v in self.inv.tags.get(arn, {}).items() if k in OWNER_KEYS}
                change = creating(resource, {"Tags": owner})
                request = {"Name": name, "ResourceArn": arn, "Tags": tag_list(owner)}
                self._send("shield", "create_protection", request, change)
            except ClientError as exc:
                code = error_code(exc)
                if code not in ("ResourceNotFoundException", "InvalidOperationException"):
                    raise
                message = exc.response["Error"].get("Message", "")
                raise InvalidConfiguration(
                    f"{_where(params)} spec.shieldAdvanced: Shield refused the protection "
                    f"({code}: {message}); is the account subscribed to Shield Advanced?"
                ) from exc
        elif not want and protection is not None:
            change = deleting(resource, {"ProtectionId": protection["Id"]})
            self._send("shield", "delete_protection", {"ProtectionId": protection["Id"]}, change)

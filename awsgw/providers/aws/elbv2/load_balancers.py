"""ELBv2 load balancers and their target groups, as ALB and NLB share them: created with the
owner tags in the create call, found in the pass's inventory, changed in place where ELBv2
allows it, replaced where it does not (the scheme), deleted only when owned.

Targets are kept in step with the ready endpoints by diff (register and deregister only what
differs); a target group no Route uses any more is deleted after the listeners stopped
using it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tenacity import retry, retry_if_result, stop_after_delay, wait_exponential

from awsgw.core.capabilities import AttributeRule
from awsgw.core.parameters import NO_PARAMETERS, LoadBalancerParameters
from awsgw.providers.aws.common.network import Ingress, NetworkError, SecurityGroups
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import (
    BACKEND_TAG,
    MANAGED_TAG,
    PLANE_TAG,
    Conflict,
    managed_of,
    owner_tags,
    tag_list,
)
from awsgw.providers.aws.elbv2.attributes import (
    ALB_TARGET_GROUP_ATTRIBUTES,
    NLB_TARGET_GROUP_ATTRIBUTES,
    attribute_changes,
)
from awsgw.providers.aws.elbv2.configuration import (
    Configuration,
    check_security_groups,
    choose_subnets,
)
from awsgw.providers.aws.elbv2.inventory import ElbInventory, look_up_target_group
from awsgw.providers.aws.elbv2.plan.health import health_changes, wanted_health
from awsgw.providers.aws.elbv2.plan.specs import LoadBalancerSpec, TargetGroupSpec


class LoadBalancers:
    """One pass's load balancer and target group writes, against its inventory."""

    def __init__(
        self,
        aws: Aws,
        cluster: str,
        inventory: ElbInventory,
        groups: SecurityGroups,
        vpc: Callable[[], str],
    ) -> None:
        self.aws = aws
        self.elbv2 = aws.client("elbv2")
        self.cluster = cluster
        self.inv = inventory
        self.groups = groups
        self.vpc = vpc

    def tags(self, gateway: str, **extra: str) -> dict[str, str]:
        """The owner tags of what this data plane creates for a Gateway."""
        if self.inv.plane is not None:
            extra[PLANE_TAG] = self.inv.plane
        return owner_tags(self.cluster, gateway, **extra)

    # ------------------------------------------------------------------ load balancers
    def placement(
        self,
        lb_type: str,
        scheme: str,
        allocations: tuple[str, ...],
        params: LoadBalancerParameters = NO_PARAMETERS,
        current: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """The subnets a load balancer goes in (the configuration's, else found by role tag;
        with Elastic IPs: one per allocation, in as many zones); NetworkError or
        InvalidConfiguration when there are too few."""
        network = lb_type == "network"
        have = [az["SubnetId"] for az in (current or {}).get("AvailabilityZones", [])]
        subnets = choose_subnets(
            self.aws, self.vpc(), self.cluster, params, scheme, 1 if network else 2, have
        )
        if not allocations:
            return subnets
        if len(allocations) > len(subnets):
            raise NetworkError(
                f"spec.addresses: {len(allocations)} Elastic IPs for {len(subnets)} "
                f"availability zones with {scheme} subnets; a Network Load Balancer takes "
                "one per zone"
            )
        return subnets[: len(allocations)]

    def ensure(self, spec: LoadBalancerSpec) -> dict[str, Any]:
        """The Gateway's load balancer with its owned security group, subnets found by tag
        (with Elastic IPs: one subnet per allocation, in as many zones)."""
        vpc = self.vpc()
        params = spec.parameters
        lb = self.inv.lbs.get(spec.name)
        if lb is not None and not self.inv.mine(lb["LoadBalancerArn"], self.cluster):
            raise Conflict(f"load balancer {spec.name} exists and is not owned by this cluster")
        if lb is not None and lb["Scheme"] != spec.scheme:  # immutable: replace
            self.delete_load_balancer(spec.name)
            lb = None
        subnets = self.placement(spec.lb_type, spec.scheme, spec.allocations, params, lb)
        theirs = list(params.security_groups or ())
        held = set(lb.get("SecurityGroups", [])) if lb is not None else set()
        if theirs and not (set(theirs) <= held and len(held) == len(set(theirs)) + 1):
            check_security_groups(self.aws, vpc, params)  # before anything is changed
        ingress = [Ingress("tcp", p) for p in spec.ports]
        ingress += [Ingress("udp", p) for p in spec.udp_ports]
        sg = self.groups.ensure(spec.gateway, spec.name, vpc, sorted(set(ingress)), spec.user_tags)
        groups = [sg, *(g for g in theirs if g != sg)]
        ip_type = params.ip_address_type or "ipv4"
        if lb is None:
            tags = {**spec.user_tags, **self.tags(spec.gateway)}
            placement: dict[str, Any] = (
                {
                    "SubnetMappings": [
                        {"SubnetId": s, "AllocationId": a}
                        for s, a in zip(subnets, spec.allocations, strict=True)
                    ]
                }
                if spec.allocations
                else {"Subnets": subnets}
            )
            created: dict[str, Any] = self.elbv2.create_load_balancer(
                Name=spec.name,
                SecurityGroups=groups,
                Scheme=spec.scheme,
                Type=spec.lb_type,
                IpAddressType=ip_type,
                Tags=tag_list(tags),
                **placement,
            )["LoadBalancers"][0]
            self.inv.lbs[spec.name] = created
            self.inv.tags[created["LoadBalancerArn"]] = tags
            return created
        arn = lb["LoadBalancerArn"]
        have = sorted(az["SubnetId"] for az in lb.get("AvailabilityZones", []))
        if have != subnets and not spec.allocations:
            self.elbv2.set_subnets(LoadBalancerArn=arn, Subnets=subnets)
        if sorted(lb.get("SecurityGroups", [])) != sorted(groups):
            self.elbv2.set_security_groups(LoadBalancerArn=arn, SecurityGroups=groups)
        if lb.get("IpAddressType", "ipv4") != ip_type:
            self.elbv2.set_ip_address_type(LoadBalancerArn=arn, IpAddressType=ip_type)
        return lb

    def configure(
        self,
        lb: Mapping[str, Any],
        params: LoadBalancerParameters,
        listeners: Mapping[str, dict[str, str]],
    ) -> None:
        """What the configuration sets beyond the create call (attributes, tags, web ACL,
        protection) on the Gateway's load balancer, its target groups and ``listeners``
        (ARN → tags)."""
        gateway = self.inv.gateway_of(lb["LoadBalancerArn"])
        groups = {
            tg["TargetGroupArn"]: self.inv.tags.setdefault(tg["TargetGroupArn"], {})
            for tg in self.inv.tgs.values()
            if self.inv.mine(tg["TargetGroupArn"], self.cluster)
            and self.inv.gateway_of(tg["TargetGroupArn"]) == gateway
        }
        Configuration(self.aws, self.inv).apply(lb, params, {**groups, **listeners})

    def delete_load_balancer(self, name: str) -> None:
        """Delete one owned load balancer of the inventory by name (gone already: nothing),
        and the Shield protection awsgw made for it."""
        lb = self.inv.lbs.pop(name, None)
        if lb is not None and self.inv.mine(lb["LoadBalancerArn"], self.cluster):
            Configuration(self.aws, self.inv).forget(lb)
            self.elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])

    def wait_active(self, arn: str, seconds: float) -> dict[str, Any]:
        """Poll until the load balancer leaves ``provisioning`` (for at most ``seconds``)."""

        @retry(
            retry=retry_if_result(lambda lb: lb.get("State", {}).get("Code") == "provisioning"),
            stop=stop_after_delay(seconds),
            wait=wait_exponential(multiplier=1, max=15),
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else {},
        )
        def describe() -> dict[str, Any]:
            found = self.elbv2.describe_load_balancers(LoadBalancerArns=[arn])
            lb: dict[str, Any] = found["LoadBalancers"][0]
            return lb

        result: dict[str, Any] = describe()
        return result

    def delete(self, gateway: str, wait: float) -> None:
        """Every owned load balancer of the Gateway, then its target groups, then its
        security group (whose network interfaces go last: ``wait`` bounds that)."""
        for name, lb in list(self.inv.lbs.items()):
            arn = lb["LoadBalancerArn"]
            if self.inv.mine(arn, self.cluster) and self.inv.gateway_of(arn) == gateway:
                self.delete_load_balancer(name)
        self.delete_target_groups(gateway, keep=set())
        self.groups.delete(gateway, wait=wait)

    # ------------------------------------------------------------------ target groups
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
        created: dict[str, Any] = self.elbv2.create_target_group(**kwargs)["TargetGroups"][0]
        self.inv.tgs[tg.name] = created
        self.inv.tags[created["TargetGroupArn"]] = tags
        if tg.policy is not None and tg.policy.attributes:
            self._shape(created, tg)
        return created

    def _shape(self, have: dict[str, Any], tg: TargetGroupSpec) -> None:
        """An existing target group's health check and attributes as its policy sets them:
        one ``ModifyTargetGroup`` of the fields that differ, one
        ``ModifyTargetGroupAttributes`` of the attributes that do. What a policy set and no
        longer does returns to ELBv2's default (``MANAGED_TAG`` remembers it), so a target
        group no policy ever shaped costs no call."""
        arn = have["TargetGroupArn"]
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
                self.elbv2.modify_target_group(TargetGroupArn=arn, **changes)
                have.update(changes)
        if "attributes" in now | managed:
            want = dict(policy.attributes) if policy is not None else {}
            rules = (
                ALB_TARGET_GROUP_ATTRIBUTES
                if tg.protocol in ("HTTP", "HTTPS")
                else NLB_TARGET_GROUP_ATTRIBUTES
            )
            self._target_group_attributes(arn, want, rules)
        marker = ",".join(sorted(now)) or "-"
        if tags.get(MANAGED_TAG, "-") != marker:
            self.elbv2.add_tags(ResourceArns=[arn], Tags=tag_list({MANAGED_TAG: marker}))
            tags[MANAGED_TAG] = marker

    def _target_group_attributes(
        self, arn: str, want: dict[str, str], rules: Mapping[str, AttributeRule]
    ) -> None:
        found = self.elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
        changes = attribute_changes(rules, want, found)
        if changes:
            self.elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=changes)

    def _sync_targets(self, arn: str, tg: TargetGroupSpec, created: bool) -> None:
        have: set[tuple[str, int]] = set()
        if not created:
            health = self.elbv2.describe_target_health(TargetGroupArn=arn)
            have = {
                (d["Target"]["Id"], int(d["Target"]["Port"]))
                for d in health["TargetHealthDescriptions"]
                if d.get("TargetHealth", {}).get("State") != "draining"
            }
        want = set(tg.targets)
        if want - have:
            self.elbv2.register_targets(
                TargetGroupArn=arn, Targets=[{"Id": i, "Port": p} for i, p in sorted(want - have)]
            )
        if have - want:
            self.elbv2.deregister_targets(
                TargetGroupArn=arn, Targets=[{"Id": i, "Port": p} for i, p in sorted(have - want)]
            )

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
                self.elbv2.delete_target_group(TargetGroupArn=arn)
                del self.inv.tgs[name]

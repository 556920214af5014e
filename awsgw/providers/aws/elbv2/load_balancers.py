"""ELBv2 load balancers and their target groups, as ALB and NLB share them: created with the
owner tags in the create call, found in the pass's inventory, changed in place where ELBv2
allows it, replaced where it does not (the scheme), deleted only when owned.

Target groups (``target_groups``): a target group no Route uses any more is deleted after
the listeners stopped using it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tenacity import retry, retry_if_result, stop_after_delay, wait_exponential

from awsgw.core.parameters import NO_PARAMETERS, LoadBalancerParameters
from awsgw.providers.aws.common.network import Ingress, NetworkError, SecurityGroups
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import Conflict, tag_list
from awsgw.providers.aws.common.writes import Write, exists
from awsgw.providers.aws.elbv2.configuration import (
    Configuration,
    check_security_groups,
    choose_subnets,
)
from awsgw.providers.aws.elbv2.inventory import ElbInventory
from awsgw.providers.aws.elbv2.plan.specs import LoadBalancerSpec
from awsgw.providers.aws.elbv2.resources import load_balancer
from awsgw.providers.aws.elbv2.target_groups import ELBV2, TargetGroups
from awsgw.providers.changes import creating, deleting, modifying, pending


class LoadBalancers(TargetGroups):
    """One pass's load balancer and target group writes, against its inventory."""

    def __init__(
        self,
        aws: Aws,
        cluster: str,
        inventory: ElbInventory,
        groups: SecurityGroups,
        vpc: Callable[[], str],
    ) -> None:
        super().__init__(aws, cluster, inventory, vpc)
        self.groups = groups

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
            request: dict[str, Any] = {
                "Name": spec.name,
                "SecurityGroups": groups,
                "Scheme": spec.scheme,
                "Type": spec.lb_type,
                "IpAddressType": ip_type,
                "Tags": tag_list(tags),
                **placement,
            }
            made = self.aws.write(_load_balancer_create(spec, request, subnets, tags))
            self.inv.lbs[spec.name] = made
            self.inv.tags[made["LoadBalancerArn"]] = tags
            return made
        arn = lb["LoadBalancerArn"]
        resource = load_balancer(spec.name)
        have = sorted(az["SubnetId"] for az in lb.get("AvailabilityZones", []))
        if have != subnets and not spec.allocations:
            change = modifying(resource, {"Subnets": (have, subnets)})
            self.send("set_subnets", {"LoadBalancerArn": arn, "Subnets": subnets}, change)
        if sorted(lb.get("SecurityGroups", [])) != sorted(groups):
            old = sorted(lb.get("SecurityGroups", []))
            change = modifying(resource, {"SecurityGroups": (old, groups)})
            request = {"LoadBalancerArn": arn, "SecurityGroups": groups}
            self.send("set_security_groups", request, change)
        if lb.get("IpAddressType", "ipv4") != ip_type:
            change = modifying(resource, {"IpAddressType": (lb.get("IpAddressType"), ip_type)})
            request = {"LoadBalancerArn": arn, "IpAddressType": ip_type}
            self.send("set_ip_address_type", request, change)
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
            change = deleting(
                load_balancer(name),
                {"Type": lb.get("Type"), "Scheme": lb.get("Scheme"), "DNSName": lb.get("DNSName")},
            )
            self.send("delete_load_balancer", {"LoadBalancerArn": lb["LoadBalancerArn"]}, change)

    def wait_active(self, arn: str, seconds: float) -> dict[str, Any]:
        """Poll until the load balancer leaves ``provisioning`` (for at most ``seconds``).
        One a plan would create is not polled: it is as the pass would report it once ELBv2
        made it active, what the wait is for (its DNS name still known after apply)."""
        if not exists(arn):
            lb = next(lb for lb in self.inv.lbs.values() if lb["LoadBalancerArn"] == arn)
            return {**lb, "State": {"Code": "active"}}

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
        self.find_detached()
        for name, lb in list(self.inv.lbs.items()):
            arn = lb["LoadBalancerArn"]
            if self.inv.mine(arn, self.cluster) and self.inv.gateway_of(arn) == gateway:
                self.delete_load_balancer(name)
        self.delete_target_groups(gateway, keep=set())
        self.groups.delete(gateway, wait=wait)


def _load_balancer_create(
    spec: LoadBalancerSpec, params: dict[str, Any], subnets: list[str], tags: dict[str, str]
) -> Write:
    """The create of a load balancer; in a plan, it is as the request says and as ELBv2
    starts every new one (``provisioning``), its ARN and DNS name known after apply."""
    resource = load_balancer(spec.name)
    zones: list[dict[str, Any]] = [{"SubnetId": s} for s in subnets]
    for zone, allocation in zip(zones, spec.allocations, strict=False):
        zone["LoadBalancerAddresses"] = [{"AllocationId": allocation}]
    dns = pending(f"DNSName of {resource}")
    planned = {
        "LoadBalancerName": spec.name,
        "LoadBalancerArn": pending(f"LoadBalancerArn of {resource}"),
        "DNSName": dns,
        "Scheme": spec.scheme,
        "Type": spec.lb_type,
        "IpAddressType": params["IpAddressType"],
        "SecurityGroups": list(params["SecurityGroups"]),
        "AvailabilityZones": zones,
        "State": {"Code": "provisioning"},
    }
    values: dict[str, Any] = {
        "Type": spec.lb_type,
        "Scheme": spec.scheme,
        "IpAddressType": params["IpAddressType"],
        "Subnets": subnets,
        "ElasticIPs": list(spec.allocations) or None,
        "SecurityGroups": list(params["SecurityGroups"]),
        "Tags": tags,
        "DNSName": dns,
    }
    change = creating(resource, values)
    return Write(ELBV2, "create_load_balancer", params, (change,), ("LoadBalancers", 0), planned)

"""Application Load Balancer provider: ensure an ``AlbSpec`` exists in AWS, delete what a
removed Gateway left, list what this cluster owns.

Reads first, then the fewest writes: nothing is written when AWS already matches. Everything
is created with this cluster's owner tags in the create call itself, and nothing lacking
them is modified or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from tenacity import retry, retry_if_result, stop_after_delay, wait_exponential

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason
from awsgw.core.findings import Failure, GatewayObservation, ListenerProblem
from awsgw.providers.aws.alb.capabilities import ALB
from awsgw.providers.aws.alb.plan.compile import (
    AlbLimits,
    AlbSpec,
    ListenerSpec,
    TargetGroupSpec,
    compile_alb,
)
from awsgw.providers.aws.alb.plan.rules import DesiredRule, ExistingRule, plan_rules
from awsgw.providers.aws.alb.plan.shapes import (
    actions_api,
    actions_canon,
    conditions_api,
    conditions_canon,
    transforms_api,
    transforms_canon,
)
from awsgw.providers.aws.common.certificates import Certificates, error_message, refused_by_acm
from awsgw.providers.aws.common.network import (
    NetworkError,
    SecurityGroups,
    find_subnets,
    find_vpc,
)
from awsgw.providers.aws.common.session import Aws, failure_of
from awsgw.providers.aws.common.tags import (
    BACKEND_TAG,
    CLUSTER_TAG,
    GATEWAY_TAG,
    owner_tags,
    tag_list,
)
from awsgw.providers.aws.elbv2.describe import all_rules, tags_of
from awsgw.providers.base import DataPlane, PassScope, Plan

DEFAULT_404 = (("fixed-response", "404"),)


class Conflict(Exception):
    """A resource awsgw would use exists but is not owned by this cluster."""


@dataclass
class Inventory:
    """One read of the account's load balancers and target groups, with their tags."""

    lbs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)


class AlbProvider(DataPlane[AlbSpec, None]):
    """ELBv2 Application Load Balancers for the ``awsgw.io/alb`` GatewayClass."""

    def __init__(
        self,
        aws: Aws,
        cluster: str,
        vpc_id: str | None = None,
        limits: AlbLimits | None = None,
        wait_active: float = 0.0,
    ) -> None:
        self.aws = aws
        self.wait_active = wait_active
        """Seconds ``ensure`` may wait for a new load balancer to become active."""
        self.limits = limits or AlbLimits()
        self.cluster = cluster
        self._vpc = vpc_id
        self.elbv2 = aws.client("elbv2")
        self.groups = SecurityGroups(aws, cluster)
        self.certificates = Certificates(aws, cluster)
        self.inventory = Inventory()
        self.certificates_in_use: set[str] = set()
        self.refused: list[ListenerProblem] = []
        """Gateway listeners whose certificate ACM refused, in the current ``ensure``."""

    @property
    def capabilities(self) -> Capabilities:
        return ALB

    # ------------------------------------------------------------------ reads
    def read(self, scope: PassScope) -> list[Failure]:
        """Read every load balancer and target group once (one pass of a reconcile)."""
        try:
            self._read()
        except (ClientError, BotoCoreError) as exc:
            return [failure_of(exc, where="AWS", prefix="ALB: ")]
        return []

    def _read(self) -> None:
        inv = Inventory()
        for page in self.elbv2.get_paginator("describe_load_balancers").paginate():
            for lb in page["LoadBalancers"]:
                if lb.get("Type") == "application":
                    inv.lbs[lb["LoadBalancerName"]] = lb
        for page in self.elbv2.get_paginator("describe_target_groups").paginate():
            for tg in page["TargetGroups"]:
                inv.tgs[tg["TargetGroupName"]] = tg
        arns = [lb["LoadBalancerArn"] for lb in inv.lbs.values()]
        arns += [tg["TargetGroupArn"] for tg in inv.tgs.values()]
        inv.tags = tags_of(self.elbv2, arns)
        self.inventory = inv
        self.certificates_in_use = set()

    def _mine(self, arn: str) -> bool:
        return self.inventory.tags.get(arn, {}).get(CLUSTER_TAG) == self.cluster

    def owned(self) -> set[str]:
        """Gateway keys that own a load balancer, target group or security group here."""
        keys = set()
        for res in [*self.inventory.lbs.values(), *self.inventory.tgs.values()]:
            arn = res.get("LoadBalancerArn") or res.get("TargetGroupArn", "")
            tags = self.inventory.tags.get(arn, {})
            if tags.get(CLUSTER_TAG) == self.cluster and GATEWAY_TAG in tags:
                keys.add(tags[GATEWAY_TAG])
        return keys | self.groups.owned_gateways()

    def vpc(self) -> str:
        if self._vpc is None:
            self._vpc = find_vpc(self.aws, self.cluster)
        return self._vpc

    # ------------------------------------------------------------------ plan and apply
    def plan(self, scope: PassScope) -> Plan[AlbSpec, None]:
        """Pure: the ALB each Gateway needs, and the Route rules it cannot express."""
        specs = {
            key: compile_alb(model, self.cluster, self.limits)
            for key, model in scope.gateways.items()
        }
        problems = tuple(p for spec in specs.values() for p in spec.findings)
        return Plan(specs, None, problems)

    def apply_shared(self, plan: Plan[AlbSpec, None]) -> list[Failure]:
        return []  # every ALB resource belongs to one Gateway

    def apply(self, spec: AlbSpec, plan: Plan[AlbSpec, None]) -> GatewayObservation:
        """Make AWS match the spec; report address and programmed state."""
        if spec.error:
            return GatewayObservation(spec.gateway, False, Reason.INVALID, spec.error)
        self.refused = []
        try:
            lb = self._ensure_load_balancer(spec)
            arns = self._ensure_target_groups(spec)
            self._ensure_listeners(spec, lb["LoadBalancerArn"], arns)
            self._delete_target_groups(spec.gateway, keep=set(arns.values()))
        except (NetworkError, Conflict) as exc:
            return GatewayObservation(spec.gateway, False, Reason.INVALID, str(exc))
        except ClientError as exc:
            failure = failure_of(exc, gateway=spec.gateway, prefix="AWS error: ")
            return GatewayObservation(
                spec.gateway, False, Reason.PENDING, failure.message, failure=failure
            )
        if lb.get("State", {}).get("Code", "active") != "active" and self.wait_active > 0:
            lb = self._wait_active(lb["LoadBalancerArn"])
        state = lb.get("State", {}).get("Code", "active")
        if state != "active":
            return GatewayObservation(
                spec.gateway,
                False,
                Reason.PENDING,
                f"load balancer is {state}",
                lb.get("DNSName"),
            )
        return GatewayObservation(
            spec.gateway,
            True,
            Reason.PROGRAMMED,
            "Load balancer is active",
            lb["DNSName"],
            listeners=tuple(self.refused),
        )

    def _wait_active(self, arn: str) -> dict[str, Any]:
        """Poll until the load balancer leaves ``provisioning`` (bounded by wait_active)."""

        @retry(
            retry=retry_if_result(lambda lb: lb.get("State", {}).get("Code") == "provisioning"),
            stop=stop_after_delay(self.wait_active),
            wait=wait_exponential(multiplier=1, max=15),
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else {},
        )
        def describe() -> dict[str, Any]:
            found = self.elbv2.describe_load_balancers(LoadBalancerArns=[arn])
            lb: dict[str, Any] = found["LoadBalancers"][0]
            return lb

        result: dict[str, Any] = describe()
        return result

    def _ensure_load_balancer(self, spec: AlbSpec) -> dict[str, Any]:
        vpc = self.vpc()
        subnets = find_subnets(self.aws, vpc, self.cluster, spec.scheme)
        ports = sorted(ls.port for ls in spec.listeners)
        sg = self.groups.ensure(spec.gateway, spec.name, vpc, ports)
        lb = self.inventory.lbs.get(spec.name)
        if lb is not None and not self._mine(lb["LoadBalancerArn"]):
            raise Conflict(f"load balancer {spec.name} exists and is not owned by this cluster")
        if lb is not None and lb["Scheme"] != spec.scheme:  # immutable: replace
            self.elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
            lb = None
        if lb is None:
            created: dict[str, Any] = self.elbv2.create_load_balancer(
                Name=spec.name,
                Subnets=subnets,
                SecurityGroups=[sg],
                Scheme=spec.scheme,
                Type="application",
                IpAddressType="ipv4",
                Tags=tag_list(owner_tags(self.cluster, spec.gateway)),
            )["LoadBalancers"][0]
            self.inventory.lbs[spec.name] = created
            self.inventory.tags[created["LoadBalancerArn"]] = owner_tags(self.cluster, spec.gateway)
            return created
        have = sorted(az["SubnetId"] for az in lb.get("AvailabilityZones", []))
        if have != subnets:
            self.elbv2.set_subnets(LoadBalancerArn=lb["LoadBalancerArn"], Subnets=subnets)
        if sorted(lb.get("SecurityGroups", [])) != [sg]:
            self.elbv2.set_security_groups(
                LoadBalancerArn=lb["LoadBalancerArn"], SecurityGroups=[sg]
            )
        return lb

    def _ensure_target_groups(self, spec: AlbSpec) -> dict[str, str]:
        arns = {}
        for name, tg in spec.target_groups.items():
            have = self.inventory.tgs.get(name)
            if have is not None and not self._mine(have["TargetGroupArn"]):
                raise Conflict(f"target group {name} exists and is not owned by this cluster")
            created = have is None
            if have is None:
                have = self._create_target_group(spec, tg)
            arns[name] = have["TargetGroupArn"]
            self._sync_targets(have["TargetGroupArn"], tg, created=created)
        return arns

    def _create_target_group(self, spec: AlbSpec, tg: TargetGroupSpec) -> dict[str, Any]:
        tags = owner_tags(self.cluster, spec.gateway, **{BACKEND_TAG: tg.backend})
        created: dict[str, Any] = self.elbv2.create_target_group(
            Name=tg.name,
            Protocol="HTTP",
            ProtocolVersion="HTTP1",
            Port=tg.port,
            VpcId=self.vpc(),
            TargetType="ip",
            Tags=tag_list(tags),
        )["TargetGroups"][0]
        self.inventory.tgs[tg.name] = created
        self.inventory.tags[created["TargetGroupArn"]] = tags
        return created

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

    def _certificate_arns(self, ls: ListenerSpec) -> list[str]:
        """ACM ARNs of the port's certificates; a certificate ACM refuses is left out and
        its Gateway listeners are reported (``refused``), the rest go on."""
        arns = []
        for cert in ls.certificates:
            try:
                arns.append(self.certificates.arn_for(cert))
            except ClientError as exc:
                if not refused_by_acm(exc):
                    raise
                secret = f"{cert.namespace}/{cert.name}"
                message = f"Secret {secret}: ACM refused the certificate: {error_message(exc)}"
                for listener in ls.certificate_listeners.get(secret, []):
                    self.refused.append(
                        ListenerProblem(listener, Reason.INVALID_CERTIFICATE_REF, message)
                    )
        self.certificates_in_use.update(arns)
        return arns

    def _ensure_listeners(self, spec: AlbSpec, lb_arn: str, tg_arns: dict[str, str]) -> None:
        names = {arn: name for name, arn in tg_arns.items()}
        names.update({tg["TargetGroupArn"]: n for n, tg in self.inventory.tgs.items()})
        existing = {
            ls["Port"]: ls
            for page in self.elbv2.get_paginator("describe_listeners").paginate(
                LoadBalancerArn=lb_arn
            )
            for ls in page["Listeners"]
        }
        listener_tags = tags_of(self.elbv2, [ls["ListenerArn"] for ls in existing.values()])
        for want in spec.listeners:
            certs = self._certificate_arns(want) if want.protocol == "HTTPS" else []
            have = existing.pop(want.port, None)
            if want.protocol == "HTTPS" and not certs:
                continue  # every certificate refused: the listener stays as it is
            if (
                have is not None
                and listener_tags.get(have["ListenerArn"], {}).get(CLUSTER_TAG) != self.cluster
            ):
                raise Conflict(f"listener on port {want.port} is not owned by this cluster")
            if have is None:
                kwargs: dict[str, Any] = {
                    "LoadBalancerArn": lb_arn,
                    "Protocol": want.protocol,
                    "Port": want.port,
                    "DefaultActions": actions_api(DEFAULT_404, tg_arns),
                    "Tags": tag_list(owner_tags(self.cluster, spec.gateway)),
                }
                if certs:
                    kwargs["Certificates"] = [{"CertificateArn": certs[0]}]
                arn = self.elbv2.create_listener(**kwargs)["Listeners"][0]["ListenerArn"]
                current: list[ExistingRule] = []
            else:
                arn = have["ListenerArn"]
                self._modify_listener(have, want, certs, tg_arns, names)
                current = self._rules(arn, names)
            if len(certs) > 1 or (have is not None and want.protocol == "HTTPS"):
                self._sync_sni(arn, certs)
            self._apply_rules(arn, current, want, tg_arns)
        for stale in existing.values():
            if listener_tags.get(stale["ListenerArn"], {}).get(CLUSTER_TAG) == self.cluster:
                self.elbv2.delete_listener(ListenerArn=stale["ListenerArn"])

    def _modify_listener(
        self,
        have: dict[str, Any],
        want: ListenerSpec,
        certs: list[str],
        tg_arns: dict[str, str],
        names: dict[str, str],
    ) -> None:
        changes: dict[str, Any] = {}
        if have["Protocol"] != want.protocol:
            changes["Protocol"] = want.protocol
        if actions_canon(have.get("DefaultActions", []), names) != DEFAULT_404:
            changes["DefaultActions"] = actions_api(DEFAULT_404, tg_arns)
        have_default = [c["CertificateArn"] for c in have.get("Certificates", [])][:1]
        if certs and have_default != certs[:1]:
            changes["Certificates"] = [{"CertificateArn": certs[0]}]
        if changes:
            self.elbv2.modify_listener(ListenerArn=have["ListenerArn"], **changes)

    def _sync_sni(self, arn: str, certs: list[str]) -> None:
        listed = self.elbv2.describe_listener_certificates(ListenerArn=arn)["Certificates"]
        have = {c["CertificateArn"] for c in listed if not c.get("IsDefault")}
        want = set(certs[1:])
        if want - have:
            self.elbv2.add_listener_certificates(
                ListenerArn=arn, Certificates=[{"CertificateArn": a} for a in sorted(want - have)]
            )
        if have - want:
            self.elbv2.remove_listener_certificates(
                ListenerArn=arn, Certificates=[{"CertificateArn": a} for a in sorted(have - want)]
            )

    def _rules(self, listener_arn: str, names: dict[str, str]) -> list[ExistingRule]:
        rules = [r for r in all_rules(self.elbv2, listener_arn) if not r.get("IsDefault")]
        tags = tags_of(self.elbv2, [r["RuleArn"] for r in rules])
        return [
            ExistingRule(
                arn=r["RuleArn"],
                priority=int(r["Priority"]),
                conditions=conditions_canon(r.get("Conditions", [])),
                actions=actions_canon(r.get("Actions", []), names),
                owned=tags.get(r["RuleArn"], {}).get(CLUSTER_TAG) == self.cluster,
                transforms=transforms_canon(r.get("Transforms")),
            )
            for r in rules
        ]

    def _apply_rules(
        self,
        listener_arn: str,
        current: list[ExistingRule],
        want: ListenerSpec,
        tg_arns: dict[str, str],
    ) -> None:
        desired = [DesiredRule(r.conditions, r.actions, r.transforms) for r in want.rules]
        plan = plan_rules(current, desired)
        tags = tag_list({CLUSTER_TAG: self.cluster})
        for arn, rule, with_conditions in plan.modify:
            kwargs: dict[str, Any] = {"RuleArn": arn, "Actions": actions_api(rule.actions, tg_arns)}
            if with_conditions:
                kwargs["Conditions"] = conditions_api(rule.conditions)
            if rule.transforms:
                kwargs["Transforms"] = transforms_api(rule.transforms)
            else:
                kwargs["ResetTransforms"] = True
            self.elbv2.modify_rule(**kwargs)
        if plan.renumber:
            for arn in plan.delete:
                self.elbv2.delete_rule(RuleArn=arn)
        if plan.set_priorities:
            self.elbv2.set_rule_priorities(
                RulePriorities=[
                    {"RuleArn": a, "Priority": p} for a, p in sorted(plan.set_priorities.items())
                ]
            )
        for priority, rule in plan.create:
            extra = {"Transforms": transforms_api(rule.transforms)} if rule.transforms else {}
            self.elbv2.create_rule(
                ListenerArn=listener_arn,
                Priority=priority,
                Conditions=conditions_api(rule.conditions),
                Actions=actions_api(rule.actions, tg_arns),
                Tags=tags,
                **extra,
            )
        if not plan.renumber:
            for arn in plan.delete:
                self.elbv2.delete_rule(RuleArn=arn)

    def _delete_target_groups(self, gateway: str, keep: set[str]) -> None:
        for name, tg in list(self.inventory.tgs.items()):
            arn = tg["TargetGroupArn"]
            tags = self.inventory.tags.get(arn, {})
            if self._mine(arn) and tags.get(GATEWAY_TAG) == gateway and arn not in keep:
                self.elbv2.delete_target_group(TargetGroupArn=arn)
                del self.inventory.tgs[name]

    # ------------------------------------------------------------------ delete
    def delete(self, gateway: str, plan: Plan[AlbSpec, None]) -> None:
        """Remove every resource this cluster owns for a Gateway: listeners and the load
        balancer, then target groups, then the security group."""
        for name, lb in list(self.inventory.lbs.items()):
            arn = lb["LoadBalancerArn"]
            if self._mine(arn) and self.inventory.tags[arn].get(GATEWAY_TAG) == gateway:
                self.elbv2.delete_load_balancer(LoadBalancerArn=arn)
                del self.inventory.lbs[name]
        self._delete_target_groups(gateway, keep=set())
        self.groups.delete(gateway, wait=self.wait_active)

    def collect(self, plan: Plan[AlbSpec, None]) -> None:
        """After a full pass: delete imported certificates no listener uses any more."""
        self.certificates.delete_unused(self.certificates_in_use)

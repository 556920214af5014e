"""Application Load Balancer data plane: make AWS match each Gateway's ``AlbSpec`` on the
shared ELBv2 base (load balancer, target groups, listeners with certificates), then its
listener rules; delete what a removed Gateway left; list what this cluster owns.

Reads first, then the fewest writes: nothing is written when AWS already matches. Everything
is created with this cluster's owner tags in the create call itself, and nothing lacking
them is modified or deleted.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason
from awsgw.core.findings import Failure, GatewayObservation
from awsgw.providers.aws.alb.capabilities import ALB
from awsgw.providers.aws.alb.listener_rules import apply_rules, live_rules
from awsgw.providers.aws.alb.plan.compile import AlbSpec, compile_alb, lb_name
from awsgw.providers.aws.alb.plan.shapes import actions_api, actions_canon
from awsgw.providers.aws.alb.plan.values import NOT_FOUND, AlbLimits
from awsgw.providers.aws.common.certificates import Certificates
from awsgw.providers.aws.common.network import NetworkError, SecurityGroups, find_vpc
from awsgw.providers.aws.common.session import Aws, failure_of
from awsgw.providers.aws.common.tags import Conflict
from awsgw.providers.aws.elbv2.configuration import InvalidConfiguration
from awsgw.providers.aws.elbv2.inventory import ElbInventory, read_gateway, read_inventory
from awsgw.providers.aws.elbv2.listeners import Listeners, ListenerWant, listener_policies
from awsgw.providers.aws.elbv2.load_balancers import LoadBalancers
from awsgw.providers.aws.elbv2.plan.specs import LoadBalancerSpec
from awsgw.providers.aws.elbv2.replacement import Fixed, replacement
from awsgw.providers.base import DataPlane, PassScope, Plan

AlbPlan = Plan[AlbSpec, None]


class AlbProvider(DataPlane[AlbSpec, None]):
    """ELBv2 Application Load Balancers for the ``awsgw.io/alb`` GatewayClass."""

    def __init__(
        self,
        aws: Aws,
        cluster: str,
        vpc_id: str | None = None,
        limits: AlbLimits | None = None,
        wait_active: float = 0.0,
        plane: str | None = None,
    ) -> None:
        """``plane``: the ``awsgw.io/plane`` tag of what it owns (None: the ALB data plane's
        own; the NLB data plane runs its chained ALBs through one with ``nlb``)."""
        self.aws = aws
        self.plane = plane
        self.wait_active = wait_active
        """Seconds ``apply`` may wait for a new load balancer to become active."""
        self.limits = limits or AlbLimits()
        self.cluster = cluster
        self._vpc = vpc_id
        self.elbv2 = aws.client("elbv2")
        self.groups = SecurityGroups(aws, cluster, plane=plane)
        self.certificates = Certificates(aws, cluster, purpose=plane)
        self.partial = False
        """This pass (a full one) programs some of the Gateways only (``PassScope.partial``)."""
        self.use_inventory(ElbInventory(plane))

    def use_inventory(self, inventory: ElbInventory) -> None:
        """Start a pass on what was read of ELBv2."""
        self.inventory = inventory
        self.certificates.new_pass()
        self.groups.new_pass()
        self.lbs = LoadBalancers(self.aws, self.cluster, inventory, self.groups, self.vpc)
        self.listeners = Listeners(self.aws, self.cluster, self.certificates, inventory)

    @property
    def capabilities(self) -> Capabilities:
        return ALB

    def vpc(self) -> str:
        if self._vpc is None:
            self._vpc = find_vpc(self.aws, self.cluster)
        return self._vpc

    # ------------------------------------------------------------------ read and plan
    def read(self, scope: PassScope) -> list[Failure]:
        """Read the pass's share of ELBv2 once: every application load balancer and target
        group on a full pass, the Gateway's own on a pass over one Gateway."""
        self.partial = scope.partial
        try:
            if scope.only is None:
                inventory = read_inventory(self.elbv2, ("application",), self.plane)
            else:
                names = [lb_name(self.cluster, scope.only)]
                inventory = read_gateway(
                    self.elbv2, scope.only, ("application",), names, self.plane
                )
            self.use_inventory(inventory)
        except (ClientError, BotoCoreError) as exc:
            return [failure_of(exc, where="AWS", prefix="ALB: ")]
        return []

    def owned(self) -> set[str]:
        """Gateway keys that own a load balancer, target group or security group here (of
        the one Gateway only, when the pass read no more)."""
        owned = self.inventory.owned_gateways(self.cluster)
        gateway = self.inventory.gateway
        if gateway is None:
            return owned | self.groups.owned_gateways()
        if gateway not in owned and self.groups.find(gateway) is not None:
            owned.add(gateway)
        return owned

    def plan(self, scope: PassScope) -> AlbPlan:
        """Pure: the ALB each Gateway needs, and the Route rules it cannot express."""
        specs = {
            key: compile_alb(model, self.cluster, self.limits)
            for key, model in scope.gateways.items()
        }
        problems = tuple(p for spec in specs.values() for p in spec.findings)
        return Plan(specs, None, problems)

    # ------------------------------------------------------------------ apply
    def apply_shared(self, plan: AlbPlan) -> list[Failure]:
        return []  # every ALB resource belongs to one Gateway

    def apply(self, spec: AlbSpec, plan: AlbPlan) -> GatewayObservation:
        """Make AWS match the spec; report address and programmed state."""
        if spec.error:
            return GatewayObservation(spec.gateway, False, Reason.INVALID, spec.error)
        self.listeners.reset()
        ports = tuple(ls.port for ls in spec.listeners)
        try:
            lb_spec = LoadBalancerSpec(
                spec.gateway, spec.name, "application", spec.scheme, ports,
                parameters=spec.parameters,
            )  # fmt: skip
            fixed = Fixed(spec.scheme)
            replacing = replacement(self.lbs, spec.name, "application", fixed, spec.parameters)
            if replacing is not None:
                return GatewayObservation(spec.gateway, False, Reason.PENDING, replacing)
            lb, arns = self.program(spec, lb_spec)
            self.lbs.delete_target_groups(spec.gateway, keep=set(arns.values()))
        except (NetworkError, Conflict, InvalidConfiguration) as exc:
            return GatewayObservation(spec.gateway, False, Reason.INVALID, str(exc))
        except ClientError as exc:
            failure = failure_of(exc, gateway=spec.gateway, prefix="AWS error: ")
            return GatewayObservation(
                spec.gateway, False, Reason.PENDING, failure.message, failure=failure
            )
        if lb.get("State", {}).get("Code", "active") != "active" and self.wait_active > 0:
            lb = self.lbs.wait_active(lb["LoadBalancerArn"], self.wait_active)
        state = lb.get("State", {}).get("Code", "active")
        if state != "active":
            message = f"load balancer is {state}"
            return GatewayObservation(
                spec.gateway, False, Reason.PENDING, message, lb.get("DNSName")
            )
        return GatewayObservation(
            spec.gateway,
            True,
            Reason.PROGRAMMED,
            "Load balancer is active",
            lb["DNSName"],
            listeners=tuple(self.listeners.refused),
        )

    def program(
        self, spec: AlbSpec, lb_spec: LoadBalancerSpec
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The ALB of ``lb_spec`` serving ``spec``: load balancer, target groups, listeners
        and their rules (stale target groups are the caller's to delete, once nothing
        forwards to them). The load balancer and target group name → ARN."""
        lb = self.lbs.ensure(lb_spec)
        tags = lb_spec.user_tags
        arns = self.lbs.ensure_target_groups(spec.gateway, spec.target_groups, tags)
        listeners = self._ensure_listeners(spec, lb["LoadBalancerArn"], arns)
        self.lbs.configure(lb, lb_spec.parameters, listeners)
        return lb, arns

    def _ensure_listeners(
        self, spec: AlbSpec, lb_arn: str, tg_arns: dict[str, str]
    ) -> dict[str, dict[str, str]]:
        """The listeners and their rules; ARN → tags of those that existed before."""
        names = {arn: name for name, arn in tg_arns.items()}
        names.update({tg["TargetGroupArn"]: n for n, tg in self.inventory.tgs.items()})
        live = self.listeners.live(lb_arn)
        for want in spec.listeners:
            certs = (
                self.listeners.certificate_arns(want.certificates, want.certificate_listeners)
                if want.protocol == "HTTPS"
                else []
            )
            if want.protocol == "HTTPS" and not certs:
                continue  # every certificate refused: the listener stays as it is
            have = self.listeners.check_owned(live, want.port)
            wanted = ListenerWant(
                want.port,
                want.protocol,
                actions_api(NOT_FOUND, tg_arns),
                certs,
                tags=dict(spec.parameters.tags),
                **listener_policies(spec.parameters, want.port),
            )
            arn = self.listeners.ensure(
                lb_arn,
                spec.gateway,
                wanted,
                have,
                lambda actions: actions_canon(actions, names) == NOT_FOUND,
            )
            current = live_rules(self.elbv2, arn, names, self.cluster) if have else []
            user_tags = dict(spec.parameters.tags)
            listener = self.inventory.resource(arn)
            apply_rules(self.aws, self.cluster, listener, arn, current, want, tg_arns, user_tags)
        kept = {ls.port for ls in spec.listeners}
        self.listeners.delete_stale(live, kept=kept)
        return live.tags_of(kept)

    # ------------------------------------------------------------------ delete
    def delete(self, gateway: str, plan: AlbPlan) -> None:
        """Remove every resource this cluster owns for a Gateway: listeners and the load
        balancer, then target groups, then the security group."""
        self.lbs.delete(gateway, wait=self.wait_active)

    def collect(self, plan: AlbPlan) -> None:
        """After a full pass: delete imported certificates no listener uses any more."""
        self.collect_certificates()

    def collect_certificates(self) -> None:
        """Delete imported certificates no listener uses any more: the pass's listeners say
        which, and after a partial pass the listeners of every owned load balancer too."""
        in_use = self.listeners.in_use
        if self.partial:
            owned = self.inventory.owned_load_balancers(self.cluster)
            in_use = in_use | self.listeners.certificates_of(owned)
        self.certificates.delete_unused(in_use)

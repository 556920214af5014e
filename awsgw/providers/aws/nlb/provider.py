"""Network Load Balancer data plane: make AWS match each Gateway's ``NlbSpec`` on the shared
ELBv2 base — the ALB chained behind it first (when the Gateway has HTTP or HTTPS
listeners), then the NLB with its security group, target groups and listeners — and delete
what is no longer wanted in the order ELBv2 allows.

Everything it creates carries the owner tags and ``awsgw.io/plane: nlb``, so the ALB data
plane never counts the chained ALB or its target groups as its own, nor the reverse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason
from awsgw.core.findings import Failure, GatewayObservation
from awsgw.providers.aws.alb.plan.values import AlbLimits
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.common.network import NetworkError
from awsgw.providers.aws.common.session import Aws, failure_of
from awsgw.providers.aws.common.tags import Conflict
from awsgw.providers.aws.elbv2.configuration import InvalidConfiguration
from awsgw.providers.aws.elbv2.inventory import read_gateway, read_inventory
from awsgw.providers.aws.elbv2.listeners import ListenerWant, listener_policies
from awsgw.providers.aws.elbv2.plan.specs import LoadBalancerSpec
from awsgw.providers.aws.elbv2.replacement import Fixed, replacement
from awsgw.providers.aws.nlb.addresses import AddressProblem, StaticAddresses
from awsgw.providers.aws.nlb.capabilities import NLB
from awsgw.providers.aws.nlb.plan.compile import (
    NLB_PLANE,
    NlbLimits,
    NlbListener,
    NlbSpec,
    chained_name,
    compile_nlb,
    nlb_name,
)
from awsgw.providers.aws.nlb.plan.shapes import forward_api, forward_canon
from awsgw.providers.base import DataPlane, PassScope, Plan

NlbPlan = Plan[NlbSpec, None]


class NlbProvider(DataPlane[NlbSpec, None]):
    """ELBv2 Network Load Balancers (and their chained ALBs) for ``awsgw.io/nlb``."""

    def __init__(
        self,
        aws: Aws,
        cluster: str,
        vpc_id: str | None = None,
        limits: NlbLimits | None = None,
        alb_limits: AlbLimits | None = None,
        wait_active: float = 0.0,
    ) -> None:
        self.aws = aws
        self.cluster = cluster
        self.limits = limits or NlbLimits()
        self.alb_limits = alb_limits or AlbLimits()
        self.wait_active = wait_active
        self.elbv2 = aws.client("elbv2")
        self.alb = AlbProvider(aws, cluster, vpc_id, self.alb_limits, wait_active, NLB_PLANE)
        """The chained ALBs: the ALB data plane's code, this data plane's resources."""
        self.addresses = StaticAddresses(aws)

    @property
    def capabilities(self) -> Capabilities:
        return NLB

    # ------------------------------------------------------------------ read and plan
    def read(self, scope: PassScope) -> list[Failure]:
        """Read the pass's share of ELBv2 once: every network and application load balancer
        and target group on a full pass, the Gateway's NLB and chained ALB on a pass over
        one Gateway."""
        types = ("network", "application")
        self.alb.partial = scope.partial
        try:
            if scope.only is None:
                inventory = read_inventory(self.elbv2, types, NLB_PLANE)
            else:
                only = scope.only
                names = [nlb_name(self.cluster, only), chained_name(self.cluster, only)]
                inventory = read_gateway(self.elbv2, only, types, names, NLB_PLANE)
        except (ClientError, BotoCoreError) as exc:
            return [failure_of(exc, where="AWS", prefix="NLB: ")]
        self.alb.use_inventory(inventory)
        return []

    def owned(self) -> set[str]:
        return self.alb.owned()

    def plan(self, scope: PassScope) -> NlbPlan:
        specs = {
            key: compile_nlb(model, self.cluster, self.limits, self.alb_limits)
            for key, model in scope.gateways.items()
        }
        problems = tuple(p for spec in specs.values() for p in spec.findings)
        return Plan(specs, None, problems)

    # ------------------------------------------------------------------ apply
    def apply_shared(self, plan: NlbPlan) -> list[Failure]:
        return []  # every NLB resource belongs to one Gateway

    def apply(self, spec: NlbSpec, plan: NlbPlan) -> GatewayObservation:
        if spec.error:
            return GatewayObservation(spec.gateway, False, Reason.INVALID, spec.error)
        self.alb.listeners.reset()
        try:
            allocations = self.addresses.allocations(spec.addresses, self._current(spec))
            wanted = Fixed(spec.scheme, allocations)
            replacing = replacement(self.alb.lbs, spec.name, "network", wanted, spec.parameters)
            if replacing is not None:
                return GatewayObservation(spec.gateway, False, Reason.PENDING, replacing)
            lb, alb_arn = self._program(spec, allocations)
        except AddressProblem as exc:
            return GatewayObservation(spec.gateway, False, Reason.ADDRESS_NOT_USABLE, str(exc))
        except (NetworkError, Conflict, InvalidConfiguration) as exc:
            return GatewayObservation(spec.gateway, False, Reason.INVALID, str(exc))
        except ClientError as exc:
            failure = failure_of(exc, gateway=spec.gateway, prefix="AWS error: ")
            return GatewayObservation(
                spec.gateway, False, Reason.PENDING, failure.message, failure=failure
            )
        for arn in (a for a in (lb["LoadBalancerArn"], alb_arn) if a is not None):
            state = self._wait(arn)
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
            listeners=(*spec.refused, *self.alb.listeners.refused),
            ip_addresses=spec.addresses,
        )

    def _current(self, spec: NlbSpec) -> dict[str, Any] | None:
        lb = self.alb.inventory.lbs.get(spec.name)
        return lb if lb is not None and lb.get("Type") == "network" else None

    def _wait(self, arn: str) -> str:
        lb = next((x for x in self.alb.inventory.lbs.values() if x["LoadBalancerArn"] == arn), {})
        state = str(lb.get("State", {}).get("Code", "active"))
        if state != "active" and self.wait_active > 0:
            lb = self.alb.lbs.wait_active(arn, self.wait_active)
            state = str(lb.get("State", {}).get("Code", "active"))
        return state

    def _program(
        self, spec: NlbSpec, allocations: tuple[str, ...]
    ) -> tuple[dict[str, Any], str | None]:
        """First what would hold the chained ALB's stale listeners (ELBv2 refuses to delete
        an ALB listener whose port an NLB target group still registers the ALB on): stale
        NLB listeners and ALB-type target groups. Then the chained ALB, the NLB, its target
        groups and the listeners of the ports the ALB answers on; last the chained ALB if no
        longer needed, and the target groups nothing forwards to any more."""
        lbs = self.alb.lbs
        tcp, udp = spec.tcp_ports, spec.udp_ports
        current = self._current(spec)
        if current is not None:
            live = self.alb.listeners.live(current["LoadBalancerArn"])
            self.alb.listeners.delete_stale(live, kept={ls.port for ls in spec.listeners})
            wanted = {
                self.alb.inventory.tgs[name]["TargetGroupArn"]
                for name in spec.target_groups
                if name in self.alb.inventory.tgs
            }
            lbs.delete_target_groups(spec.gateway, keep=wanted, target_type="alb")
        alb_arn = None
        kept: set[str] = set()
        targets = dict(spec.target_groups)
        unserved: set[int] = set()
        if spec.chained is not None:
            alb_spec = LoadBalancerSpec(
                spec.gateway, spec.chained.name, "application", "internal", tcp, udp,
                parameters=spec.chained.parameters,
            )  # fmt: skip
            alb, alb_tgs = self.alb.program(spec.chained, alb_spec)
            alb_arn = alb["LoadBalancerArn"]
            kept |= set(alb_tgs.values())
            answering = set(self.alb.listeners.live(alb_arn).by_port)
            # and the listeners this pass made there (what a plan would create is not live)
            answering |= {port for arn, port in self.alb.listeners.ensured if arn == alb_arn}
            for name, tg in list(targets.items()):
                if tg.target_type != "alb":
                    continue
                if tg.port in answering:
                    targets[name] = dataclasses.replace(tg, targets=((alb_arn, tg.port),))
                else:  # its certificates were all refused (reported): nothing to hand over to
                    del targets[name]
                    unserved.add(tg.port)
        nlb = LoadBalancerSpec(
            spec.gateway, spec.name, "network", spec.scheme, tcp, udp, allocations,
            spec.parameters,
        )  # fmt: skip
        lb = lbs.ensure(nlb)
        arns = lbs.ensure_target_groups(spec.gateway, targets, nlb.user_tags)
        kept |= set(arns.values())
        listener_tags = self._ensure_listeners(spec, lb["LoadBalancerArn"], arns, unserved)
        lbs.configure(lb, spec.parameters, listener_tags)
        lbs.delete_target_groups(spec.gateway, keep=kept, target_type="alb")
        if spec.chained is None:
            lbs.delete_load_balancer(chained_name(self.cluster, spec.gateway))
        lbs.delete_target_groups(spec.gateway, keep=kept)
        return lb, alb_arn

    def _ensure_listeners(
        self, spec: NlbSpec, lb_arn: str, arns: dict[str, str], unserved: set[int]
    ) -> dict[str, dict[str, str]]:
        """The NLB's listeners; ARN → tags of those that existed before."""
        listeners = self.alb.listeners
        names = {arn: name for name, arn in arns.items()}
        names.update({tg["TargetGroupArn"]: n for n, tg in self.alb.inventory.tgs.items()})
        live = listeners.live(lb_arn)
        kept = set()
        for want in spec.listeners:
            if want.port in unserved:
                continue  # the chained ALB has no listener there

            certs = (
                listeners.certificate_arns(want.certificates, want.certificate_listeners)
                if want.protocol == "TLS"
                else []
            )
            have = listeners.check_owned(live, want.port)
            if want.protocol == "TLS" and not certs:
                if have is not None:
                    kept.add(want.port)  # every certificate refused: it stays as it is
                continue
            kept.add(want.port)
            wanted = ListenerWant(
                want.port,
                want.protocol,
                forward_api(want.forward, arns),
                certs,
                tags=dict(spec.parameters.tags),
                **listener_policies(spec.parameters, want.port),
            )
            listeners.ensure(lb_arn, spec.gateway, wanted, have, _same_forward(want, names))
        listeners.delete_stale(live, kept=kept)
        return live.tags_of(kept)

    # ------------------------------------------------------------------ delete
    def delete(self, gateway: str, plan: NlbPlan) -> None:
        """Every resource this cluster owns for a Gateway: the NLB (its listeners with it),
        the ALB-type target groups, the chained ALB, the other target groups, and the
        security group."""
        lbs = self.alb.lbs
        inventory = self.alb.inventory
        lbs.find_detached()
        for lb_type in ("network", "application"):
            for name, lb in list(inventory.lbs.items()):
                arn = lb["LoadBalancerArn"]
                if lb.get("Type") == lb_type and inventory.gateway_of(arn) == gateway:
                    lbs.delete_load_balancer(name)
            if lb_type == "network":
                lbs.delete_target_groups(gateway, keep=set(), target_type="alb")
        lbs.delete_target_groups(gateway, keep=set())
        self.alb.groups.delete(gateway, wait=self.wait_active)

    def collect(self, plan: NlbPlan) -> None:
        """After a full pass: delete imported certificates no listener uses any more (the
        NLBs' TLS listeners and the chained ALBs' share the ALB code's set)."""
        self.alb.collect_certificates()


def _same_forward(
    want: NlbListener, names: dict[str, str]
) -> Callable[[list[dict[str, Any]]], bool]:
    """Whether live default actions are the forward the listener wants."""
    return lambda actions: forward_canon(actions, names) == want.forward

"""VPC Lattice provider for the ``awsgw.io/lattice`` GatewayClass.

A Gateway is a service network (created, or adopted by name and then only used) joined by
this cluster's VPC; each Route on Lattice Gateways is one Lattice service, associated with
each parent's network; exported Services publish tagged target groups that Routes in other
clusters forward to (``ServiceImport`` backends). Reads happen once per pass (``read``),
then the fewest writes: nothing is written when AWS already matches. Everything is created
with this cluster's owner tag, and nothing without it is modified or deleted; owned
resources are deleted in dependency order (associations, rules, listeners, services, then
target groups once unused and drained).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason
from awsgw.core.findings import Announcement, Failure, GatewayObservation, RouteNote
from awsgw.providers.aws.common.certificates import Certificates
from awsgw.providers.aws.common.network import NetworkError, find_vpc
from awsgw.providers.aws.common.session import Aws, access_denied, failure_of
from awsgw.providers.aws.common.tags import GATEWAY_TAG, Conflict
from awsgw.providers.aws.common.writes import exists
from awsgw.providers.aws.lattice.capabilities import LATTICE
from awsgw.providers.aws.lattice.inventory import (
    LatticeInventory,
    owns_lattice_resources,
    read_inventory,
)
from awsgw.providers.aws.lattice.networks import Networks
from awsgw.providers.aws.lattice.plan.compile import compile_exports, compile_lattice
from awsgw.providers.aws.lattice.plan.names import DNS_ANNOTATION
from awsgw.providers.aws.lattice.plan.specs import (
    Exported,
    LatticeForward,
    LatticeLimits,
    LatticePlan,
    LatticeTargetGroup,
    ServiceSpec,
)
from awsgw.providers.aws.lattice.services import Services
from awsgw.providers.aws.lattice.targets import TargetGroups
from awsgw.providers.base import DataPlane, PassScope, Plan

log = logging.getLogger("awsgw.lattice")


@dataclass(frozen=True)
class NetworkPlan:
    """One Lattice Gateway's share of the pass: its service network, or why it has none."""

    gateway: str
    network: str
    error: str | None
    tags: tuple[tuple[str, str], ...] = ()
    """A ``LoadBalancerConfiguration``'s tags, on its network and VPC association."""


@dataclass(frozen=True)
class PassPlan:
    """What spans the pass: every Route's service and target group, the exported groups,
    and the Gateways whose resources stay although they are not planned (not accepted)."""

    lattice: LatticePlan
    exports: Mapping[str, LatticeTargetGroup]
    kept: frozenset[str]


LatticeSpec = Plan[NetworkPlan, PassPlan]


class LatticeProvider(DataPlane[NetworkPlan, PassPlan]):
    """Service networks, services and target groups of VPC Lattice."""

    def __init__(
        self,
        aws: Aws,
        cluster: str,
        vpc_id: str | None = None,
        security_groups: tuple[str, ...] | list[str] = (),
        limits: LatticeLimits | None = None,
    ) -> None:
        self.aws = aws
        self.cluster = cluster
        self._vpc = vpc_id
        self.security_groups = sorted(security_groups)
        self.limits = limits or LatticeLimits()
        self.client = aws.client("vpc-lattice")
        self.certificates = Certificates(aws, cluster, purpose="lattice")
        self._forget()

    @property
    def capabilities(self) -> Capabilities:
        return LATTICE

    def _forget(self) -> None:
        self.inv = LatticeInventory()
        self.readable = False
        self.in_use = False
        self.shares = True
        """This pass applies and collects what spans Gateways (exports, unused services and
        target groups): not on one of another data plane's Gateways, nor in a replica's full
        pass when the shared work is another replica's."""
        self.services = Services(self.aws, self.cluster, self.inv)
        self.groups = TargetGroups(self.aws, self.cluster, self.inv)
        self.networks = self._networks()
        self.groups_done: set[str] = set()

    def _networks(self) -> Networks:
        return Networks(self.aws, self.cluster, self.inv, self.vpc, self.security_groups)

    def vpc(self) -> str:
        if self._vpc is None:
            self._vpc = find_vpc(self.aws, self.cluster)
        return self._vpc

    # ------------------------------------------------------------------ read and plan
    def read(self, scope: PassScope) -> list[Failure]:
        """Read VPC Lattice once for the pass.

        Without a GatewayClass of this controller the cluster does not use VPC Lattice: its
        ServiceExports (another Multi-Cluster Services implementation's, maybe) publish
        nothing, and no Lattice call is made unless a tag-scoped read finds resources this
        cluster still owns there (its Lattice Gateways were removed): those are deleted. An
        account where the controller may not read Lattice is logged once and skipped.

        A pass over another data plane's Gateway reads Lattice only when a tag-scoped read
        finds resources of that Gateway here (its class moved): they are deleted, nothing
        else is written (exports are the Lattice Gateways' and the full pass's)."""
        self._forget()
        # a live Gateway of another data plane (one being deleted is read as before: any
        # data plane may hold its resources, and what they share is re-planned)
        other = scope.only is not None and scope.only not in scope.known and not scope.only_gone
        self.in_use = not other and (scope.has_class or bool(scope.gateways))
        self.shares = not other and scope.shared_work
        try:
            if other and not owns_lattice_resources(self.aws, self.cluster, scope.only):
                return []
            if not other and not self.in_use and not owns_lattice_resources(self.aws, self.cluster):
                return []
            self.inv = read_inventory(self.client, self.cluster, self.vpc())
        except NetworkError as exc:
            return [Failure(str(exc), where="VPC Lattice")]
        except ClientError as exc:
            if not self.in_use and access_denied(exc):
                if self.aws.first_notice("lattice-denied"):
                    log.warning("VPC Lattice is not readable here (%s): skipped", exc)
                return []
            return [failure_of(exc, where="VPC Lattice", prefix="AWS error: ")]
        self.readable = True
        self.services = Services(self.aws, self.cluster, self.inv)
        self.groups = TargetGroups(self.aws, self.cluster, self.inv)
        self.networks = self._networks()
        return []

    def plan(self, scope: PassScope) -> LatticeSpec:
        """Pure: every Lattice Gateway's network and Route services, from the models and
        the export groups every cluster publishes (this one's as it will after this pass)."""
        if not self.readable:
            return Plan({}, PassPlan(LatticePlan(), {}, scope.known))
        exports = compile_exports(scope.exports if self.in_use else (), self.cluster)
        plan = compile_lattice(
            dict(scope.gateways), self.cluster, self._exported_after(exports), self.limits
        )
        networks = {
            key: NetworkPlan(key, name, error, scope.gateways[key].parameters.tags)
            for key, (name, error) in plan.networks.items()
        }
        kept = scope.known - set(scope.gateways)
        return Plan(networks, PassPlan(plan, exports, kept), tuple(plan.findings))

    def _exported_after(self, exports: Mapping[str, LatticeTargetGroup]) -> Exported:
        """Published export groups once this pass's exports are applied: other clusters'
        as read, this cluster's as planned."""
        found: dict[tuple[str, str, int], set[str]] = {}
        for key, names in self.inv.exported().items():
            for name in names:
                own = self.inv.mine(self.inv.groups[name], self.cluster)
                if not own or name in exports:
                    found.setdefault(key, set()).add(name)
        for name, spec in exports.items():
            if spec.export is not None:
                found.setdefault(spec.export, set()).add(name)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    # ------------------------------------------------------------------ apply
    def apply_shared(self, plan: LatticeSpec) -> list[Failure]:
        """Publish the exported Service ports, withdraw those no longer exported."""
        if not self.readable or not self.shares:
            return []
        try:
            for spec in plan.shared.exports.values():
                self.groups.ensure(spec, self.vpc())
            for name in self.groups.owned_unused(set(plan.shared.exports), exports=True):
                self.groups.withdraw(name)
                self.groups.retire(name)
        except (Conflict, NetworkError) as exc:
            return [Failure(str(exc), where="VPC Lattice exports")]
        except ClientError as exc:
            return [failure_of(exc, where="VPC Lattice exports")]
        return []

    def apply(self, desired: NetworkPlan, plan: LatticeSpec) -> GatewayObservation:
        """The service network, this VPC's association, and every Route service on it."""
        gateway, name = desired.gateway, desired.network
        if desired.error:
            return GatewayObservation(gateway, False, Reason.INVALID, desired.error)
        try:
            user_tags = dict(desired.tags)
            network = self.networks.ensure(gateway, name, user_tags)
            problem = self.networks.join(gateway, network, user_tags)
            if problem:
                return GatewayObservation(gateway, False, Reason.INVALID, problem)
            notes = []
            for spec in plan.shared.lattice.services.values():
                if gateway in spec.gateways:
                    live = self._service(spec, plan.shared.lattice)
                    self.services.associate(gateway, network, live, str(spec.route))
                    notes.append(_note(spec, live))
            self._prune_links(gateway, network, plan.shared.lattice)
            self._collect(plan.shared)
        except (Conflict, NetworkError) as exc:
            return GatewayObservation(gateway, False, Reason.INVALID, str(exc))
        except ClientError as exc:
            failure = failure_of(exc, gateway=gateway, prefix="AWS error: ")
            return GatewayObservation(
                gateway, False, Reason.PENDING, failure.message, failure=failure
            )
        message = f"Service network {name} ({network['id']}) is joined by VPC {self.vpc()}"
        return GatewayObservation(gateway, True, Reason.PROGRAMMED, message, routes=tuple(notes))

    def _service(self, spec: ServiceSpec, lattice: LatticePlan) -> dict[str, Any]:
        for listener in spec.listeners:
            actions = [r.action for r in listener.rules]
            if listener.default is not None:
                actions.append(listener.default)
            for action in actions:
                if isinstance(action, LatticeForward):
                    for tg, _ in action.groups:
                        if tg in lattice.target_groups and tg not in self.groups_done:
                            self.groups.ensure(lattice.target_groups[tg], self.vpc())
                            self.groups_done.add(tg)
        certificate = None
        if spec.certificate is not None:
            certificate = self.certificates.arn_for(spec.certificate)
        return self.services.ensure(spec, certificate)

    def _prune_links(self, gateway: str, network: dict[str, Any], lattice: LatticePlan) -> None:
        """Owned associations this Gateway made that it no longer wants."""
        wanted = {
            self.inv.services[s.name]["id"]
            for s in lattice.services.values()
            if gateway in s.gateways and s.name in self.inv.services
        }
        for link in list(self.inv.links.values()):
            if not self.inv.mine(link, self.cluster) or self.inv.tag(link, GATEWAY_TAG) != gateway:
                continue
            if link.get("serviceNetworkId") != network["id"] or link.get("serviceId") not in wanted:
                self.services.disassociate(link["id"])

    # ------------------------------------------------------------------ garbage
    def _collect(self, shared: PassPlan) -> None:
        """Delete owned services no Route wants (unless a not-accepted Gateway still has
        them), then owned local target groups no service uses."""
        wanted = shared.lattice
        for name, svc in list(self.inv.services.items()):
            if not self.inv.mine(svc, self.cluster) or name in wanted.services:
                continue
            links = self.inv.service_links(svc["id"])
            if not any(self.inv.tag(a, GATEWAY_TAG) in shared.kept for a in links):
                self.services.delete(name)
        for name in self.groups.owned_unused(set(wanted.target_groups), exports=False):
            self.groups.retire(name)

    def delete(self, gateway: str, plan: LatticeSpec) -> None:
        """Leave a removed Gateway's network: our associations, then the network itself if
        we created it and nobody else (another cluster) still uses it."""
        if not self.readable:
            return
        for link in list(self.inv.links.values()):
            if self.inv.mine(link, self.cluster) and self.inv.tag(link, GATEWAY_TAG) == gateway:
                self.services.disassociate(link["id"])
        networks_wanted = {name for name, _ in plan.shared.lattice.networks.values()}
        for link in list(self.inv.vpc_links.values()):
            mine = self.inv.mine(link, self.cluster) and self.inv.tag(link, GATEWAY_TAG) == gateway
            if mine and link.get("serviceNetworkName") not in networks_wanted:
                self.networks.unlink(link)
        for name, network in list(self.inv.networks.items()):
            mine = self.inv.mine(network, self.cluster)
            ours = mine and self.inv.tag(network, GATEWAY_TAG) == gateway
            if ours and name not in networks_wanted and not self.networks.in_use(network):
                self.networks.delete(name)
        if self.shares:  # not from another data plane's pass: Lattice's own passes plan it
            self._collect(plan.shared)

    def owned(self) -> set[str]:
        """Gateway keys that own a service network or an association here."""
        found = [
            *self.inv.networks.values(),
            *self.inv.vpc_links.values(),
            *self.inv.links.values(),
        ]
        return {
            tag
            for r in found
            if self.inv.mine(r, self.cluster) and (tag := self.inv.tag(r, GATEWAY_TAG)) is not None
        }

    def collect(self, plan: LatticeSpec) -> None:
        """After a full pass: leftovers, and imported certificates no service uses."""
        if not self.readable:
            return
        self._collect(plan.shared)
        in_use = set()
        given = self.services.certificates
        for svc in self.inv.services.values():
            if self.inv.mine(svc, self.cluster):
                ident = svc["id"]
                arn = None
                if exists(ident):  # what the pass gave it wins (a plan did not give it yet)
                    arn = self.client.get_service(serviceIdentifier=ident).get("certificateArn")
                arn = given.get(ident, arn)
                if arn:
                    in_use.add(arn)
        self.certificates.delete_unused(in_use)


def _note(spec: ServiceSpec, live: dict[str, Any]) -> RouteNote:
    dns = (live.get("dnsEntry") or {}).get("domainName", "")
    message = f"VPC Lattice service {spec.name} at {dns}"
    if spec.custom_domain:
        message += f" (custom domain {spec.custom_domain})"
    announce = Announcement(
        DNS_ANNOTATION,
        "LatticeService",
        f"VPC Lattice service DNS name {dns} (annotation {DNS_ANNOTATION})",
    )
    return RouteNote(spec.route, message, ((DNS_ANNOTATION, dns),), announce)

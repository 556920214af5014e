"""VPC Lattice provider for the ``awsgw.io/lattice`` GatewayClass.

A Gateway is a service network (created, or adopted by name and then only used) joined by
this cluster's VPC; each Route on Lattice Gateways is one Lattice service, associated with
each parent's network; exported Services publish tagged target groups that Routes in other
clusters forward to (``ServiceImport`` backends). Reads happen once per pass (``prepare``),
then the fewest writes: nothing is written when AWS already matches. Everything is created
with this cluster's owner tag, and nothing without it is modified or deleted; owned
resources are deleted in dependency order (associations, rules, listeners, services, then
target groups once unused and drained).
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from awsgw.core.attach import RuleProblem
from awsgw.core.model import ExportModel, GatewayModel, PassModel
from awsgw.core.status import GatewayObservation, RouteNote
from awsgw.providers.aws.common.certificates import Certificates
from awsgw.providers.aws.common.network import NetworkError, find_vpc
from awsgw.providers.aws.common.session import Aws, access_denied
from awsgw.providers.aws.common.tags import GATEWAY_TAG, owner_tags
from awsgw.providers.aws.lattice.inventory import (
    Inventory,
    owns_lattice_resources,
    pages,
    read_inventory,
)
from awsgw.providers.aws.lattice.plan.compile import (
    LatticeLimits,
    LatticePlan,
    ServiceSpec,
    compile_exports,
    compile_lattice,
)
from awsgw.providers.aws.lattice.plan.names import DNS_ANNOTATION
from awsgw.providers.aws.lattice.services import Services
from awsgw.providers.aws.lattice.targets import Conflict, TargetGroups

log = logging.getLogger("awsgw.lattice")


class LatticeProvider:
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
        self.refresh()

    # ------------------------------------------------------------------ pass
    def refresh(self) -> None:
        """Forget the previous pass; the reads happen in ``prepare``."""
        self.inv = Inventory()
        self.scope = PassModel({}, frozenset())
        self.plan_all = LatticePlan()
        self.readable = False
        self.services = Services(self.client, self.cluster, self.inv)
        self.groups = TargetGroups(self.client, self.cluster, self.inv)
        self.groups_done: set[str] = set()

    def vpc(self) -> str:
        if self._vpc is None:
            self._vpc = find_vpc(self.aws, self.cluster)
        return self._vpc

    def prepare(self, scope: PassModel) -> list[str]:
        """Read Lattice once, publish or withdraw exports, plan every Lattice Gateway.

        Without a GatewayClass of this controller the cluster does not use VPC Lattice: its
        ServiceExports (another Multi-Cluster Services implementation's, maybe) publish
        nothing, and no Lattice call is made unless a tag-scoped read finds resources this
        cluster still owns there (its Lattice Gateways were removed): those are deleted. An
        account where the controller may not read Lattice is logged once and skipped."""
        in_use = scope.has_class or bool(scope.gateways)
        if not in_use:
            # Not (or no longer) using VPC Lattice: what this cluster still owns there is
            # found by one tag-scoped read and collected as if every Gateway were gone.
            scope = PassModel({}, scope.known)
            try:
                if not owns_lattice_resources(self.aws, self.cluster):
                    return []
            except ClientError as exc:
                if not access_denied(exc):
                    return [f"VPC Lattice: AWS error: {exc}"]
                if self.aws.first_notice("lattice-denied"):
                    log.warning("VPC Lattice is not readable here (%s): skipped", exc)
                return []
        self.scope = scope
        try:
            self.inv = read_inventory(self.client, self.cluster, self.vpc())
        except NetworkError as exc:
            return [f"VPC Lattice: {exc}"]
        except ClientError as exc:
            if not in_use and access_denied(exc):
                if self.aws.first_notice("lattice-denied"):
                    log.warning("VPC Lattice is not readable here (%s): skipped", exc)
                return []
            return [f"VPC Lattice: AWS error: {exc}"]
        self.readable = True
        self.services = Services(self.client, self.cluster, self.inv)
        self.groups = TargetGroups(self.client, self.cluster, self.inv)
        failures = []
        try:
            self._exports(scope.exports)
        except (ClientError, Conflict, NetworkError) as exc:
            failures.append(f"VPC Lattice exports: {exc}")
        self.plan_all = compile_lattice(
            scope.gateways, self.cluster, self.inv.exported(), self.limits
        )
        return failures

    def _exports(self, exports: tuple[ExportModel, ...]) -> None:
        want = compile_exports(exports, self.cluster)
        for spec in want.values():
            self.groups.ensure(spec, self.vpc())
        for name in self.groups.owned_unused(set(want), exports=True):
            self.groups.withdraw(name)
            self.groups.retire(name)

    def plan(self, model: GatewayModel) -> tuple[str, list[RuleProblem]]:
        """The Gateway's share of the pass plan (made in ``prepare``) and its problems."""
        problems = [
            RuleProblem(f.gateway, str(f.route), f.rule_index, f.message, f.reason)
            for f in self.plan_all.findings
            if f.gateway == model.key
        ]
        return model.key, problems

    # ------------------------------------------------------------------ ensure
    def ensure(self, gateway: str) -> GatewayObservation:
        """The service network, this VPC's association, and every Route service on it."""
        name, error = self.plan_all.networks.get(gateway, ("", "not planned this pass"))
        if error:
            return GatewayObservation(gateway, False, "Invalid", error)
        try:
            network = self._network(gateway, name)
            problem = self._vpc_link(gateway, network)
            if problem:
                return GatewayObservation(gateway, False, "Invalid", problem)
            notes = []
            for spec in self.plan_all.services.values():
                if gateway in spec.gateways:
                    live = self._service(spec)
                    self.services.associate(gateway, network, live, str(spec.route))
                    notes.append(_note(spec, live))
            self._prune_links(gateway, network)
            self._collect()
        except (Conflict, NetworkError) as exc:
            return GatewayObservation(gateway, False, "Invalid", str(exc))
        except ClientError as exc:
            return GatewayObservation(gateway, False, "Pending", f"AWS error: {exc}", failed=True)
        message = f"Service network {name} ({network['id']}) is joined by VPC {self.vpc()}"
        return GatewayObservation(gateway, True, "Programmed", message, routes=tuple(notes))

    def _service(self, spec: ServiceSpec) -> dict[str, Any]:
        for listener in spec.listeners:
            for rule in listener.rules:
                if rule.action[0] == "forward":
                    for tg, _ in rule.action[1]:  # type: ignore[attr-defined]
                        if tg in self.plan_all.target_groups and tg not in self.groups_done:
                            self.groups.ensure(self.plan_all.target_groups[tg], self.vpc())
                            self.groups_done.add(tg)
        certificate = None
        if spec.certificate is not None:
            certificate = self.certificates.arn_for(spec.certificate)
        return self.services.ensure(spec, certificate)

    def _network(self, gateway: str, name: str) -> dict[str, Any]:
        """The service network by name: ours, adopted (used as it is), or created."""
        network = self.inv.networks.get(name)
        if network is None:
            tags = owner_tags(self.cluster, gateway)
            network = self.client.create_service_network(name=name, authType="NONE", tags=tags)
            self.inv.networks[name] = network
            self.inv.tags[network["arn"]] = tags
        return network

    def _vpc_link(self, gateway: str, network: dict[str, Any]) -> str | None:
        """Join this cluster's VPC to the network (a VPC joins one network); keep the
        security groups of an association we own as configured."""
        vpc = self.vpc()
        link = next((a for a in self.inv.vpc_links.values() if a.get("vpcId") == vpc), None)
        if link is not None and link.get("serviceNetworkId") != network["id"]:
            if not (
                self.inv.mine(link, self.cluster) and self.inv.tag(link, GATEWAY_TAG) == gateway
            ):
                return (
                    f"VPC {vpc} is associated with service network "
                    f"{link.get('serviceNetworkName')}; a VPC joins one service network"
                )
            self._unlink_vpc(link)  # our own association with this Gateway's old network
            link = None
        if link is not None and self.inv.mine(link, self.cluster):
            current = self.client.get_service_network_vpc_association(
                serviceNetworkVpcAssociationIdentifier=link["id"]
            )
            if sorted(current.get("securityGroupIds") or []) != self.security_groups:
                if self.security_groups:
                    self.client.update_service_network_vpc_association(
                        serviceNetworkVpcAssociationIdentifier=link["id"],
                        securityGroupIds=self.security_groups,
                    )
                else:  # the last security group cannot be removed: re-associate
                    self._unlink_vpc(link)
                    link = None
        if link is None:
            tags = owner_tags(self.cluster, gateway)
            kwargs: dict[str, Any] = {"serviceNetworkIdentifier": network["id"], "tags": tags}
            if self.security_groups:
                kwargs["securityGroupIds"] = self.security_groups
            created = self.client.create_service_network_vpc_association(
                vpcIdentifier=vpc, **kwargs
            )
            link = {
                **created,
                "vpcId": vpc,
                "serviceNetworkId": network["id"],
                "serviceNetworkName": network.get("name"),
            }
            self.inv.vpc_links[link["id"]] = link
            self.inv.tags[link["arn"]] = tags
        status = link.get("status", "ACTIVE")
        return (
            None
            if status in ("ACTIVE", "CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")
            else (f"VPC association {link['id']} is {status}")
        )

    def _unlink_vpc(self, link: dict[str, Any]) -> None:
        self.client.delete_service_network_vpc_association(
            serviceNetworkVpcAssociationIdentifier=link["id"]
        )
        del self.inv.vpc_links[link["id"]]

    def _prune_links(self, gateway: str, network: dict[str, Any]) -> None:
        """Owned associations this Gateway made that it no longer wants."""
        wanted = {
            self.inv.services[s.name]["id"]
            for s in self.plan_all.services.values()
            if gateway in s.gateways and s.name in self.inv.services
        }
        for link in list(self.inv.links.values()):
            if not self.inv.mine(link, self.cluster) or self.inv.tag(link, GATEWAY_TAG) != gateway:
                continue
            if link.get("serviceNetworkId") != network["id"] or link.get("serviceId") not in wanted:
                self.services.disassociate(link["id"])

    # ------------------------------------------------------------------ garbage
    def _collect(self) -> None:
        """Delete owned services no Route wants (unless a not-accepted Gateway still has
        them), then owned local target groups no service uses."""
        kept = self.scope.known - set(self.scope.gateways)
        for name, svc in list(self.inv.services.items()):
            if not self.inv.mine(svc, self.cluster) or name in self.plan_all.services:
                continue
            links = self.inv.service_links(svc["id"])
            if not any(self.inv.tag(a, GATEWAY_TAG) in kept for a in links):
                self.services.delete(name)
        for name in self.groups.owned_unused(set(self.plan_all.target_groups), exports=False):
            self.groups.retire(name)

    def _network_in_use(self, network: dict[str, Any]) -> bool:
        ident = {"serviceNetworkIdentifier": network["id"]}
        return any(pages(self.client, "list_service_network_service_associations", **ident)) or any(
            pages(self.client, "list_service_network_vpc_associations", **ident)
        )

    def ensure_deleted(self, gateway: str) -> None:
        """Leave a removed Gateway's network: our associations, then the network itself if
        we created it and nobody else (another cluster) still uses it."""
        if not self.readable:
            return
        for link in list(self.inv.links.values()):
            if self.inv.mine(link, self.cluster) and self.inv.tag(link, GATEWAY_TAG) == gateway:
                self.services.disassociate(link["id"])
        networks_wanted = {name for name, _ in self.plan_all.networks.values()}
        for link in list(self.inv.vpc_links.values()):
            mine = self.inv.mine(link, self.cluster) and self.inv.tag(link, GATEWAY_TAG) == gateway
            if mine and link.get("serviceNetworkName") not in networks_wanted:
                self._unlink_vpc(link)
        for name, network in list(self.inv.networks.items()):
            mine = self.inv.mine(network, self.cluster)
            ours = mine and self.inv.tag(network, GATEWAY_TAG) == gateway
            if ours and name not in networks_wanted and not self._network_in_use(network):
                self.client.delete_service_network(serviceNetworkIdentifier=network["id"])
                del self.inv.networks[name]
        self._collect()

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

    def finish(self) -> None:
        """After a full pass: leftovers, and imported certificates no service uses."""
        if not self.readable:
            return
        self._collect()
        in_use = set()
        for svc in self.inv.services.values():
            if self.inv.mine(svc, self.cluster):
                arn = self.client.get_service(serviceIdentifier=svc["id"]).get("certificateArn")
                if arn:
                    in_use.add(arn)
        self.certificates.delete_unused(in_use)


def _note(spec: ServiceSpec, live: dict[str, Any]) -> RouteNote:
    dns = (live.get("dnsEntry") or {}).get("domainName", "")
    message = f"VPC Lattice service {spec.name} at {dns}"
    if spec.custom_domain:
        message += f" (custom domain {spec.custom_domain})"
    return RouteNote(str(spec.route), message, ((DNS_ANNOTATION, dns),))

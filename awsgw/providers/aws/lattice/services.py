"""One Route's VPC Lattice service: the service itself (custom domain, certificate), its
listeners and their rules, and its associations with service networks.

Reads first, then the fewest writes; the service, its listeners and rules are created with
this cluster's owner tag, and nothing without it is modified or deleted.
"""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.common.tags import CLUSTER_TAG, Conflict, owner_tags
from awsgw.providers.aws.lattice.inventory import LatticeInventory, pages, resource_tags
from awsgw.providers.aws.lattice.plan.names import ROUTE_TAG
from awsgw.providers.aws.lattice.plan.rules import (
    FIXED_404,
    LiveRule,
    action_api,
    action_canon,
    match_api,
    match_canon,
    plan_lattice_rules,
)
from awsgw.providers.aws.lattice.plan.specs import LatticeListener, ServiceSpec

BATCH = 10


class Services:
    """Service writes of one pass, against the pass's inventory."""

    def __init__(self, client: Any, cluster: str, inventory: LatticeInventory) -> None:
        self.client = client
        self.cluster = cluster
        self.inv = inventory
        self.done: set[str] = set()

    def ensure(self, spec: ServiceSpec, certificate: str | None) -> dict[str, Any]:
        """The service with its listeners and rules (once per pass, however many Gateways)."""
        live = self.inv.services.get(spec.name)
        if spec.name in self.done and live is not None:
            return live
        if live is not None and not self.inv.mine(live, self.cluster):
            raise Conflict(f"VPC Lattice service {spec.name} exists and is not owned by us")
        if live is not None and (live.get("customDomainName") or None) != spec.custom_domain:
            if not self.delete(spec.name):  # the custom domain is immutable: replace
                raise Conflict(f"cannot replace {spec.name}: joined to networks not ours")
            live = None
        if live is None:
            live = self._create(spec, certificate)
            new = True
        else:
            new = False
            have = self.client.get_service(serviceIdentifier=live["id"]).get("certificateArn")
            if (have or None) != certificate:
                self.client.update_service(
                    serviceIdentifier=live["id"], certificateArn=certificate or ""
                )
        self._listeners(live["id"], spec, new)
        self.done.add(spec.name)
        return live

    def _create(self, spec: ServiceSpec, certificate: str | None) -> dict[str, Any]:
        tags = {CLUSTER_TAG: self.cluster, ROUTE_TAG: str(spec.route)}
        kwargs: dict[str, Any] = {"name": spec.name, "authType": "NONE", "tags": tags}
        if spec.custom_domain:
            kwargs["customDomainName"] = spec.custom_domain
        if certificate:
            kwargs["certificateArn"] = certificate
        live: dict[str, Any] = self.client.create_service(**kwargs)
        self.inv.services[spec.name] = live
        self.inv.tags[live["arn"]] = tags
        return live

    def _listeners(self, service_id: str, spec: ServiceSpec, new: bool) -> None:
        existing = (
            {}
            if new
            else {
                ls["port"]: ls
                for ls in pages(self.client, "list_listeners", serviceIdentifier=service_id)
            }
        )
        owned = {
            port: resource_tags(self.client, ls["arn"]).get(CLUSTER_TAG) == self.cluster
            for port, ls in existing.items()
        }
        wanted = {ls.port: ls for ls in spec.listeners}
        names = self.inv.names_by_id()
        tg_ids = {name: tg["id"] for name, tg in self.inv.groups.items()}
        for port, ls in existing.items():  # stale first: the quota is 2 per service
            if port not in wanted and owned[port]:
                self.client.delete_listener(
                    serviceIdentifier=service_id, listenerIdentifier=ls["id"]
                )
        for port, want in wanted.items():
            have = existing.get(port)
            if have is not None and not owned[port]:
                raise Conflict(f"listener on port {port} of {spec.name} is not owned by us")
            if have is not None and have["protocol"] != want.protocol:
                self.client.delete_listener(
                    serviceIdentifier=service_id, listenerIdentifier=have["id"]
                )
                have = None
            default = FIXED_404 if want.default is None else action_api(want.default, tg_ids)
            if have is None:
                created = self.client.create_listener(
                    serviceIdentifier=service_id,
                    name=f"{want.protocol.lower().replace('_', '-')}-{port}",
                    protocol=want.protocol,
                    port=port,
                    defaultAction=default,
                    tags={CLUSTER_TAG: self.cluster},
                )
                if want.default is None:  # a TLS_PASSTHROUGH listener takes no rules
                    self._rules(service_id, created["id"], want, new=True)
                continue
            current = self.client.get_listener(
                serviceIdentifier=service_id, listenerIdentifier=have["id"]
            )
            if action_canon(current.get("defaultAction"), names) != action_canon(default, names):
                self.client.update_listener(
                    serviceIdentifier=service_id,
                    listenerIdentifier=have["id"],
                    defaultAction=default,
                )
            if want.default is None:
                self._rules(service_id, have["id"], want, new=False)

    def _live_rules(self, service_id: str, listener_id: str) -> list[LiveRule]:
        names = self.inv.names_by_id()
        out = []
        ids = {"serviceIdentifier": service_id, "listenerIdentifier": listener_id}
        for summary in pages(self.client, "list_rules", **ids):
            if summary.get("isDefault"):
                continue
            rule = self.client.get_rule(ruleIdentifier=summary["id"], **ids)
            owner = resource_tags(self.client, rule["arn"]).get(CLUSTER_TAG)
            out.append(
                LiveRule(
                    rule["id"],
                    rule.get("name", ""),
                    int(rule["priority"]),
                    match_canon(rule.get("match")),
                    action_canon(rule.get("action"), names),
                    owner == self.cluster,
                )
            )
        return out

    def _rules(self, service_id: str, listener_id: str, want: LatticeListener, new: bool) -> None:
        current = [] if new else self._live_rules(service_id, listener_id)
        plan = plan_lattice_rules(current, want.rules)
        ids = {"serviceIdentifier": service_id, "listenerIdentifier": listener_id}
        tg_ids = {name: tg["id"] for name, tg in self.inv.groups.items()}
        if plan.renumber:
            for rule_id in plan.delete:
                self.client.delete_rule(ruleIdentifier=rule_id, **ids)
        changes = []
        for rule_id, rule, priority in plan.update:
            change: dict[str, Any] = {"ruleIdentifier": rule_id, "priority": priority}
            if rule is not None:
                change.update(match=match_api(rule.match), action=action_api(rule.action, tg_ids))
            changes.append(change)
        for i in range(0, len(changes), BATCH):
            done = self.client.batch_update_rule(rules=changes[i : i + BATCH], **ids)
            if done.get("unsuccessful"):
                raise RuntimeError(f"BatchUpdateRule failed: {done['unsuccessful']}")
        for priority, rule, name in plan.create:
            self.client.create_rule(
                name=name,
                priority=priority,
                match=match_api(rule.match),
                action=action_api(rule.action, tg_ids),
                tags={CLUSTER_TAG: self.cluster},
                **ids,
            )
        if not plan.renumber:
            for rule_id in plan.delete:
                self.client.delete_rule(ruleIdentifier=rule_id, **ids)

    # ------------------------------------------------------------------ associations
    def associate(
        self, gateway: str, network: dict[str, Any], service: dict[str, Any], route: str
    ) -> None:
        """Join the service to a Gateway's service network (if it has not yet)."""
        links = self.inv.service_links(service["id"])
        if any(a.get("serviceNetworkId") == network["id"] for a in links):
            return
        tags = owner_tags(self.cluster, gateway, **{ROUTE_TAG: route})
        link = self.client.create_service_network_service_association(
            serviceIdentifier=service["id"], serviceNetworkIdentifier=network["id"], tags=tags
        )
        link = {**link, "serviceId": service["id"], "serviceNetworkId": network["id"]}
        self.inv.links[link["id"]] = link
        self.inv.tags[link["arn"]] = tags

    def disassociate(self, link_id: str) -> None:
        link = self.inv.links.pop(link_id)
        self.client.delete_service_network_service_association(
            serviceNetworkServiceAssociationIdentifier=link_id
        )
        self.inv.tags.pop(link["arn"], None)

    def delete(self, name: str) -> bool:
        """Delete an owned service after its owned associations; False if others remain."""
        live = self.inv.services[name]
        for link in self.inv.service_links(live["id"]):
            if self.inv.mine(link, self.cluster):
                self.disassociate(link["id"])
        if self.inv.service_links(live["id"]):
            return False
        self.client.delete_service(serviceIdentifier=live["id"])
        del self.inv.services[name]
        return True

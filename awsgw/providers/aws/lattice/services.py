"""One Route's VPC Lattice service: the service itself (custom domain, certificate), its
listeners and their rules, and its associations with service networks.

Reads first, then the fewest writes; the service, its listeners and rules are created with
this cluster's owner tag, and nothing without it is modified or deleted.
"""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import CLUSTER_TAG, Conflict, owner_tags
from awsgw.providers.aws.common.writes import Write
from awsgw.providers.aws.lattice.inventory import (
    ASSOCIATION,
    LATTICE_CLIENT,
    LISTENER,
    RULE,
    SERVICE,
    LatticeInventory,
    pages,
    resource_tags,
)
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
from awsgw.providers.aws.lattice.plan.text import action_text, match_text
from awsgw.providers.changes import (
    Change,
    Resource,
    Value,
    creating,
    deleting,
    modifying,
    pending,
)

BATCH = 10


class Services:
    """Service writes of one pass, against the pass's inventory."""

    def __init__(self, aws: Aws, cluster: str, inventory: LatticeInventory) -> None:
        self.aws = aws
        self.client = aws.client(LATTICE_CLIENT)
        self.cluster = cluster
        self.inv = inventory
        self.done: set[str] = set()
        self.certificates: dict[str, str | None] = {}
        """Service id → the certificate this pass gave it (its own or none)."""

    def _send(
        self, method: str, params: dict[str, Any], *changes: Change, **extra: Any
    ) -> dict[str, Any]:
        return self.aws.write(Write(LATTICE_CLIENT, method, params, changes, **extra))

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
                change = modifying(
                    Resource(SERVICE, spec.name), {"Certificate": (have or None, certificate)}
                )
                params = {"serviceIdentifier": live["id"], "certificateArn": certificate or ""}
                self._send("update_service", params, change)
        self.certificates[live["id"]] = certificate
        self._listeners(live["id"], spec, new)
        self.aws.writer.settle(live["arn"])  # it forwards to planned target groups only
        self.done.add(spec.name)
        return live

    def _create(self, spec: ServiceSpec, certificate: str | None) -> dict[str, Any]:
        tags = {CLUSTER_TAG: self.cluster, ROUTE_TAG: str(spec.route)}
        kwargs: dict[str, Any] = {"name": spec.name, "authType": "NONE", "tags": tags}
        if spec.custom_domain:
            kwargs["customDomainName"] = spec.custom_domain
        if certificate:
            kwargs["certificateArn"] = certificate
        resource = Resource(SERVICE, spec.name)
        dns = pending(f"DNS name of {resource}")
        values = {
            "CustomDomainName": spec.custom_domain,
            "Certificate": certificate,
            "Tags": tags,
            "DnsName": dns,
        }
        planned = {
            "id": pending(f"id of {resource}"),
            "arn": pending(f"arn of {resource}"),
            "name": spec.name,
            "customDomainName": spec.custom_domain,
            "certificateArn": certificate,
            "dnsEntry": {"domainName": dns},
        }
        live = self._send("create_service", kwargs, creating(resource, values), planned=planned)
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
        service = Resource(SERVICE, spec.name)

        def drop(port: int, ls: dict[str, Any]) -> None:
            change = deleting(service.child(LISTENER, str(port)), {"Protocol": ls.get("protocol")})
            ids = {"serviceIdentifier": service_id, "listenerIdentifier": ls["id"]}
            self._send("delete_listener", ids, change)

        for port, ls in existing.items():  # stale first: the quota is 2 per service
            if port not in wanted and owned[port]:
                drop(port, ls)
        for port, want in wanted.items():
            have = existing.get(port)
            listener = service.child(LISTENER, str(port))
            if have is not None and not owned[port]:
                raise Conflict(f"listener on port {port} of {spec.name} is not owned by us")
            if have is not None and have["protocol"] != want.protocol:
                drop(port, have)
                have = None
            default = FIXED_404 if want.default is None else action_api(want.default, tg_ids)
            shown = action_text(action_canon(default, names))
            if have is None:
                params = {
                    "serviceIdentifier": service_id,
                    "name": f"{want.protocol.lower().replace('_', '-')}-{port}",
                    "protocol": want.protocol,
                    "port": port,
                    "defaultAction": default,
                    "tags": {CLUSTER_TAG: self.cluster},
                }
                values: dict[str, Value] = {
                    "Protocol": want.protocol,
                    "Port": port,
                    "DefaultAction": shown,
                    "Tags": {CLUSTER_TAG: self.cluster},
                }
                planned = {"id": pending(f"id of {listener}")}
                change = creating(listener, values)
                made = self._send("create_listener", params, change, planned=planned)
                if want.default is None:  # a TLS_PASSTHROUGH listener takes no rules
                    self._rules(listener, service_id, made["id"], want, new=True)
                continue
            current = self.client.get_listener(
                serviceIdentifier=service_id, listenerIdentifier=have["id"]
            )
            old = action_canon(current.get("defaultAction"), names)
            if old != action_canon(default, names):
                change = modifying(listener, {"DefaultAction": (action_text(old), shown)})
                params = {
                    "serviceIdentifier": service_id,
                    "listenerIdentifier": have["id"],
                    "defaultAction": default,
                }
                self._send("update_listener", params, change)
            if want.default is None:
                self._rules(listener, service_id, have["id"], want, new=False)

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

    def _rules(
        self,
        listener: Resource,
        service_id: str,
        listener_id: str,
        want: LatticeListener,
        new: bool,
    ) -> None:
        current = [] if new else self._live_rules(service_id, listener_id)
        live = {r.id: r for r in current}
        plan = plan_lattice_rules(current, want.rules)
        ids = {"serviceIdentifier": service_id, "listenerIdentifier": listener_id}
        tg_ids = {name: tg["id"] for name, tg in self.inv.groups.items()}

        def rule(rule_id: str) -> Resource:
            return listener.child(RULE, str(live[rule_id].priority))

        def drop(rule_id: str) -> None:
            have = live[rule_id]
            values = {"Match": match_text(have.match), "Action": action_text(have.action)}
            self._send(
                "delete_rule", {"ruleIdentifier": rule_id, **ids}, deleting(rule(rule_id), values)
            )

        if plan.renumber:
            for rule_id in plan.delete:
                drop(rule_id)
        updates: list[tuple[dict[str, Any], Change]] = []
        for rule_id, new_rule, priority in plan.update:
            update: dict[str, Any] = {"ruleIdentifier": rule_id, "priority": priority}
            have = live[rule_id]
            diffs: dict[str, tuple[Any, Any]] = {}
            if have.priority != priority:
                diffs["Priority"] = (have.priority, priority)
            if new_rule is not None:
                action = action_api(new_rule.action, tg_ids)
                update.update(match=match_api(new_rule.match), action=action)
                if have.match != new_rule.match:
                    diffs["Match"] = (match_text(have.match), match_text(new_rule.match))
                if have.action != new_rule.action:
                    diffs["Action"] = (action_text(have.action), action_text(new_rule.action))
            updates.append((update, modifying(rule(rule_id), diffs)))
        for i in range(0, len(updates), BATCH):
            batch = updates[i : i + BATCH]
            request = {"rules": [u for u, _ in batch], **ids}
            done = self._send("batch_update_rule", request, *(c for _, c in batch))
            if done.get("unsuccessful"):
                raise RuntimeError(f"BatchUpdateRule failed: {done['unsuccessful']}")
        for priority, new_rule, name in plan.create:
            tags = {CLUSTER_TAG: self.cluster}
            params = {
                "name": name,
                "priority": priority,
                "match": match_api(new_rule.match),
                "action": action_api(new_rule.action, tg_ids),
                "tags": tags,
                **ids,
            }
            values: dict[str, Value] = {
                "Name": name,
                "Priority": priority,
                "Match": match_text(new_rule.match),
                "Action": action_text(new_rule.action),
                "Tags": tags,
            }
            self._send("create_rule", params, creating(listener.child(RULE, str(priority)), values))
        if not plan.renumber:
            for rule_id in plan.delete:
                drop(rule_id)

    # ------------------------------------------------------------------ associations
    def associate(
        self, gateway: str, network: dict[str, Any], service: dict[str, Any], route: str
    ) -> None:
        """Join the service to a Gateway's service network (if it has not yet)."""
        links = self.inv.service_links(service["id"])
        if any(a.get("serviceNetworkId") == network["id"] for a in links):
            return
        tags = owner_tags(self.cluster, gateway, **{ROUTE_TAG: route})
        resource = self.inv.service(service["id"]).child(ASSOCIATION, str(network.get("name")))
        params = {
            "serviceIdentifier": service["id"],
            "serviceNetworkIdentifier": network["id"],
            "tags": tags,
        }
        planned = {"id": pending(f"id of {resource}"), "arn": pending(f"arn of {resource}")}
        change = creating(resource, {"Tags": tags})
        link = self._send(
            "create_service_network_service_association", params, change, planned=planned
        )
        link = {**link, "serviceId": service["id"], "serviceNetworkId": network["id"]}
        self.inv.links[link["id"]] = link
        self.inv.tags[link["arn"]] = tags

    def disassociate(self, link_id: str) -> None:
        link = self.inv.links[link_id]
        change = deleting(self.inv.link(link))
        params = {"serviceNetworkServiceAssociationIdentifier": link_id}
        self._send("delete_service_network_service_association", params, change, removes=(link_id,))
        del self.inv.links[link_id]
        self.inv.tags.pop(link["arn"], None)

    def delete(self, name: str) -> bool:
        """Delete an owned service after its owned associations; False if others remain."""
        live = self.inv.services[name]
        for link in self.inv.service_links(live["id"]):
            if self.inv.mine(link, self.cluster):
                self.disassociate(link["id"])
        if self.inv.service_links(live["id"]):
            return False
        domain = live.get("customDomainName") or None
        change = deleting(Resource(SERVICE, name), {"CustomDomainName": domain})
        params = {"serviceIdentifier": live["id"]}
        self._send("delete_service", params, change, removes=(live["arn"],))
        del self.inv.services[name]
        return True

"""Lattice target groups: create (tagged), keep their IP targets in step with the
EndpointSlices, publish or withdraw exported ones, and retire unused ones only once no
service forwards to them and their targets have drained."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.common.tags import (
    BACKEND_TAG,
    CLUSTER_TAG,
    MANAGED_TAG,
    Conflict,
    managed_of,
)
from awsgw.providers.aws.lattice.inventory import LatticeInventory, pages
from awsgw.providers.aws.lattice.plan.health import DEFAULTS, differs, wanted_health
from awsgw.providers.aws.lattice.plan.names import (
    EXPORT_NAME_TAG,
    EXPORT_NAMESPACE_TAG,
    EXPORT_PORT_TAG,
    WITHDRAWN_TAG,
)
from awsgw.providers.aws.lattice.plan.specs import LatticeTargetGroup

BATCH = 100
HEALTH_CHECK = "health-check"


def group_tags(cluster: str, spec: LatticeTargetGroup) -> dict[str, str]:
    tags = {CLUSTER_TAG: cluster, BACKEND_TAG: spec.backend}
    if spec.export is not None:
        ns, name, port = spec.export
        tags.update({EXPORT_NAMESPACE_TAG: ns, EXPORT_NAME_TAG: name, EXPORT_PORT_TAG: str(port)})
    return tags


class TargetGroups:
    """Target group writes of one pass, against the pass's inventory."""

    def __init__(self, client: Any, cluster: str, inventory: LatticeInventory) -> None:
        self.client = client
        self.cluster = cluster
        self.inv = inventory

    def ensure(self, spec: LatticeTargetGroup, vpc: str) -> dict[str, Any]:
        """The group (created if missing), its targets registered and deregistered by diff."""
        have = self.inv.groups.get(spec.name)
        if have is not None and not self.inv.mine(have, self.cluster):
            raise Conflict(f"target group {spec.name} exists and is not owned by this cluster")
        created = have is None
        if have is None:
            tags = group_tags(self.cluster, spec)
            config: dict[str, Any] = {
                "port": spec.port,
                "protocol": spec.protocol,
                "vpcIdentifier": vpc,
                "ipAddressType": "IPV4",
            }
            if spec.protocol == "HTTP":  # TCP groups have no protocol version
                config["protocolVersion"] = spec.protocol_version
            if spec.policy is not None:
                config["healthCheck"] = wanted_health(spec.policy)
                tags[MANAGED_TAG] = HEALTH_CHECK
            have = self.client.create_target_group(
                name=spec.name, type="IP", config=config, tags=tags
            )
            self.inv.groups[spec.name] = {**have, "serviceArns": []}
            self.inv.tags[have["arn"]] = tags
        else:
            if WITHDRAWN_TAG in self.inv.tags.get(have["arn"], {}):  # exported again
                self.client.untag_resource(resourceArn=have["arn"], tagKeys=[WITHDRAWN_TAG])
                self.inv.tags[have["arn"]].pop(WITHDRAWN_TAG, None)
            self._health(have, spec)
        self._sync(have["id"], set(spec.targets), created)
        return self.inv.groups[spec.name]

    def _health(self, have: dict[str, Any], spec: LatticeTargetGroup) -> None:
        """The policy's health check (one ``UpdateTargetGroup`` when it differs); a group
        a policy shaped and no longer does returns to the defaults. Only groups a policy
        shapes, or shaped, are read (``GetTargetGroup``)."""
        tags = self.inv.tags.setdefault(have["arn"], {})
        shaped = HEALTH_CHECK in managed_of(tags)
        if spec.policy is None and not shaped:
            return
        want = wanted_health(spec.policy) if spec.policy is not None else dict(DEFAULTS)
        found = self.client.get_target_group(targetGroupIdentifier=have["id"])
        if differs((found.get("config") or {}).get("healthCheck") or {}, want):
            self.client.update_target_group(targetGroupIdentifier=have["id"], healthCheck=want)
        marker = HEALTH_CHECK if spec.policy is not None else "-"
        if tags.get(MANAGED_TAG, "-") != marker:
            self.client.tag_resource(resourceArn=have["arn"], tags={MANAGED_TAG: marker})
            tags[MANAGED_TAG] = marker

    def _live(self, group_id: str) -> tuple[set[tuple[str, int]], bool]:
        """Registered (not draining) targets, and whether any is still draining."""
        found = list(pages(self.client, "list_targets", targetGroupIdentifier=group_id))
        live = {(t["id"], int(t["port"])) for t in found if t.get("status") != "DRAINING"}
        return live, any(t.get("status") == "DRAINING" for t in found)

    def _sync(self, group_id: str, want: set[tuple[str, int]], created: bool) -> None:
        have = set() if created else self._live(group_id)[0]
        for call, diff in (
            (self.client.register_targets, sorted(want - have)),
            (self.client.deregister_targets, sorted(have - want)),
        ):
            for i in range(0, len(diff), BATCH):
                chunk = [{"id": ip, "port": port} for ip, port in diff[i : i + BATCH]]
                call(targetGroupIdentifier=group_id, targets=chunk)

    def withdraw(self, name: str) -> None:
        """Stop publishing an exported group (importers stop using it on their next pass)."""
        tg = self.inv.groups[name]
        if WITHDRAWN_TAG not in self.inv.tags.get(tg["arn"], {}):
            self.client.tag_resource(resourceArn=tg["arn"], tags={WITHDRAWN_TAG: "true"})
            self.inv.tags.setdefault(tg["arn"], {})[WITHDRAWN_TAG] = "true"

    def retire(self, name: str) -> bool:
        """Delete an owned group once no service uses it and its targets have drained
        (deregistering them first); False while it must wait."""
        tg = self.inv.groups[name]
        if not self.inv.mine(tg, self.cluster):
            return False
        fresh = self.client.get_target_group(targetGroupIdentifier=tg["id"])
        if fresh.get("serviceArns"):
            return False
        live, draining = self._live(tg["id"])
        if live:
            self._sync(tg["id"], set(), created=False)
            live, draining = self._live(tg["id"])
        if live or draining:
            return False
        self.client.delete_target_group(targetGroupIdentifier=tg["id"])
        del self.inv.groups[name]
        return True

    def owned_unused(self, desired: set[str], exports: bool) -> list[str]:
        """Owned groups not in ``desired``: export groups or local ones."""
        return [
            name
            for name, tg in self.inv.groups.items()
            if self.inv.mine(tg, self.cluster)
            and name not in desired
            and (self.inv.tag(tg, EXPORT_NAME_TAG) is not None) == exports
        ]

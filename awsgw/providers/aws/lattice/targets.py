"""Lattice target groups: create (tagged), keep their IP targets in step with the
EndpointSlices, publish or withdraw exported ones, and retire unused ones only once no
service forwards to them and their targets have drained."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import (
    BACKEND_TAG,
    CLUSTER_TAG,
    MANAGED_TAG,
    Conflict,
    managed_of,
)
from awsgw.providers.aws.common.writes import Write
from awsgw.providers.aws.lattice.inventory import (
    LATTICE_CLIENT,
    TARGET,
    TARGET_GROUP,
    LatticeInventory,
    pages,
)
from awsgw.providers.aws.lattice.plan.health import DEFAULTS, differs, wanted_health
from awsgw.providers.aws.lattice.plan.names import (
    EXPORT_NAME_TAG,
    EXPORT_NAMESPACE_TAG,
    EXPORT_PORT_TAG,
    WITHDRAWN_TAG,
)
from awsgw.providers.aws.lattice.plan.specs import LatticeTargetGroup
from awsgw.providers.changes import (
    Change,
    Resource,
    creating,
    deleting,
    modifying,
    pending,
    tag_field,
)

BATCH = 100
HEALTH_CHECK = "health-check"


def _field(key: str) -> str:
    """A VPC Lattice API field as change records name it (``vpcIdentifier``:
    ``VpcIdentifier``)."""
    return key[:1].upper() + key[1:]


def _target_id(group_id: str, target: dict[str, Any]) -> str:
    return f"{group_id}/{target['id']}:{target['port']}"


def group_tags(cluster: str, spec: LatticeTargetGroup) -> dict[str, str]:
    tags = {CLUSTER_TAG: cluster, BACKEND_TAG: spec.backend}
    if spec.export is not None:
        ns, name, port = spec.export
        tags.update({EXPORT_NAMESPACE_TAG: ns, EXPORT_NAME_TAG: name, EXPORT_PORT_TAG: str(port)})
    return tags


class TargetGroups:
    """Target group writes of one pass, against the pass's inventory."""

    def __init__(self, aws: Aws, cluster: str, inventory: LatticeInventory) -> None:
        self.aws = aws
        self.client = aws.client(LATTICE_CLIENT)
        self.cluster = cluster
        self.inv = inventory

    def _send(
        self, method: str, params: dict[str, Any], *changes: Change, **extra: Any
    ) -> dict[str, Any]:
        return self.aws.write(Write(LATTICE_CLIENT, method, params, changes, **extra))

    def _tag(self, name: str, arn: str, tags: dict[str, str]) -> None:
        have = self.inv.tags.get(arn, {})
        diffs = {tag_field(k): (have.get(k), v) for k, v in tags.items()}
        change = modifying(Resource(TARGET_GROUP, name), diffs)
        self._send("tag_resource", {"resourceArn": arn, "tags": tags}, change)

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
            resource = Resource(TARGET_GROUP, spec.name)
            params = {"name": spec.name, "type": "IP", "config": config, "tags": tags}
            planned = {
                "id": pending(f"id of {resource}"),
                "arn": pending(f"arn of {resource}"),
                "name": spec.name,
            }
            shown = {_field(k): v for k, v in config.items()}
            change = creating(resource, {"Type": "IP", **shown, "Tags": tags})
            have = self._send("create_target_group", params, change, planned=planned)
            self.inv.groups[spec.name] = {**have, "serviceArns": []}
            self.inv.tags[have["arn"]] = tags
        else:
            if WITHDRAWN_TAG in self.inv.tags.get(have["arn"], {}):  # exported again
                change = modifying(
                    Resource(TARGET_GROUP, spec.name), {tag_field(WITHDRAWN_TAG): ("true", None)}
                )
                params = {"resourceArn": have["arn"], "tagKeys": [WITHDRAWN_TAG]}
                self._send("untag_resource", params, change)
                self.inv.tags[have["arn"]].pop(WITHDRAWN_TAG, None)
            self._health(have, spec)
        self._sync(spec.name, have["id"], set(spec.targets), created)
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
        health = (found.get("config") or {}).get("healthCheck") or {}
        if differs(health, want):
            diffs = {f"HealthCheck.{_field(k)}": (health.get(k), v) for k, v in want.items()}
            change = modifying(
                Resource(TARGET_GROUP, spec.name),
                {k: d for k, d in diffs.items() if d[0] != d[1]},
            )
            params = {"targetGroupIdentifier": have["id"], "healthCheck": want}
            self._send("update_target_group", params, change)
        marker = HEALTH_CHECK if spec.policy is not None else "-"
        if tags.get(MANAGED_TAG, "-") != marker:
            self._tag(spec.name, have["arn"], {MANAGED_TAG: marker})
            tags[MANAGED_TAG] = marker

    def _live(self, group_id: str) -> tuple[set[tuple[str, int]], bool]:
        """Registered (not draining) targets, and whether any is still draining (as one a
        plan deregistered would be: AWS lists it as registered still)."""
        found = list(pages(self.client, "list_targets", targetGroupIdentifier=group_id))
        gone = self.aws.writer.removed

        def draining(t: dict[str, Any]) -> bool:
            return t.get("status") == "DRAINING" or _target_id(group_id, t) in gone

        live = {(t["id"], int(t["port"])) for t in found if not draining(t)}
        return live, any(draining(t) for t in found)

    def _sync(self, name: str, group_id: str, want: set[tuple[str, int]], created: bool) -> None:
        have = set() if created else self._live(group_id)[0]
        group = Resource(TARGET_GROUP, name)
        for method, diff in (
            ("register_targets", sorted(want - have)),
            ("deregister_targets", sorted(have - want)),
        ):
            record = creating if method == "register_targets" else deleting
            for i in range(0, len(diff), BATCH):
                batch = diff[i : i + BATCH]
                chunk = [{"id": ip, "port": port} for ip, port in batch]
                changes = [record(group.child(TARGET, f"{ip}:{port}"), {}) for ip, port in batch]
                params = {"targetGroupIdentifier": group_id, "targets": chunk}
                gone = tuple(_target_id(group_id, t) for t in chunk)
                self._send(method, params, *changes, removes=gone if record is deleting else ())

    def withdraw(self, name: str) -> None:
        """Stop publishing an exported group (importers stop using it on their next pass)."""
        tg = self.inv.groups[name]
        if WITHDRAWN_TAG not in self.inv.tags.get(tg["arn"], {}):
            self._tag(name, tg["arn"], {WITHDRAWN_TAG: "true"})
            self.inv.tags.setdefault(tg["arn"], {})[WITHDRAWN_TAG] = "true"

    def retire(self, name: str) -> bool:
        """Delete an owned group once no service uses it and its targets have drained
        (deregistering them first); False while it must wait."""
        tg = self.inv.groups[name]
        if not self.inv.mine(tg, self.cluster):
            return False
        fresh = self.client.get_target_group(targetGroupIdentifier=tg["id"])
        # services a plan deleted, or made use only planned groups: AWS still names them
        gone = self.aws.writer.removed | self.aws.writer.settled
        if any(arn not in gone for arn in fresh.get("serviceArns") or []):
            return False
        live, draining = self._live(tg["id"])
        if live:
            self._sync(name, tg["id"], set(), created=False)
            live, draining = self._live(tg["id"])
        if live or draining:
            return False
        change = deleting(Resource(TARGET_GROUP, name), {"Port": tg.get("port")})
        self._send("delete_target_group", {"targetGroupIdentifier": tg["id"]}, change)
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

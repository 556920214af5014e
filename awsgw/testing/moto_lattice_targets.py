"""VPC Lattice target groups and targets, where moto 5.2.5 lacks them (the rest of the
Lattice fills: ``moto_lattice``): GetTargetGroup and ListTargetGroups with the
``serviceArns`` that forward to a group, UpdateTargetGroup, DeleteTargetGroup (refused while
a listener or rule forwards to it), RegisterTargets (1000 per group), DeregisterTargets
(``DRAINING`` for ``moto_lattice.DRAIN_SECONDS``) and ListTargets."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TARGETS_PER_GROUP = 1000


@dataclass(frozen=True)
class Kit:
    """The helpers every Lattice fill shares (made by ``moto_lattice.install``)."""

    param: Callable[..., Any]
    ok: Callable[[dict[str, Any]], Any]
    pick: Callable[..., dict[str, Any]]
    drop: Callable[[Any, dict[str, Any], Any], None]
    conflict: Callable[[str], Exception]
    over_quota: Callable[[str], Exception]
    service_arns: Callable[[Any, str], list[str]]


def install(kit: Kit) -> None:
    """Register the target group operations on moto's Lattice responses."""
    from moto.vpclattice.responses import VPCLatticeResponse as R

    param, ok, pick, drop = kit.param, kit.ok, kit.pick, kit.drop
    conflict, over_quota, service_arns = kit.conflict, kit.over_quota, kit.service_arns

    def on(name: str | None = None) -> Callable[[Any], Any]:
        def register(fn: Any) -> Any:
            setattr(R, name or fn.__name__, fn)
            return fn

        return register

    def backend(self: Any) -> Any:
        return self.backend

    def tg_view(b: Any, tg: Any) -> dict[str, Any]:
        return {**tg.to_dict(), "serviceArns": service_arns(b, tg.id)}

    @on("get_target_group")
    def get_tg(self: Any) -> Any:
        b = backend(self)
        view = tg_view(b, b.get_target_group(param(self, "targetGroupIdentifier")))
        return ok({**view, "createdAt": None, "lastUpdatedAt": None})

    @on("list_target_groups")
    def list_tgs(self: Any) -> Any:
        b = backend(self)
        vpc, kind = param(self, "vpcIdentifier"), param(self, "targetGroupType")
        found = [
            {**tg_view(b, t), **{k: t.config.get(k) for k in ("port", "protocol")}}
            for t in b.target_groups.values()
            if (not vpc or t.config.get("vpcIdentifier") == vpc) and (not kind or t.type == kind)
        ]
        drop = ("config", "createdAt", "lastUpdatedAt")
        return ok({"items": [{k: v for k, v in i.items() if k not in drop} for i in found]})

    @on("update_target_group")
    def update_tg(self: Any) -> Any:
        b = backend(self)
        tg = b.get_target_group(param(self, "targetGroupIdentifier"))
        check = {**tg.config.get("healthCheck", {}), **param(self, "healthCheck")}
        tg.config["healthCheck"] = check
        return ok(pick(tg.to_dict(), "arn", "config", "id", "name", "status", "type"))

    @on("delete_target_group")
    def delete_tg(self: Any) -> Any:
        b = backend(self)
        tg = b.get_target_group(param(self, "targetGroupIdentifier"))
        if service_arns(b, tg.id):
            raise conflict(f"Target group {tg.id} is in use by a listener or rule")
        drop(b, b.target_groups, tg)
        b.__dict__.get("awsgw_targets", {}).pop(tg.id, None)
        return ok({"arn": tg.arn, "id": tg.id, "status": "DELETE_IN_PROGRESS"})

    def target_list(self: Any) -> tuple[Any, dict[tuple[str, int], list[Any]], list[Any]]:
        b = backend(self)
        tg = b.get_target_group(param(self, "targetGroupIdentifier"))
        default = tg.config.get("port") or 80
        wanted = [(t["id"], int(t.get("port") or default)) for t in param(self, "targets") or []]
        return tg, targets(b, tg.id), wanted

    @on()
    def register_targets(self: Any) -> Any:
        _, have, wanted = target_list(self)
        if len(set(have) | set(wanted)) > TARGETS_PER_GROUP:
            raise over_quota("Targets per target group quota reached")
        for key in wanted:
            have[key] = ["HEALTHY", 0.0]
        return ok({"successful": [{"id": i, "port": p} for i, p in wanted], "unsuccessful": []})

    @on()
    def deregister_targets(self: Any) -> Any:
        _, have, wanted = target_list(self)
        done, failed = [], []
        for i, p in wanted:
            if (i, p) not in have:
                failed.append({"id": i, "port": p, "failureCode": "TargetNotFound"})
                continue
            have[(i, p)] = ["DRAINING", time.time() + drain_seconds()]
            done.append({"id": i, "port": p})
        return ok({"successful": done, "unsuccessful": failed})

    @on()
    def list_targets(self: Any) -> Any:
        _, have, wanted = target_list(self)
        keys = sorted(k for k in have if not wanted or k in wanted)
        return ok({"items": [{"id": i, "port": p, "status": have[(i, p)][0]} for i, p in keys]})


def targets(backend: Any, tg_id: str) -> dict[tuple[str, int], list[Any]]:
    """(id, port) → [status, draining until]; expired DRAINING targets are gone."""
    store = backend.__dict__.setdefault("awsgw_targets", {}).setdefault(tg_id, {})
    now = time.time()
    for key in [k for k, v in store.items() if v[0] == "DRAINING" and v[1] <= now]:
        del store[key]
    return store  # type: ignore[no-any-return]


def drain_seconds() -> float:
    from awsgw.testing import moto_lattice

    return moto_lattice.DRAIN_SECONDS

"""Plan and reconcile side by side on one moto account: what each sent to AWS, recorded by
botocore event hooks on their sessions (every call attempted, every request built)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsgw.core.store import Store
from awsgw.manifests import load
from awsgw.objects import KubeObject
from awsgw.preview.planner import Planned, plan_pass
from awsgw.providers.aws.common.session import READ_PREFIXES, Aws
from awsgw.providers.changes import Action
from awsgw.providers.registry import build_providers
from awsgw.reconcilers.gateways import PassResult, reconcile_all
from awsgw.settings import Settings
from tests.conftest import MotoVpc
from tests.support import NOW

LATTICE = "awsgw.io/lattice"
LATTICE_DELETE = "vpc-lattice:DeleteTargetGroup"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@dataclass
class Calls:
    """Every AWS operation a session attempted (before the write guard can refuse it) and
    every request it built to send, by name."""

    attempted: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def watch(self, aws: Aws) -> Aws:
        aws.session.events.register_first("before-call.*.*", self._attempt)
        aws.session.events.register("request-created.*.*", self._send)
        return aws

    def _attempt(self, event_name: str, model: Any, **kwargs: Any) -> None:
        self.attempted.append(f"{model.service_model.signing_name}:{model.name}")

    def _send(self, event_name: str, **kwargs: Any) -> None:
        self.sent.append(event_name.rsplit(".", 1)[-1])

    def writes(self) -> list[str]:
        """Operations that are not reads, attempted or sent."""
        return [op for op in self.attempted_writes() + self.sent if not _read(op)]

    def attempted_writes(self) -> list[str]:
        """``elasticloadbalancing:CreateRule``: what the write seam of a plan lists."""
        return [op for op in self.attempted if not _read(op)]

    def reads(self) -> Counter[str]:
        return Counter(op for op in self.attempted if _read(op))


def _read(operation: str) -> bool:
    return operation.rsplit(":", 1)[-1].startswith(READ_PREFIXES)


@dataclass
class World:
    """One cluster's manifests against one moto account: plans and reconciles of them."""

    env: MotoVpc
    lattice_security_groups: tuple[str, ...] = ()

    @property
    def settings(self) -> Settings:
        return Settings(
            cluster_name=self.env.cluster,
            vpc_id=self.env.vpc_id,
            lattice_security_groups=list(self.lattice_security_groups),
        )

    def plan(self, objects: list[KubeObject]) -> tuple[Planned, Calls]:
        calls = Calls()
        aws = calls.watch(Aws.create(max_attempts=1))
        planned = plan_pass(objects, self.settings, self.env.cluster, NOW, aws=aws)
        return planned, calls

    def reconcile(self, objects: list[KubeObject]) -> tuple[PassResult, Calls]:
        calls = Calls()
        aws = calls.watch(Aws.create(max_attempts=1))
        providers = build_providers(aws, self.settings, self.env.cluster)
        return reconcile_all(Store.of(objects), providers, NOW), calls


def example(name: str) -> list[KubeObject]:
    return load([EXAMPLES / name])


def plan_then_reconcile(world: World, objects: list[KubeObject]) -> int:
    """Plan, then reconcile: the plan's write calls are reconcile's, the plan sent none.
    The number of writes.

    One difference is AWS's, not the plan's: a VPC Lattice target group waits for the
    targets it deregisters to drain, so a plan (as AWS) deletes it on a later pass, when
    moto, which drops them at once, lets reconcile delete it in the same one."""
    planned, plan_calls = world.plan(objects)
    assert planned.result.failed == []
    assert plan_calls.writes() == [], "a plan sent a write"
    assert plan_calls.sent, "a plan reads AWS"
    result, calls = world.reconcile(objects)
    assert result.failed == []
    sent = Counter(calls.attempted_writes())
    draining = {
        e.resource.parent
        for e in planned.entries
        if e.controller == LATTICE and e.resource.kind == "target" and e.action is Action.DELETE
    }
    waits = sent[LATTICE_DELETE] - Counter(planned.writes)[LATTICE_DELETE]
    assert 0 <= waits <= len(draining), f"plan {planned.writes}; sent {sent}"
    sent[LATTICE_DELETE] -= waits
    listed = Counter(planned.writes)
    assert listed == +sent, f"only planned: {listed - sent}; only sent: {sent - listed}"
    return len(planned.writes)

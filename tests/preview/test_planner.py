"""A plan is the pass reconcile would make, minus the writes: on the examples of every data
plane (ALB, NLB with its chained ALB, VPC Lattice, a configuration, a ListenerSet), against
an empty account, an account that matches, edited manifests and removed Gateways, the write
calls a plan lists are exactly those reconcile then sends, and the plan sends none."""

from __future__ import annotations

from pathlib import Path

import pytest

from awsgw.manifests import load
from awsgw.objects import KubeObject
from awsgw.providers.changes import Action
from tests.conftest import MotoVpc
from tests.preview.support import EXAMPLES, World, example, plan_then_reconcile

EXAMPLE_NAMES = ["quickstart", "production", "listenerset", "nlb", "lattice"]
EDITS = {
    "quickstart": [("weight: 90", "weight: 50")],
    "nlb": [("weight: 90", "weight: 40")],
    "lattice": [("value: /stock", "value: /stock/v2")],
    "production": [('"300"', '"600"'), ("team: shop", "team: web")],
    "listenerset": [("port: 8080", "port: 8081")],
}


def edited(name: str, tmp: Path) -> list[KubeObject]:
    texts = {f.name: f.read_text() for f in sorted((EXAMPLES / name).glob("*.yaml"))}
    for old, new in EDITS[name]:
        assert any(old in t for t in texts.values()), f"{name}: no {old} to edit"
        texts = {file: text.replace(old, new) for file, text in texts.items()}
    for file, text in texts.items():
        (tmp / file).write_text(text)
    return load([tmp])


def without_gateways(objects: list[KubeObject]) -> list[KubeObject]:
    return [o for o in objects if o.kind != "Gateway"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_plan_lists_the_writes_reconcile_makes_from_an_empty_account_to_a_match(
    aws_env: MotoVpc, name: str, tmp_path: Path
) -> None:
    world = World(aws_env)
    objects = example(name)
    assert plan_then_reconcile(world, objects) > 0
    assert plan_then_reconcile(world, objects) == 0
    assert plan_then_reconcile(world, edited(name, tmp_path)) > 0
    assert plan_then_reconcile(world, without_gateways(objects)) > 0
    planned, _ = world.plan(without_gateways(objects))
    assert planned.entries == []


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_plan_of_what_matches_reads_exactly_what_reconcile_reads(
    aws_env: MotoVpc, name: str
) -> None:
    world = World(aws_env)
    objects = example(name)
    world.reconcile(objects)
    _, plan_calls = world.plan(objects)
    _, calls = world.reconcile(objects)
    assert calls.writes() == []
    assert plan_calls.reads() == calls.reads()


def test_a_removed_gateway_is_planned_as_deletes_only(aws_env: MotoVpc) -> None:
    world = World(aws_env)
    world.reconcile(example("quickstart"))
    planned, _ = world.plan(without_gateways(example("quickstart")))
    assert {(e.action, e.gateway) for e in planned.entries} == {(Action.DELETE, "shop/web")}
    kinds = [e.resource.kind for e in planned.entries]
    assert kinds == ["load balancer", "target group", "target group", "security group"]

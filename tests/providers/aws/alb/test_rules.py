"""Listener rule diff: the fewest writes, applied to a simulated listener, give the desired
order; foreign rules are never touched; priorities stay within 1..50000 and unique."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from awsgw.providers.aws.alb.plan.rules import (
    MAX_PRIORITY,
    AlbRulePlan,
    DesiredRule,
    ExistingRule,
    plan_alb_rules,
)
from awsgw.providers.aws.alb.plan.values import AlbAction, AlbCondition, Forward


# ----------------------------------------------------------------------------- simulator
@dataclass
class SimRule:
    arn: str
    priority: int
    conditions: tuple[AlbCondition, ...]
    actions: tuple[AlbAction, ...]
    owned: bool


class PlanError(AssertionError):
    """The plan asks for something ELBv2 would refuse."""


def apply_plan(existing: list[ExistingRule], plan: AlbRulePlan) -> dict[str, SimRule]:
    """Apply a plan the way the ALB provider does (modify; deletes first when renumbering;
    SetRulePriorities in one call; creates; otherwise deletes last) to a listener that
    behaves like ELBv2: priorities 1..50000, never two rules on one priority."""
    rules = {r.arn: SimRule(r.arn, r.priority, r.conditions, r.actions, r.owned) for r in existing}
    foreign = {arn for arn, r in rules.items() if not r.owned}

    def in_use(priority: int, ignore: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
        return any(r.priority == priority for a, r in rules.items() if a not in ignore)

    def check_range(priority: int) -> None:
        if not 1 <= priority <= MAX_PRIORITY:
            raise PlanError(f"priority {priority} outside 1..{MAX_PRIORITY}")

    def delete(arns: list[str]) -> None:
        for arn in arns:
            if arn not in rules:
                raise PlanError(f"delete of unknown rule {arn}")
            if arn in foreign:
                raise PlanError(f"delete of foreign rule {arn}")
            del rules[arn]

    for arn, want, with_conditions in plan.modify:
        if arn not in rules:
            raise PlanError(f"modify of unknown rule {arn}")
        if arn in foreign:
            raise PlanError(f"modify of foreign rule {arn}")
        rules[arn].actions = want.actions
        if with_conditions:
            rules[arn].conditions = want.conditions
    if plan.renumber:
        delete(plan.delete)
    if plan.set_priorities:
        moving = set(plan.set_priorities)
        targets = list(plan.set_priorities.values())
        if len(set(targets)) != len(targets):
            raise PlanError(f"SetRulePriorities with duplicate priorities {targets}")
        for arn, priority in plan.set_priorities.items():
            if arn not in rules:
                raise PlanError(f"SetRulePriorities of unknown rule {arn}")
            if arn in foreign:
                raise PlanError(f"SetRulePriorities moves foreign rule {arn}")
            check_range(priority)
            if in_use(priority, ignore=moving):
                raise PlanError(f"PriorityInUse: {priority} (SetRulePriorities)")
        for arn, priority in plan.set_priorities.items():
            rules[arn].priority = priority
    for n, (priority, want) in enumerate(plan.create):
        check_range(priority)
        if in_use(priority):
            raise PlanError(f"PriorityInUse: {priority} (CreateRule)")
        arn = f"new-{n}"
        rules[arn] = SimRule(arn, priority, want.conditions, want.actions, True)
    if not plan.renumber:
        delete(plan.delete)
    return rules


def assert_converges(existing: list[ExistingRule], desired: list[DesiredRule]) -> AlbRulePlan:
    """Plan, apply, and check the listener ends up exactly as desired."""
    plan = plan_alb_rules(existing, desired)
    final = apply_plan(existing, plan)

    priorities = [r.priority for r in final.values()]
    assert len(set(priorities)) == len(priorities), priorities
    assert all(1 <= p <= MAX_PRIORITY for p in priorities), priorities
    owned = sorted((r for r in final.values() if r.owned), key=lambda r: r.priority)
    assert [DesiredRule(r.conditions, r.actions) for r in owned] == desired
    for before in existing:
        if not before.owned:
            after = final[before.arn]
            assert (after.priority, after.conditions, after.actions) == (
                before.priority,
                before.conditions,
                before.actions,
            )
    return plan


# ----------------------------------------------------------------------------- fixtures
def cond(path: str) -> tuple[AlbCondition, ...]:
    return (AlbCondition("path-pattern", (path,)),)


def fwd(name: str) -> tuple[AlbAction, ...]:
    return (Forward(((name, 1),)),)


def want(path: str, tg: str = "tg-a") -> DesiredRule:
    return DesiredRule(cond(path), fwd(tg))


def have(arn: str, priority: int, path: str, tg: str = "tg-a", owned: bool = True) -> ExistingRule:
    return ExistingRule(arn, priority, cond(path), fwd(tg), owned)


def existing_of(*paths: str, step: int = 10) -> list[ExistingRule]:
    return [have(f"r-{p}", step * (i + 1), p) for i, p in enumerate(paths)]


# ----------------------------------------------------------------------------- basics
def test_identical_existing_and_desired_give_an_empty_plan() -> None:
    existing = existing_of("/a", "/b", "/c")
    plan = assert_converges(existing, [want("/a"), want("/b"), want("/c")])

    assert plan.empty
    assert not plan.renumber


def test_empty_listener_gets_every_rule_created_in_order() -> None:
    desired = [want("/a"), want("/b"), want("/c")]
    plan = assert_converges([], desired)

    assert [r for _, r in plan.create] == desired
    priorities = [p for p, _ in plan.create]
    assert priorities == sorted(priorities)
    assert not (plan.modify or plan.delete or plan.set_priorities)


def test_no_desired_rules_deletes_every_owned_rule() -> None:
    existing = existing_of("/a", "/b")
    plan = assert_converges(existing, [])

    assert sorted(plan.delete) == ["r-/a", "r-/b"]
    assert not (plan.modify or plan.create or plan.set_priorities)


def test_changed_action_is_one_modify_without_conditions() -> None:
    existing = existing_of("/a", "/b", "/c")
    plan = assert_converges(existing, [want("/a"), want("/b", "tg-new"), want("/c")])

    assert plan.modify == [("r-/b", want("/b", "tg-new"), False)]
    assert not (plan.create or plan.delete or plan.set_priorities)


def test_changed_match_is_one_in_place_modify_with_conditions() -> None:
    existing = existing_of("/a", "/b", "/c")
    plan = assert_converges(existing, [want("/a"), want("/b2"), want("/c")])

    assert plan.modify == [("r-/b", want("/b2"), True)]
    assert not (plan.create or plan.delete or plan.set_priorities)


def test_inserted_rule_is_one_create_strictly_between_its_neighbours() -> None:
    existing = existing_of("/a", "/c")  # priorities 10, 20
    plan = assert_converges(existing, [want("/a"), want("/b"), want("/c")])

    assert len(plan.create) == 1
    priority, rule = plan.create[0]
    assert rule == want("/b")
    assert 10 < priority < 20
    assert not (plan.set_priorities or plan.modify or plan.delete or plan.renumber)


def test_inserted_rule_at_the_front_is_created_before_the_first() -> None:
    existing = existing_of("/b", "/c")
    plan = assert_converges(existing, [want("/a"), want("/b"), want("/c")])

    assert len(plan.create) == 1
    assert 1 <= plan.create[0][0] < 10
    assert not (plan.set_priorities or plan.renumber)


def test_appended_rule_is_created_after_the_last() -> None:
    existing = existing_of("/a", "/b")
    plan = assert_converges(existing, [want("/a"), want("/b"), want("/c")])

    assert len(plan.create) == 1
    assert plan.create[0][0] > 20
    assert not (plan.set_priorities or plan.renumber)


def test_several_inserted_rules_in_one_gap_keep_their_order() -> None:
    existing = existing_of("/a", "/z", step=100)
    desired = [want("/a"), want("/b"), want("/c"), want("/d"), want("/z")]
    plan = assert_converges(existing, desired)

    priorities = [p for p, _ in plan.create]
    assert len(priorities) == 3
    assert 100 < priorities[0] < priorities[1] < priorities[2] < 200
    assert not (plan.set_priorities or plan.renumber)


def test_removed_rule_is_one_delete() -> None:
    existing = existing_of("/a", "/b", "/c")
    plan = assert_converges(existing, [want("/a"), want("/c")])

    assert plan.delete == ["r-/b"]
    assert not (plan.create or plan.modify or plan.set_priorities)


def test_reordering_uses_set_priorities_only() -> None:
    existing = existing_of("/a", "/b", "/c")
    desired = [want("/c"), want("/a"), want("/b")]
    plan = assert_converges(existing, desired)

    assert plan.set_priorities
    assert not (plan.create or plan.delete or plan.modify)
    assert list(plan.set_priorities) == ["r-/c"]  # /a and /b already in relative order


def test_reversing_moves_all_but_one_rule() -> None:
    existing = existing_of("/a", "/b", "/c", "/d")
    desired = [want("/d"), want("/c"), want("/b"), want("/a")]
    plan = assert_converges(existing, desired)

    assert len(plan.set_priorities) == 3
    assert not (plan.create or plan.delete or plan.modify)


def test_reordering_with_a_changed_action_modifies_and_moves() -> None:
    existing = existing_of("/a", "/b")
    plan = assert_converges(existing, [want("/b", "tg-new"), want("/a")])

    assert plan.modify == [("r-/b", want("/b", "tg-new"), False)]
    assert len(plan.set_priorities) == 1
    assert not (plan.create or plan.delete)


def test_removed_and_added_rules_reuse_the_old_rule_in_place() -> None:
    existing = existing_of("/a", "/b")
    plan = assert_converges(existing, [want("/a"), want("/x")])

    assert plan.modify == [("r-/b", want("/x"), True)]
    assert not (plan.create or plan.delete)


def test_duplicate_owned_rules_are_cleaned_up() -> None:
    existing = [have("r1", 10, "/a"), have("r2", 20, "/a")]
    plan = assert_converges(existing, [want("/a")])

    assert plan.delete == ["r2"]


# ----------------------------------------------------------------------------- foreign rules
def test_foreign_rules_are_never_modified_deleted_or_moved() -> None:
    existing = [
        have("f1", 5, "/a", owned=False),
        have("r-/a", 10, "/a"),
        have("f2", 15, "/zzz", owned=False),
        have("r-/b", 20, "/b"),
        have("r-/c", 30, "/c"),
    ]
    desired = [want("/c"), want("/b", "tg-new"), want("/d")]
    plan = assert_converges(existing, desired)

    touched = {arn for arn, _, _ in plan.modify} | set(plan.set_priorities) | set(plan.delete)
    assert not touched & {"f1", "f2"}


def test_foreign_priorities_are_never_taken() -> None:
    foreign = [have(f"f{p}", p, f"/foreign{p}", owned=False) for p in range(11, 20)]
    existing = [have("r-/a", 10, "/a"), *foreign, have("r-/c", 20, "/c")]
    plan = assert_converges(existing, [want("/a"), want("/b"), want("/c")])

    foreign_priorities = {r.priority for r in foreign}
    assert not {p for p, _ in plan.create} & foreign_priorities
    assert not set(plan.set_priorities.values()) & foreign_priorities


def test_desired_rule_identical_to_a_foreign_rule_is_created_as_our_own() -> None:
    existing = [have("f1", 10, "/a", owned=False)]
    plan = assert_converges(existing, [want("/a")])

    assert len(plan.create) == 1
    assert plan.create[0][0] != 10
    assert not plan.modify


def test_renumbering_skips_foreign_priorities() -> None:
    existing = [have("r1", 1, "/a"), have("r2", 2, "/c")]
    existing += [have(f"f{p}", p, f"/f{p}", owned=False) for p in (12, 22, 32, 42)]
    plan = assert_converges(existing, [want("/a"), want("/b"), want("/c")])

    assert plan.renumber
    used = {p for p, _ in plan.create} | set(plan.set_priorities.values())
    assert not used & {12, 22, 32, 42}


# ----------------------------------------------------------------------------- crowding
def test_crowded_priorities_fall_back_to_renumbering_in_increasing_order() -> None:
    existing = [have("r-/a", 1, "/a"), have("r-/c", 2, "/c")]
    desired = [want("/a"), want("/b"), want("/c")]
    plan = assert_converges(existing, desired)

    assert plan.renumber
    new = {**{r.arn: r.priority for r in existing}, **plan.set_priorities}
    created = iter(plan.create)
    order = []
    for rule in desired:
        if rule == want("/b"):
            order.append(next(created)[0])
        else:
            order.append(new[f"r-{rule.conditions[0].values[0]}"])
    assert order == sorted(order)
    assert len(set(order)) == 3


def test_reordering_in_a_crowded_space_still_converges() -> None:
    existing = [have(f"r{i}", i + 1, f"/{i}") for i in range(6)]  # priorities 1..6
    desired = [want(f"/{i}") for i in (5, 0, 4, 1, 3, 2)] + [want("/new")]
    plan = assert_converges(existing, desired)

    assert not plan.delete


def test_crowded_space_near_the_top_of_the_priority_range_converges() -> None:
    existing = [have("r-/a", MAX_PRIORITY - 1, "/a"), have("r-/c", MAX_PRIORITY, "/c")]
    plan = assert_converges(existing, [want("/a"), want("/b"), want("/c")])

    assert plan.renumber


def test_appending_after_a_rule_at_the_top_priority_converges() -> None:
    existing = [have("r-/a", MAX_PRIORITY, "/a")]
    assert_converges(existing, [want("/a"), want("/b")])


def test_renumbering_near_the_top_with_reordering_converges() -> None:
    existing = [
        have("r-/a", 10, "/a"),
        have("r-/b", MAX_PRIORITY - 1, "/b"),
        have("r-/c", MAX_PRIORITY, "/c"),
    ]
    assert_converges(existing, [want("/b"), want("/x"), want("/a"), want("/c"), want("/y")])


def test_one_hundred_rules_fit_and_keep_priorities_in_range() -> None:
    desired = [want(f"/{i}") for i in range(100)]
    plan = assert_converges([], desired)

    assert len(plan.create) == 100


# ----------------------------------------------------------------------------- random
def random_case(rng: random.Random) -> tuple[list[ExistingRule], list[DesiredRule]]:
    paths = [f"/{i}" for i in range(12)]
    tgs = ["tg-a", "tg-b"]
    count = rng.randint(0, 10)
    priorities = rng.sample(
        rng.choice([range(1, 30), range(1, 200), range(MAX_PRIORITY - 40, MAX_PRIORITY + 1)]),
        count + 3,
    )
    existing = [
        have(f"r{i}", priorities[i], rng.choice(paths), rng.choice(tgs)) for i in range(count)
    ]
    existing += [
        have(f"f{i}", priorities[count + i], rng.choice(paths), owned=False)
        for i in range(rng.randint(0, 3))
    ]
    chosen = rng.sample(paths, rng.randint(0, 10))
    desired = [want(p, rng.choice(tgs)) for p in chosen]
    return existing, desired


@pytest.mark.parametrize("seed", range(300))
def test_random_listeners_converge_to_the_desired_order(seed: int) -> None:
    existing, desired = random_case(random.Random(seed))

    assert_converges(existing, desired)

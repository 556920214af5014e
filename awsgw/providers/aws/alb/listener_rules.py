"""An ALB listener's rules, read and written: the live rules in the compiler's canonical
form, and the fewest ELBv2 writes (``plan.rules``) that turn them into the wanted ones.

Modified in place first, created before stale ones are deleted (no 404 gap), re-ordered in
one ``SetRulePriorities``; when priorities are rebuilt, stale rules go first to free theirs.
Rules without this cluster's owner tag are never touched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsgw.providers.aws.alb.plan.compile import AlbListener
from awsgw.providers.aws.alb.plan.rules import DesiredRule, ExistingRule, plan_alb_rules
from awsgw.providers.aws.alb.plan.shapes import (
    actions_api,
    actions_canon,
    conditions_api,
    conditions_canon,
    transforms_api,
    transforms_canon,
)
from awsgw.providers.aws.alb.plan.text import actions_text, conditions_text, transforms_text
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import CLUSTER_TAG, owned_by, tag_list
from awsgw.providers.aws.common.writes import Write
from awsgw.providers.aws.elbv2.describe import all_rules, tags_of
from awsgw.providers.aws.elbv2.resources import RULE
from awsgw.providers.aws.elbv2.target_groups import ELBV2
from awsgw.providers.changes import Change, Resource, Value, creating, deleting, modifying


def live_rules(
    elbv2: Any, listener_arn: str, names: dict[str, str], cluster: str
) -> list[ExistingRule]:
    """A listener's rules (the default one left out); ``names``: target group ARN → name."""
    rules = [r for r in all_rules(elbv2, listener_arn) if not r.get("IsDefault")]
    tags = tags_of(elbv2, [r["RuleArn"] for r in rules])
    return [
        ExistingRule(
            arn=r["RuleArn"],
            priority=int(r["Priority"]),
            conditions=conditions_canon(r.get("Conditions", [])),
            actions=actions_canon(r.get("Actions", []), names),
            owned=owned_by(tags.get(r["RuleArn"], {}), cluster),
            transforms=transforms_canon(r.get("Transforms")),
        )
        for r in rules
    ]


def apply_rules(
    aws: Aws,
    cluster: str,
    listener: Resource,
    listener_arn: str,
    current: list[ExistingRule],
    want: AlbListener,
    tg_arns: dict[str, str],
    user_tags: Mapping[str, str] | None = None,
) -> None:
    """Make the listener's rules ``want``'s with the fewest calls; new rules carry the
    owner tag and ``user_tags``."""
    desired = [DesiredRule(r.conditions, r.actions, r.transforms) for r in want.rules]
    plan = plan_alb_rules(current, desired)
    owner = {**(user_tags or {}), CLUSTER_TAG: cluster}
    tags = tag_list(owner)
    live = {r.arn: r for r in current}

    def rule(arn: str) -> Resource:
        return listener.child(RULE, str(live[arn].priority))

    def send(method: str, params: dict[str, Any], *changes: Change) -> None:
        aws.write(Write(ELBV2, method, params, changes))

    for arn, new, with_conditions in plan.modify:
        kwargs: dict[str, Any] = {"RuleArn": arn, "Actions": actions_api(new.actions, tg_arns)}
        if with_conditions:
            kwargs["Conditions"] = conditions_api(new.conditions)
        if new.transforms:
            kwargs["Transforms"] = transforms_api(new.transforms)
        else:
            kwargs["ResetTransforms"] = True
        send("modify_rule", kwargs, modifying(rule(arn), _rule_diffs(live[arn], new)))
    if plan.renumber:
        for arn in plan.delete:
            send("delete_rule", {"RuleArn": arn}, _deleted(rule(arn), live[arn]))
    if plan.set_priorities:
        moves = sorted(plan.set_priorities.items())
        send(
            "set_rule_priorities",
            {"RulePriorities": [{"RuleArn": a, "Priority": p} for a, p in moves]},
            *(modifying(rule(a), {"Priority": (live[a].priority, p)}) for a, p in moves),
        )
    for priority, new in plan.create:
        extra = {"Transforms": transforms_api(new.transforms)} if new.transforms else {}
        params = {
            "ListenerArn": listener_arn,
            "Priority": priority,
            "Conditions": conditions_api(new.conditions),
            "Actions": actions_api(new.actions, tg_arns),
            "Tags": tags,
            **extra,
        }
        values: dict[str, Value] = {
            "Priority": priority,
            "Conditions": conditions_text(new.conditions),
            "Actions": actions_text(new.actions),
            "Transforms": transforms_text(new.transforms) or None,
            "Tags": owner,
        }
        send("create_rule", params, creating(listener.child(RULE, str(priority)), values))
    if not plan.renumber:
        for arn in plan.delete:
            send("delete_rule", {"RuleArn": arn}, _deleted(rule(arn), live[arn]))


def _rule_diffs(have: ExistingRule, want: DesiredRule) -> dict[str, tuple[Value, Value]]:
    """Change record fields of a rule rewritten in place: what differs, old → new."""
    diffs: dict[str, tuple[Value, Value]] = {}
    if have.conditions != want.conditions:
        diffs["Conditions"] = (conditions_text(have.conditions), conditions_text(want.conditions))
    if have.actions != want.actions:
        diffs["Actions"] = (actions_text(have.actions), actions_text(want.actions))
    if have.transforms != want.transforms:
        diffs["Transforms"] = (transforms_text(have.transforms), transforms_text(want.transforms))
    return diffs


def _deleted(resource: Resource, have: ExistingRule) -> Change:
    values = {
        "Conditions": conditions_text(have.conditions),
        "Actions": actions_text(have.actions),
    }
    return deleting(resource, values)

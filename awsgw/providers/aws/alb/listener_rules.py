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
from awsgw.providers.aws.common.tags import CLUSTER_TAG, owned_by, tag_list
from awsgw.providers.aws.elbv2.describe import all_rules, tags_of


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
    elbv2: Any,
    cluster: str,
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
    tags = tag_list({**(user_tags or {}), CLUSTER_TAG: cluster})
    for arn, rule, with_conditions in plan.modify:
        kwargs: dict[str, Any] = {"RuleArn": arn, "Actions": actions_api(rule.actions, tg_arns)}
        if with_conditions:
            kwargs["Conditions"] = conditions_api(rule.conditions)
        if rule.transforms:
            kwargs["Transforms"] = transforms_api(rule.transforms)
        else:
            kwargs["ResetTransforms"] = True
        elbv2.modify_rule(**kwargs)
    if plan.renumber:
        for arn in plan.delete:
            elbv2.delete_rule(RuleArn=arn)
    if plan.set_priorities:
        elbv2.set_rule_priorities(
            RulePriorities=[
                {"RuleArn": a, "Priority": p} for a, p in sorted(plan.set_priorities.items())
            ]
        )
    for priority, rule in plan.create:
        extra = {"Transforms": transforms_api(rule.transforms)} if rule.transforms else {}
        elbv2.create_rule(
            ListenerArn=listener_arn,
            Priority=priority,
            Conditions=conditions_api(rule.conditions),
            Actions=actions_api(rule.actions, tg_arns),
            Tags=tags,
            **extra,
        )
    if not plan.renumber:
        for arn in plan.delete:
            elbv2.delete_rule(RuleArn=arn)

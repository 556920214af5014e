"""NLB forwards ↔ ELBv2 API shapes (pure): what ``CreateListener``/``ModifyListener`` take,
and the canonical form of what ``DescribeListeners`` returns, to compare with the plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsgw.providers.aws.elbv2.plan.forward import forwarded
from awsgw.providers.aws.nlb.plan.compile import NlbForward


def forward_api(forward: NlbForward, arns: Mapping[str, str]) -> list[dict[str, Any]]:
    """A listener's default actions: one forward (weighted when it has several groups)."""
    if len(forward.groups) == 1:
        return [{"Type": "forward", "TargetGroupArn": arns[forward.groups[0][0]]}]
    groups = [{"TargetGroupArn": arns[name], "Weight": w} for name, w in forward.groups]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def forward_canon(actions: list[dict[str, Any]], names: Mapping[str, str]) -> NlbForward | None:
    """The forward live default actions make (``names``: target group ARN → name), or None
    when they are anything else."""
    if len(actions) != 1 or actions[0].get("Type") != "forward":
        return None
    live = forwarded(actions[0])
    pairs = []
    for arn, weight in live:
        name = names.get(arn)
        if name is None:
            return None
        pairs.append((name, 1 if len(live) == 1 else weight))
    return NlbForward(tuple(sorted(pairs)))

"""ALB rule conditions, actions and transforms (canonical form) as change records show them
(pure): ``host-header ~ ^[sS][hH][oO][pP]$``, ``path-pattern = /cart, /cart/*``,
``http-header x-canary ~ ^true$``, ``forward a (weight 90), b (weight 10)``."""

from __future__ import annotations

from awsgw.providers.aws.alb.plan.values import (
    HEADER,
    QUERY,
    AlbAction,
    AlbCondition,
    FixedResponse,
    ForeignAction,
    Forward,
    RedirectTo,
    Transform,
)
from awsgw.providers.aws.elbv2.plan.text import forward_text, redirect_text


def condition_text(condition: AlbCondition) -> str:
    """``=`` compares values, ``~`` matches regular expressions."""
    if condition.field == QUERY:
        pairs = (f"{k}={v}" if k else v for k, v in condition.pairs)
        return f"{QUERY} {', '.join(pairs)}"
    head = f"{HEADER} {condition.header}" if condition.field == HEADER else condition.field
    return f"{head} {'~' if condition.regex else '='} {', '.join(condition.values)}"


def action_text(action: AlbAction) -> str:
    if isinstance(action, Forward):
        return forward_text(action.groups)
    if isinstance(action, FixedResponse):
        return f"fixed-response {action.status}"
    if isinstance(action, RedirectTo):
        a = action
        return redirect_text(a.status, a.protocol, a.host, a.port, a.path, a.query)
    assert isinstance(action, ForeignAction)
    return action.text


def transform_text(transform: Transform) -> str:
    return f"{transform.kind} {transform.regex} -> {transform.replace}"


def conditions_text(conditions: tuple[AlbCondition, ...]) -> list[str]:
    return [condition_text(c) for c in conditions]


def actions_text(actions: tuple[AlbAction, ...]) -> list[str]:
    return [action_text(a) for a in actions]


def transforms_text(transforms: tuple[Transform, ...]) -> list[str]:
    return [transform_text(t) for t in transforms]

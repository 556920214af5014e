"""Listener rule diff (pure): the fewest ELBv2 writes that turn the rules a listener has into
the ordered rules it should have.

Rules with identical conditions are the same rule (actions modified in place); leftover old
rules are rewritten in place before any is created or deleted; rules already in the right
relative order keep their priorities (longest increasing run), the rest move into free gaps.
Foreign rules (without this cluster's owner tag) are never touched and their priorities are
never taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from awsgw.providers.aws.alb.plan.values import AlbAction, AlbCondition, Transform

MAX_PRIORITY = 50000
STEP = 10


@dataclass(frozen=True)
class ExistingRule:
    arn: str
    priority: int
    conditions: tuple[AlbCondition, ...]
    actions: tuple[AlbAction, ...]
    owned: bool = True
    transforms: tuple[Transform, ...] = ()


@dataclass(frozen=True)
class DesiredRule:
    conditions: tuple[AlbCondition, ...]
    actions: tuple[AlbAction, ...]
    transforms: tuple[Transform, ...] = ()


@dataclass
class AlbRulePlan:
    modify: list[tuple[str, DesiredRule, bool]] = field(default_factory=list)
    """(rule ARN, new content, whether conditions change too)."""
    set_priorities: dict[str, int] = field(default_factory=dict)
    create: list[tuple[int, DesiredRule]] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    renumber: bool = False
    """True when priorities are rebuilt: stale rules go first, to free their priorities."""

    @property
    def empty(self) -> bool:
        return not (self.modify or self.set_priorities or self.create or self.delete)


def _longest_increasing(values: list[tuple[int, int]]) -> set[int]:
    """Indices (first item) of a longest strictly increasing run of priorities (second)."""
    best: list[list[tuple[int, int]]] = []
    for item in values:
        candidates = [c for c in best if c[-1][1] < item[1]]
        chain = max(candidates, key=len, default=[])
        best.append([*chain, item])
    longest = max(best, key=len, default=[])
    return {i for i, _ in longest}


def _spread(lo: int, hi: int, count: int, blocked: set[int]) -> list[int] | None:
    """``count`` increasing free priorities strictly between lo and hi, evenly spaced."""
    if hi > MAX_PRIORITY:  # open end: step by STEP from lo
        out: list[int] = []
        p = lo
        while len(out) < count:
            p += STEP
            if p > MAX_PRIORITY:
                return None
            if p not in blocked:
                out.append(p)
        return out
    free = [p for p in range(lo + 1, hi) if p not in blocked]
    if len(free) < count:
        return None
    stride = len(free) / (count + 1)
    return [free[int(stride * (i + 1))] for i in range(count)]


def plan_alb_rules(existing: list[ExistingRule], desired: list[DesiredRule]) -> AlbRulePlan:
    """Diff one listener's rules (default action excluded)."""
    plan = AlbRulePlan()
    owned = sorted((r for r in existing if r.owned), key=lambda r: r.priority)
    foreign = {r.priority for r in existing if not r.owned}
    by_conditions: dict[tuple[AlbCondition, ...], ExistingRule] = {}
    for rule in owned:
        by_conditions.setdefault(rule.conditions, rule)
    paired: list[ExistingRule | None] = []
    used: set[str] = set()
    for want in desired:
        have = by_conditions.get(want.conditions)
        if have is not None and have.arn not in used:
            used.add(have.arn)
            paired.append(have)
        else:
            paired.append(None)
    leftovers = [r for r in owned if r.arn not in used]
    for i in range(len(desired)):  # rewrite leftover rules in place, in order
        if paired[i] is None and leftovers:
            paired[i] = leftovers.pop(0)
    for want, have in zip(desired, paired, strict=True):
        if have is None:
            continue
        if have.conditions != want.conditions:
            plan.modify.append((have.arn, want, True))
        elif have.actions != want.actions or have.transforms != want.transforms:
            plan.modify.append((have.arn, want, False))
    plan.delete = [r.arn for r in leftovers]

    current = [(i, h.priority) for i, h in enumerate(paired) if h is not None]
    anchors = _longest_increasing(current)
    blocked = foreign | {r.priority for r in existing}
    target: list[int | None] = [
        paired[i].priority if i in anchors and paired[i] is not None else None  # type: ignore[union-attr]
        for i in range(len(desired))
    ]
    ok = True
    i = 0
    while i < len(desired) and ok:
        if target[i] is not None:
            i += 1
            continue
        j = i
        while j < len(desired) and target[j] is None:
            j += 1
        lo = target[i - 1] if i > 0 else 0
        hi = target[j] if j < len(desired) else MAX_PRIORITY + 1
        got = _spread(lo or 0, hi or MAX_PRIORITY + 1, j - i, blocked)
        if got is None:
            ok = False
            break
        target[i:j] = got
        i = j
    if not ok:
        # Stale rules are deleted first; no rule is ever moved onto a priority another
        # rule still holds (SetRulePriorities refuses that).
        plan.renumber = True
        held = foreign | {h.priority for h in paired if h is not None}
        spread = _spread(0, MAX_PRIORITY + 1, len(desired), held)
        if spread is None:
            raise ValueError("no room for the listener's rules within ALB priorities")
        target = list(spread)
    for want, have, prio in zip(desired, paired, target, strict=True):
        assert prio is not None
        if have is None:
            plan.create.append((prio, want))
        elif have.priority != prio:
            plan.set_priorities[have.arn] = prio
    return plan

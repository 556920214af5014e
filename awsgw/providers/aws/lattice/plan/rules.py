"""Lattice listener rule diff (pure): the fewest writes that turn a listener's rules into the
ordered rules it should have, plus the API shapes of matches and actions.

Rules with an identical match are the same rule (changed in place); leftover owned rules
are rewritten in place before any is created or deleted, so creates and deletes never both
happen (the 10-rule quota is never crossed on the way). Priorities already in the right
order are kept; otherwise every rule is renumbered in one ``BatchUpdateRule`` (which may
swap priorities). Foreign rules (without this cluster's owner tag) are never touched and
their priorities are never taken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from awsgw.providers.aws.lattice.plan.specs import (
    LatticeAction,
    LatticeFixed,
    LatticeForward,
    LatticeRule,
    canonical,
)

MAX_PRIORITY = 2000
STEP = 10
FIXED_404: dict[str, Any] = {"fixedResponse": {"statusCode": 404}}


@dataclass(frozen=True)
class LiveRule:
    id: str
    name: str
    priority: int
    match: str
    action: LatticeAction
    owned: bool = True


@dataclass
class LatticeRulePlan:
    update: list[tuple[str, LatticeRule | None, int]] = field(default_factory=list)
    """(rule id, new match and action or None to keep them, priority)."""
    create: list[tuple[int, LatticeRule, str]] = field(default_factory=list)
    """(priority, rule, name)."""
    delete: list[str] = field(default_factory=list)
    renumber: bool = False
    """Priorities are rebuilt: deletes go first, to free theirs."""

    @property
    def empty(self) -> bool:
        return not (self.update or self.create or self.delete)


def _fill(lo: int, hi: int, count: int, blocked: set[int]) -> list[int] | None:
    """``count`` increasing free priorities strictly between lo and hi."""
    free = [p for p in range(lo + 1, hi) if p not in blocked]
    if len(free) < count:
        return None
    if hi > MAX_PRIORITY:  # open end: step from lo
        stepped = [p for p in free if (p - lo) % STEP == 0] or free
        return (stepped if len(stepped) >= count else free)[:count]
    stride = len(free) / (count + 1)
    return [free[int(stride * (i + 1))] for i in range(count)]


def _targets(kept: list[int | None], blocked: set[int]) -> list[int] | None:
    """Keep the given priorities (already increasing) and fill the gaps, or None."""
    out: list[int] = []
    i = 0
    while i < len(kept):
        if kept[i] is not None:
            out.append(kept[i])  # type: ignore[arg-type]
            i += 1
            continue
        j = i
        while j < len(kept) and kept[j] is None:
            j += 1
        lo = out[-1] if out else 0
        hi = kept[j] if j < len(kept) else MAX_PRIORITY + 1
        got = _fill(lo, hi or MAX_PRIORITY + 1, j - i, blocked)
        if got is None:
            return None
        out += got
        i = j
    return out


def plan_lattice_rules(existing: list[LiveRule], desired: list[LatticeRule]) -> LatticeRulePlan:
    """Diff one listener's rules (the default rule excluded)."""
    plan = LatticeRulePlan()
    owned = sorted((r for r in existing if r.owned), key=lambda r: r.priority)
    foreign = {r.priority for r in existing if not r.owned}
    by_match: dict[str, LiveRule] = {}
    for rule in owned:
        by_match.setdefault(rule.match, rule)
    paired: list[LiveRule | None] = []
    used: set[str] = set()
    for want in desired:
        have = by_match.get(want.match)
        paired.append(have if have is not None and have.id not in used else None)
        if have is not None and have.id not in used:
            used.add(have.id)
    leftovers = [r for r in owned if r.id not in used]
    for i in range(len(desired)):
        if paired[i] is None and leftovers:
            paired[i] = leftovers.pop(0)
    plan.delete = [r.id for r in leftovers]
    kept: list[int | None] = [h.priority if h else None for h in paired]
    held = [p for p in kept if p is not None]
    blocked = foreign | {r.priority for r in existing}
    targets = _targets(kept, blocked) if held == sorted(set(held)) else None
    if targets is None:
        plan.renumber = True
        targets = _fill(0, MAX_PRIORITY + 1, len(desired), foreign)
        if targets is None:
            raise ValueError("no room for the listener's rules within Lattice priorities")
    names = {r.name for r in existing}
    for want, have, priority in zip(desired, paired, targets, strict=True):
        if have is None:
            n = 1
            while f"awsgw-{n}" in names:
                n += 1
            names.add(f"awsgw-{n}")
            plan.create.append((priority, want, f"awsgw-{n}"))
            continue
        same = have.match == want.match and have.action == want.action
        if not same or have.priority != priority:
            plan.update.append((have.id, None if same else want, priority))
    return plan


# ---------------------------------------------------------------- API shapes


def match_api(match: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(match)
    return loaded


def match_canon(api: dict[str, Any] | None) -> str:
    """A ``GetRule`` match as canonical JSON (``caseSensitive`` defaults to false)."""
    http = dict((api or {}).get("httpMatch") or {})
    if "pathMatch" in http:
        http["pathMatch"] = {"caseSensitive": False, **http["pathMatch"]}
    if http.get("headerMatches"):
        heads = [
            {"caseSensitive": False, **h, "name": h["name"].lower()} for h in http["headerMatches"]
        ]
        http["headerMatches"] = sorted(heads, key=canonical)
    else:
        http.pop("headerMatches", None)
    if not http.get("method"):
        http.pop("method", None)
    return canonical({"httpMatch": http})


def action_api(action: LatticeAction, ids: dict[str, str]) -> dict[str, Any]:
    if isinstance(action, LatticeFixed):
        return {"fixedResponse": {"statusCode": action.status}}
    groups = [
        {"targetGroupIdentifier": ids[name], "weight": weight} for name, weight in action.groups
    ]
    return {"forward": {"targetGroups": groups}}


def action_canon(api: dict[str, Any] | None, names: dict[str, str]) -> LatticeAction:
    """A ``GetRule`` action in the compiler's form (target groups by name)."""
    api = api or {}
    if "fixedResponse" in api:
        return LatticeFixed(int(api["fixedResponse"]["statusCode"]))
    groups = (api.get("forward") or {}).get("targetGroups") or []
    pairs = []
    for g in groups:
        ident = g["targetGroupIdentifier"]
        pairs.append(
            (names.get(ident, names.get(ident.rsplit("/", 1)[-1], ident)), int(g.get("weight", 1)))
        )
    return LatticeForward(tuple(sorted(pairs)))

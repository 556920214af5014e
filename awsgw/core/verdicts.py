"""What providers found, folded into the Routes' verdicts (pure; nothing is mutated).

A Route some of whose rules a provider could not program is ``PartiallyInvalid`` naming
them; one none of whose rules could be programmed is no longer Accepted (and no longer
counted in ``attachedRoutes``). References only the provider could check make ResolvedRefs
false (the first such problem names the reason). Notes are appended to the Accepted
message of the Route's accepted parents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from awsgw.core.attach import Attachment, ParentState
from awsgw.core.conditions import Reason, Verdict
from awsgw.core.findings import ProblemKind, RuleProblem
from awsgw.objects import RouteRef

Notes = Mapping[tuple[RouteRef, str], str]
"""(Route, controller) → a provider's note on the Route."""


@dataclass(frozen=True)
class Judgement:
    parents: dict[RouteRef, list[ParentState]]
    """Each Route's parent entries with the providers' findings folded in."""
    attached: dict[str, dict[str, int]]
    """Gateway key → listener key (``ListenerState.key``) → attachedRoutes (Routes placed
    there and accepted)."""

    def attached_routes(self, gateway: str) -> dict[str, int]:
        return self.attached.get(gateway, {})


def _judge_parent(parent: ParentState, found: list[RuleProblem], rules: int) -> ParentState:
    refs = [(p, reason) for p in found if (reason := p.kind.resolved_refs) is not None]
    if refs and parent.resolved.ok:
        problem, reason = refs[0]
        parent = replace(parent, resolved=Verdict(False, reason, problem.message))
    notes = list(dict.fromkeys(p.message for p in found if p.kind is ProblemKind.NOTE))
    if notes and parent.accepted.ok:
        accepted = parent.accepted
        parent = replace(
            parent, accepted=accepted._replace(message="; ".join([accepted.message, *notes]))
        )
    dropping = [p for p in found if p.kind.drops_the_rule]
    if not parent.accepted.ok or not dropping:
        return parent
    bad = sorted({p.rule_index for p in dropping})
    detail = "; ".join(f"rule {p.rule_index}: {p.message}" for p in dropping)
    if len(bad) >= rules:
        message = f"No rule can be programmed: {detail}"
        return replace(parent, accepted=Verdict(False, Reason.UNSUPPORTED_VALUE, message))
    return replace(parent, partially_invalid=f"Dropped Rule(s) {bad}: {detail}")


def judge(
    attachment: Attachment, problems: Iterable[RuleProblem], notes: Notes | None = None
) -> Judgement:
    """The Routes' final parent entries and every listener's attachedRoutes."""
    by_parent: dict[tuple[RouteRef, str], list[RuleProblem]] = {}
    for p in problems:
        by_parent.setdefault((p.route, p.gateway), []).append(p)
    parents: dict[RouteRef, list[ParentState]] = {}
    for ref, entries in attachment.route_parents.items():
        rules = len(attachment.routes[ref].spec.rules)
        judged = []
        for parent in entries:
            parent = _judge_parent(parent, by_parent.get((ref, parent.gateway_key), []), rules)
            note = (notes or {}).get((ref, parent.controller))
            if note and parent.accepted.ok:
                accepted = parent.accepted
                parent = replace(
                    parent, accepted=accepted._replace(message=f"{accepted.message}; {note}")
                )
            judged.append(parent)
        parents[ref] = judged
    accepted_by: dict[str, set[RouteRef]] = {}
    for ref, entries in parents.items():
        for entry in entries:
            if entry.accepted.ok:
                accepted_by.setdefault(entry.gateway_key, set()).add(ref)
    attached: dict[str, dict[str, int]] = {}
    for key, gws in attachment.gateways.items():
        accepted_here = accepted_by.get(key, set())
        counts = {ls.key: set[RouteRef]() for ls in gws.all_listeners}
        for placement in attachment.placements.get(key, []):
            ref = placement.route.ref
            if ref in accepted_here and placement.listener in counts:
                counts[placement.listener].add(ref)
        attached[key] = {name: len(refs) for name, refs in counts.items()}
    return Judgement(parents, attached)

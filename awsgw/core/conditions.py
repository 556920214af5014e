"""Status conditions: built by the pure core, stamped with transition times at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Condition:
    type: str
    status: bool
    reason: str
    message: str
    observed_generation: int

    def as_dict(self, last_transition_time: str) -> dict[str, Any]:
        return {
            "type": self.type,
            "status": "True" if self.status else "False",
            "reason": self.reason,
            "message": self.message,
            "observedGeneration": self.observed_generation,
            "lastTransitionTime": last_transition_time,
        }


def render(
    conditions: list[Condition], previous: list[dict[str, Any]] | None, now: str
) -> list[dict[str, Any]]:
    """Condition dicts; a condition whose status did not change keeps its transition time."""
    before = {c.get("type"): c for c in previous or []}
    out = []
    for cond in conditions:
        old = before.get(cond.type)
        same = old is not None and old.get("status") == ("True" if cond.status else "False")
        stamp = str(old.get("lastTransitionTime", now)) if same and old else now
        out.append(cond.as_dict(stamp))
    return out

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


def mappings(value: object) -> list[dict[str, Any]]:
    """The mappings of a list read from an object's status (anything else is ignored: a
    status may have been written by anyone)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def render(conditions: list[Condition], previous: object, now: str) -> list[dict[str, Any]]:
    """Condition dicts; a condition whose status did not change keeps its transition time.
    ``previous`` is what the object's status held (whatever its shape)."""
    before = {c.get("type"): c for c in mappings(previous)}
    out = []
    for cond in conditions:
        old = before.get(cond.type)
        same = old is not None and old.get("status") == ("True" if cond.status else "False")
        stamp = str(old.get("lastTransitionTime", now)) if same and old else now
        out.append(cond.as_dict(stamp))
    return out

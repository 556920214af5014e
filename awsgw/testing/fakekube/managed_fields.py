"""``metadata.managedFields``: who owns which fields, as the API server encodes and reports it.

Each entry names a manager, its operation (``Apply`` or ``Update``), the API version its
fields are spelt in, when it last changed the object, the subresource it wrote through and the
fields it owns (FieldsV1). A manager is identified by name, operation, subresource and, for
updaters only, the API version: an applier keeps one entry whatever version it applies in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .fieldpaths import FieldSet, from_fields_v1, path_string, to_fields_v1

APPLY = "Apply"
UPDATE = "Update"
BEFORE_FIRST_APPLY = "before-first-apply"


@dataclass(frozen=True, order=True)
class ManagerId:
    """A manager's identity; ``api_version`` is set for updaters only."""

    manager: str
    operation: str
    api_version: str = ""
    subresource: str = ""

    @classmethod
    def of(cls, manager: str, operation: str, api_version: str, subresource: str) -> ManagerId:
        return cls(
            manager or "unknown", operation, api_version if operation == UPDATE else "", subresource
        )

    def identity(self) -> str:
        """The JSON the API server keys managers by (and sorts conflicts by)."""
        doc: dict[str, str] = {"manager": self.manager, "operation": self.operation}
        if self.api_version:
            doc["apiVersion"] = self.api_version
        if self.subresource:
            doc["subresource"] = self.subresource
        return json.dumps(doc, separators=(",", ":"))

    def describe(self) -> str:
        """As a conflict names it: ``"awsgw" using gateway.networking.k8s.io/v1``."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text


@dataclass(frozen=True)
class Owned:
    """What one manager owns, in which API version, and when it last changed the object."""

    fields: FieldSet
    api_version: str
    time: str | None = None


Managed = dict[ManagerId, Owned]


def is_reset(requested: Any) -> bool:
    """A request's managedFields that clear them: an empty list or a list of one empty entry."""
    return isinstance(requested, list) and (requested == [] or requested == [{}])


def decode(entries: Any) -> Managed:
    """The managers of a managedFields list; ValueError when it is not a valid one."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    out: Managed = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ValueError(f"managed fields entry {i} must be an object")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ValueError("operation must be `Apply` or `Update`")
        api_version = entry.get("apiVersion")
        if not api_version or not isinstance(api_version, str):
            raise ValueError("apiVersion must not be empty")
        if entry.get("fieldsType") != "FieldsV1":
            raise ValueError(f"invalid fieldsType in managed fields entry {i}")
        fields = from_fields_v1(entry.get("fieldsV1") or {})
        mid = ManagerId(
            str(entry.get("manager") or ""),
            operation,
            api_version if operation == UPDATE else "",
            str(entry.get("subresource") or ""),
        )
        time = entry.get("time")
        out[mid] = Owned(fields, api_version, time if isinstance(time, str) else None)
    return out


def encode(managed: Managed) -> list[dict[str, Any]] | None:
    """The managedFields list (None when nobody owns anything), in the API server's order:
    appliers first, then by time, manager, API version and subresource."""
    entries = [(mid, owned) for mid, owned in managed.items() if owned.fields]
    if not entries:
        return None
    entries.sort(
        key=lambda e: (
            e[0].operation,
            e[1].time or "",
            e[0].manager,
            e[1].api_version,
            e[0].subresource,
        )
    )
    out = []
    for mid, owned in entries:
        entry: dict[str, Any] = {
            "manager": mid.manager,
            "operation": mid.operation,
            "apiVersion": owned.api_version,
        }
        if owned.time:
            entry["time"] = owned.time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = to_fields_v1(owned.fields)
        if mid.subresource:
            entry["subresource"] = mid.subresource
        out.append(entry)
    return out


def without_times(entries: Any) -> Any:
    """managedFields with the times left out (changes of time alone are not written)."""
    if not isinstance(entries, list):
        return entries
    return [
        {k: v for k, v in e.items() if k != "time"} if isinstance(e, dict) else e for e in entries
    ]


def conflict_error(conflicts: dict[ManagerId, FieldSet]) -> ApiError:
    """409 Conflict for an apply that would change fields other managers own."""
    ordered = sorted(conflicts, key=ManagerId.identity)
    pairs = [(mid, path) for mid in ordered for path in sorted(conflicts[mid])]
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f"conflict with {mid.describe()}",
            "field": path_string(path),
        }
        for mid, path in pairs
    ]
    if len(pairs) == 1:
        mid, path = pairs[0]
        message = (
            f"Apply failed with 1 conflict: conflict with {mid.describe()}: {path_string(path)}"
        )
    else:
        lines = []
        for mid in ordered:
            lines.append(f"conflicts with {mid.describe()}:")
            lines.extend(f"- {path_string(p)}" for p in sorted(conflicts[mid]))
        message = f"Apply failed with {len(pairs)} conflicts: " + "\n".join(lines)
    return ApiError(409, message, "Conflict", {"causes": causes})

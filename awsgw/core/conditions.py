"""Status conditions: verdicts built by the pure core, stamped with transition times at the
edge. Reasons are the Gateway API's own (apis/v1 doc comments, v1.6.1), one enum."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple


class Reason(StrEnum):
    """Condition reasons awsgw writes (string-valued: they compare equal to the text)."""

    ACCEPTED = "Accepted"
    PROGRAMMED = "Programmed"
    RESOLVED_REFS = "ResolvedRefs"
    SUPPORTED_VERSION = "SupportedVersion"
    NO_CONFLICTS = "NoConflicts"
    PENDING = "Pending"
    INVALID = "Invalid"
    INVALID_PARAMETERS = "InvalidParameters"
    UNSUPPORTED = "Unsupported"
    UNSUPPORTED_ADDRESS = "UnsupportedAddress"
    ADDRESS_NOT_ASSIGNED = "AddressNotAssigned"
    ADDRESS_NOT_USABLE = "AddressNotUsable"
    LISTENERS_NOT_VALID = "ListenersNotValid"
    UNSUPPORTED_PROTOCOL = "UnsupportedProtocol"
    PROTOCOL_CONFLICT = "ProtocolConflict"
    HOSTNAME_CONFLICT = "HostnameConflict"
    INVALID_ROUTE_KINDS = "InvalidRouteKinds"
    INVALID_CERTIFICATE_REF = "InvalidCertificateRef"
    NO_MATCHING_PARENT = "NoMatchingParent"
    NOT_ALLOWED_BY_LISTENERS = "NotAllowedByListeners"
    NO_MATCHING_LISTENER_HOSTNAME = "NoMatchingListenerHostname"
    UNSUPPORTED_VALUE = "UnsupportedValue"
    BACKEND_NOT_FOUND = "BackendNotFound"
    REF_NOT_PERMITTED = "RefNotPermitted"
    INVALID_KIND = "InvalidKind"
    CONFLICTED = "Conflicted"
    TARGET_NOT_FOUND = "TargetNotFound"
    NOT_ALLOWED = "NotAllowed"
    PARENT_NOT_ACCEPTED = "ParentNotAccepted"


class Verdict(NamedTuple):
    """What one condition says: true or false, why (a reason), and the message."""

    ok: bool
    reason: Reason
    message: str


@dataclass(frozen=True)
class Condition:
    type: str
    status: bool
    reason: str
    message: str
    observed_generation: int

    @classmethod
    def of(cls, kind: str, verdict: Verdict, generation: int) -> Condition:
        return cls(kind, verdict.ok, str(verdict.reason), verdict.message, generation)

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

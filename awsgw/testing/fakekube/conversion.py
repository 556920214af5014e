"""Between the served shape of an object and its stored shape.

Objects are stored in their first version's shape; other versions of the same group differ only
in ``apiVersion``. events.k8s.io/v1 Events are stored as core v1 Events (as the API server
does) and converted field by field. Time and MicroTime fields are parsed as Go does and
written back in UTC in the API server's format.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .errors import bad_request
from .resources import CORE_TIME, Resource

# events.k8s.io/v1 field -> core/v1 field (same value)
_EVENT_FIELDS = {
    "note": "message",
    "regarding": "involvedObject",
    "deprecatedCount": "count",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedSource": "source",
    "reportingController": "reportingComponent",
}
_EVENT_BACK = {v: k for k, v in _EVENT_FIELDS.items()}

_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})"
)


def is_events_v1(res: Resource) -> bool:
    return res.group == "events.k8s.io"


def parse_time(value: str, micro: bool) -> datetime:
    """Parse like Go's time.Parse with RFC3339 (Time) or RFC3339 with 6 fraction digits
    (MicroTime): a zone is required; a MicroTime needs exactly six fraction digits."""
    m = _TIME.fullmatch(value)
    if not m or (micro and (m.group(7) is None or len(m.group(7)) != 6)):
        layout = "2006-01-02T15:04:05.000000Z07:00" if micro else "2006-01-02T15:04:05Z07:00"
        raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse')
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    fraction = (m.group(7) or "0")[:6].ljust(6, "0")
    zone = m.group(8)
    tz = UTC
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    return datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=tz)


def format_time(when: datetime, micro: bool = False) -> str:
    utc = when.astimezone(UTC)
    if micro:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_time() -> str:
    return format_time(datetime.now(UTC))


def _normalise_times(res: Resource, obj: dict[str, Any]) -> None:
    for path, kind in res.times.items():
        parts = path.split(".")
        holder: Any = obj
        for part in parts[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or holder.get(parts[-1]) is None:
            continue
        value = holder[parts[-1]]
        try:
            if not isinstance(value, str):
                raise ValueError(f"expected a time string, got {value!r}")
            parsed = parse_time(value, micro=kind != CORE_TIME)
        except ValueError as exc:
            raise bad_request(
                f'{res.kind} in version "{res.versions[0]}" cannot be handled as '
                f"a {res.kind}: {exc}"
            ) from None
        holder[parts[-1]] = format_time(parsed, micro=kind != CORE_TIME)


def check_type(res: Resource, version: str, obj: Any) -> dict[str, Any]:
    """A request body must be an object of this kind and version (missing ones are filled)."""
    if not isinstance(obj, dict):
        raise bad_request("the body of the request must be a JSON object")
    expected = res.api_version(version)
    if obj.get("apiVersion") not in (None, "", expected):
        raise bad_request(
            f"the API version in the data ({obj['apiVersion']}) does not match the "
            f"expected API version ({expected})"
        )
    if obj.get("kind") not in (None, "", res.kind):
        raise bad_request(
            f"the kind in the data ({obj['kind']}) does not match the expected kind ({res.kind})"
        )
    if obj.get("metadata") is not None and not isinstance(obj["metadata"], dict):
        raise bad_request("metadata must be an object")
    return obj


def to_storage(res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
    """The stored shape of a served object (a new top-level dict; nested values are shared)."""
    _normalise_times(res, obj)
    out = dict(obj)
    if is_events_v1(res):
        out = {_EVENT_FIELDS.get(k, k): v for k, v in obj.items()}
        out["apiVersion"], out["kind"] = "v1", "Event"
    else:
        out["apiVersion"], out["kind"] = res.api_version(), res.kind
    return out


def from_storage(res: Resource, version: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The served shape of a stored object (a new top-level dict; nested values are shared)."""
    if is_events_v1(res):
        out: dict[str, Any] = {"kind": "Event", "apiVersion": res.api_version(version)}
        out.update(
            {_EVENT_BACK.get(k, k): v for k, v in obj.items() if k not in ("kind", "apiVersion")}
        )
        out.setdefault("eventTime", None)
        return out
    out = {"kind": res.kind, "apiVersion": res.api_version(version)}
    out.update({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
    return out

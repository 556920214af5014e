"""Ages as ``kubectl get`` shows them: apimachinery's ``HumanDuration`` of the time since a
timestamp (``45s``, ``3m20s``, ``5h``, ``2d3h``, ``400d``, ``3y20d``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .conversion import parse_time


def human_duration(seconds: float) -> str:
    """A duration rounded the way the API server's table printers round it."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if rest == 0 else f"{years}y{rest}d"
    return f"{hours // 24 // 365}y"


def since(timestamp: Any, now: datetime | None = None) -> str:
    """The age of an RFC 3339 ``timestamp``: ``<unknown>`` when it is unset, ``<invalid>``
    when it does not parse."""
    if not timestamp:
        return "<unknown>"
    if not isinstance(timestamp, str):
        return "<invalid>"
    try:
        when = parse_time(timestamp, micro=False)  # any fraction, as Time and MicroTime carry
    except ValueError:
        return "<invalid>"
    return human_duration(((now or datetime.now(UTC)) - when).total_seconds())

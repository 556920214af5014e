"""Hostname matching, intersection and precedence (Gateway API semantics).

A wildcard ``*.example.com`` matches any non-empty label sequence before ``.example.com``
(``a.example.com``, ``a.b.example.com``) but never the apex ``example.com``.
"""

from __future__ import annotations


def is_wildcard(hostname: str) -> bool:
    return hostname.startswith("*.")


def matches(pattern: str, hostname: str) -> bool:
    """Does ``pattern`` (exact or wildcard) match the concrete or wildcard ``hostname``?"""
    pattern, hostname = pattern.lower(), hostname.lower()
    if not is_wildcard(pattern):
        return pattern == hostname
    suffix = pattern[1:]  # ".example.com"
    if is_wildcard(hostname):
        return hostname[1:].endswith(suffix)
    return hostname.endswith(suffix) and len(hostname) > len(suffix)


def intersect(listener: str | None, route: str) -> str | None:
    """The hostnames both accept, as the more specific of the two; None when disjoint."""
    if listener is None:
        return route
    if matches(listener, route):
        return route
    if matches(route, listener):
        return listener
    return None


def served_hostnames(
    listener: str | None, route_hostnames: list[str]
) -> list[tuple[str, str | None]] | None:
    """(hostname served, the Route hostname it comes from) pairs of a Route on a listener.

    The origin is None when the Route names no hostnames. ``[]`` means any host; ``None``
    means the Route's hostnames and the listener's do not intersect at all.
    """
    if not route_hostnames:
        return [(listener.lower(), None)] if listener else []
    found: dict[str, str | None] = {}  # served → origin, the first Route hostname wins
    for hostname in route_hostnames:
        common = intersect(listener, hostname)
        if common is not None:
            found.setdefault(common.lower(), hostname.lower())
    return list(found.items()) or None


def effective_hostnames(listener: str | None, route_hostnames: list[str]) -> list[str] | None:
    """Hostnames a Route serves on a listener (``[]`` any host, None disjoint)."""
    served = served_hostnames(listener, route_hostnames)
    return None if served is None else [name for name, _ in served]


def precedence_key(hostname: str | None) -> tuple[int, int]:
    """Sort key, most specific first: exact names, then wildcards longest first, then any.

    For Routes, pass the Route's own hostname (not its intersection with the listener's).

    Exact names never overlap each other and wildcards of one length never overlap, so this
    total order yields the spec's "largest number of characters in a matching (non-wildcard)
    hostname" for every request.
    """
    if hostname is None:
        return (2, 0)
    if is_wildcard(hostname):
        return (1, -len(hostname))
    return (0, 0)

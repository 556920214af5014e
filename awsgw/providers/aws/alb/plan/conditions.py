"""Gateway API matches → ALB rule conditions (pure).

Hosts, paths and header values are anchored ``RegexValues``, so a PathPrefix matches whole
segments, header values match exactly, and a Host with a port still matches. Host names
compare case-insensitively (RFC 9110): every letter of a host regex is a class of its two
cases, as ALB documents no case-insensitive regex flag; a hostname whose regex would pass
ALB's 128 characters is matched by its plain value instead, which ALB compares
case-insensitively but which cannot match a Host carrying a port (the Route is told).
"""

from __future__ import annotations

import re
from functools import lru_cache

from awsgw.core.model import Match, Rule
from awsgw.providers.aws.alb.plan.values import (
    CATCH_ALL,
    HEADER,
    HOST,
    METHOD,
    PATH,
    QUERY,
    AlbCondition,
    AlbLimits,
    Unsupported,
)

WILDCARDS = re.compile(r"[*?]")
REGEX_SPECIAL = set("\\.^$|?*+()[]{}/")
ANY_PORT = "(:[0-9]+)?"
PLAIN_HOST = re.compile(r"[a-z0-9\-_.*?]+\.[a-z*?]+")
"""What ALB takes as a plain host-header value: letters, digits, ``-_.`` and wildcards, at
least one ``.``, only letters after the last one (128 characters at most)."""
PORT_NOTE = (
    "hostname {host}: matched by its plain ALB host value (its case-insensitive regex "
    "exceeds {limit} characters), so a Host header carrying a port does not match it"
)

ConditionSet = tuple[AlbCondition, ...]
"""The conditions of one ALB rule, sorted."""


def regex_escape(text: str) -> str:
    """Escape regex metacharacters (and ``/``) so the pattern matches ``text`` literally."""
    return "".join("\\" + c if c in REGEX_SPECIAL else c for c in text)


def caseless(text: str) -> str:
    """A regex matching ``text`` literally and case-insensitively by construction: each
    letter becomes a two-letter class."""
    return "".join(
        f"[{c.lower()}{c.upper()}]" if c.isascii() and c.isalpha() else regex_escape(c)
        for c in text
    )


def host_regex(hostname: str) -> str:
    """A host-header regex for a hostname or ``*.`` wildcard: case-insensitive, with an
    optional ``:port`` (the spec ignores the Host header's port; ALB matches it as sent)."""
    if hostname.startswith("*."):
        return f"^[^:]+{caseless(hostname[1:])}{ANY_PORT}$"
    return f"^{caseless(hostname)}{ANY_PORT}$"


@lru_cache(maxsize=65536)
def host_value(hostname: str, limits: AlbLimits) -> tuple[str, bool]:
    """(value, is_regex) matching a Route hostname on ALB: the case-insensitive regex when
    it fits ALB's 128 characters, else the plain value (``PORT_NOTE``). Pure, so
    remembered: every rule of a Route on a hostname asks for it."""
    regex = host_regex(hostname)
    if len(regex) <= limits.regex_length:
        return regex, True
    if len(hostname) <= limits.regex_length and PLAIN_HOST.fullmatch(hostname):
        return hostname, False
    raise Unsupported(
        f"hostname {hostname}: longer than the {limits.regex_length} characters of an ALB "
        "host condition value"
    )


def _regex(pattern: str, what: str, limits: AlbLimits) -> str:
    if len(pattern) > limits.regex_length:
        raise Unsupported(f"{what}: its ALB regex exceeds {limits.regex_length} characters")
    return pattern


def path_condition(m: Match, limits: AlbLimits) -> AlbCondition | None:
    """Exact, PathPrefix and gRPC method-only matches as anchored regexes: a prefix matches
    whole segments only."""
    if m.path_type == "Exact":
        return AlbCondition(PATH, (_regex(f"^{regex_escape(m.path)}$", "path", limits),), True)
    if m.path_type == "PathPrefix":
        prefix = m.path.rstrip("/")
        if not prefix:
            return None
        regex = _regex(f"^{regex_escape(prefix)}(/.*)?$", "path", limits)
        return AlbCondition(PATH, (regex,), True)
    if m.path_type == "GRPCMethod":  # a gRPC method of any service: /<service>/<method>
        regex = _regex(f"^/[^/]+{regex_escape(m.path)}$", "gRPC method", limits)
        return AlbCondition(PATH, (regex,), True)
    raise Unsupported("path type RegularExpression is not supported on ALB")


def _fixed_conditions(m: Match, limits: AlbLimits) -> list[AlbCondition]:
    out: list[AlbCondition] = []
    for h in m.headers:
        if h.type != "Exact":
            raise Unsupported(f"header {h.name}: type {h.type} is not supported on ALB")
        exact = _regex(f"^{regex_escape(h.value)}$", f"header {h.name}", limits)
        out.append(AlbCondition(HEADER, (exact,), True, header=h.name.lower()))
    for q in m.query:
        if q.type != "Exact":
            raise Unsupported(f"query param {q.name}: type {q.type} is not supported on ALB")
        if WILDCARDS.search(q.name + q.value):
            raise Unsupported(f"query param {q.name}: ALB treats * and ? as wildcards")
        out.append(AlbCondition(QUERY, pairs=((q.name, q.value),)))
    if m.method:
        out.append(AlbCondition(METHOD, (m.method,)))
    path = path_condition(m, limits)
    if path is not None:
        out.append(path)
    return out


def _chunks(values: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def conditions_for(
    rule: Rule, limits: AlbLimits
) -> tuple[tuple[ConditionSet, ...], tuple[str, ...]]:
    """Condition sets of the ALB rules that together express one match (several when the
    host values do not fit one rule's evaluation budget, or mix regex and plain values),
    and notes on what ALB serves differently from the spec."""
    if rule.route.kind == "GRPCRoute" and rule.match.path_type == "RegularExpression":
        raise Unsupported("method match type RegularExpression is not supported on ALB")
    return _conditions(rule.match, rule.hostnames, limits)


@lru_cache(maxsize=8192)
def _conditions(
    match: Match, hostnames: tuple[str, ...], limits: AlbLimits
) -> tuple[tuple[ConditionSet, ...], tuple[str, ...]]:
    """Pure, and the same (match, hostnames) recurs across Routes and Gateways: remembered."""
    base = _fixed_conditions(match, limits)
    used = sum(c.evaluations for c in base)
    if used > limits.values_per_rule:
        raise Unsupported(
            f"match needs {used} condition values; an ALB rule takes {limits.values_per_rule}"
        )
    regexes: list[str] = []
    plain: list[str] = []
    notes: list[str] = []
    for h in dict.fromkeys(h.lower() for h in hostnames):
        value, is_regex = host_value(h, limits)
        (regexes if is_regex else plain).append(value)
        if not is_regex:
            notes.append(PORT_NOTE.format(host=h, limit=limits.regex_length))
    if not regexes and not plain:
        return (tuple(sorted(base)) or (CATCH_ALL,),), tuple(notes)
    room = min(limits.values_per_condition, limits.values_per_rule - used)
    if room < 1:
        raise Unsupported(
            f"match with hostnames needs {used + 1} condition values; "
            f"an ALB rule takes {limits.values_per_rule}"
        )
    sets = tuple(
        tuple(sorted([*base, AlbCondition(HOST, chunk, regex)]))
        for regex, values in ((True, regexes), (False, plain))
        for chunk in _chunks(tuple(values), room)
    )
    return sets, tuple(notes)


def host_condition(hostname: str, limits: AlbLimits) -> AlbCondition:
    """The host-header condition matching one hostname (regex, else plain value)."""
    value, is_regex = host_value(hostname.lower(), limits)
    return AlbCondition(HOST, (value,), is_regex)

"""ALB rule conditions, actions and transforms in a canonical, hashable form (pure): what
the compiler produces, what ``shapes`` turns into ELBv2 API shapes and reads back from
``DescribeRules``, and what the rule diff compares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

HOST = "host-header"
PATH = "path-pattern"
HEADER = "http-header"
QUERY = "query-string"
METHOD = "http-request-method"


class Unsupported(Exception):
    """A rule ALB cannot express exactly."""


@dataclass(frozen=True)
class AlbLimits:
    """ELBv2 quotas (defaults from the AWS documentation); moto enforces none of them."""

    rules_per_listener: int = 100
    values_per_rule: int = 5
    values_per_condition: int = 3
    target_groups_per_action: int = 5
    max_weight: int = 999
    regex_length: int = 128


DEFAULT_LIMITS = AlbLimits()
"""The documented quotas: one object, so the compiler's caches find it by identity."""


class AlbCondition(NamedTuple):
    """One rule condition: ``field`` with ``values`` (``RegexValues`` when ``regex``); an
    http-header condition names its ``header``; a query-string one has ``pairs``. A named
    tuple: the compiler keeps every rule's conditions in a set, and the rule diff keys
    rules by them."""

    field: str
    values: tuple[str, ...] = ()
    regex: bool = False
    header: str = ""
    pairs: tuple[tuple[str, str], ...] = ()

    @property
    def evaluations(self) -> int:
        """Match evaluations it costs (ELBv2 counts each value)."""
        return len(self.pairs) if self.field == QUERY else len(self.values)


CATCH_ALL = AlbCondition(PATH, ("/*",))


@dataclass(frozen=True)
class Forward:
    groups: tuple[tuple[str, int], ...]
    """(target group name, weight), sorted; one group always weighs 1."""


@dataclass(frozen=True)
class FixedResponse:
    status: str
    """``404``, ``500``."""


@dataclass(frozen=True)
class RedirectTo:
    """A redirect action; ``#{...}`` placeholders keep what the request had."""

    protocol: str
    port: str
    host: str
    path: str
    query: str
    status: str
    """``HTTP_301`` or ``HTTP_302``."""


@dataclass(frozen=True)
class ForeignAction:
    """An action of a kind awsgw never writes (read back from a rule someone else made):
    it never equals one of ours."""

    text: str


AlbAction = Forward | FixedResponse | RedirectTo | ForeignAction


@dataclass(frozen=True, order=True)
class Transform:
    """A rule transform: ``url-rewrite`` or ``host-header-rewrite`` of the first match of
    ``regex`` (``$n`` are its groups in ``replace``)."""

    kind: str
    regex: str
    replace: str


NOT_FOUND = (FixedResponse("404"),)
SERVER_ERROR = (FixedResponse("500"),)

"""What a pass changes in the cloud, as typed records: one ``Change`` per resource a write
creates, modifies or deletes, with the fields that differ (old -> new). Providers produce
them at their single write seam; ``awsgw reconcile`` sends the writes behind them, ``awsgw
plan`` only collects them (``ChangeLog``).

A value that only the cloud's answer to a create gives (an ARN, an id, a DNS name) is a
``Pending`` placeholder in a plan: later steps carry it instead of asking the cloud about a
resource that does not exist yet, and it is shown as ``(known after apply)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeAlias

__all__ = [
    "KNOWN_AFTER_APPLY",
    "Action",
    "Change",
    "ChangeLog",
    "FieldDiff",
    "Pending",
    "Resource",
    "Value",
    "creating",
    "deleting",
    "is_pending",
    "known",
    "modifying",
    "pending",
    "tag_field",
]

Value: TypeAlias = str | int | float | bool | None | Sequence["Value"] | Mapping[str, "Value"]
"""A field's value: what JSON can carry."""

KNOWN_AFTER_APPLY = "(known after apply)"
_PENDING = re.compile(r"\(known after apply: [^)]*\)")


class Pending(str):
    """A value a create's answer gives, in a plan (the create was not sent). Its text is
    unique (it names what it stands for), so placeholders never collide as keys."""

    __slots__ = ()


def pending(what: str) -> Pending:
    """The placeholder of ``what`` (e.g. ``LoadBalancerArn of load balancer gw-1``)."""
    return Pending(f"(known after apply: {what})")


def is_pending(value: object) -> bool:
    """A placeholder (also once copied into a plain ``str``)?"""
    return isinstance(value, str) and value.startswith("(known after apply")


def known(value: Value) -> Value:
    """``value`` with every placeholder, also inside text, shown as ``(known after
    apply)``: what output carries."""
    if isinstance(value, str):
        return _PENDING.sub(KNOWN_AFTER_APPLY, value)
    if isinstance(value, Mapping):
        return {str(k): known(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [known(v) for v in value]
    return value


def tag_field(key: str) -> str:
    """The field of one tag in a change record."""
    return f"tag:{key}"


class Action(StrEnum):
    CREATE = "create"
    MODIFY = "modify"
    DELETE = "delete"


@dataclass(frozen=True)
class Resource:
    """A cloud resource as people name it: ``listener 80`` of ``load balancer gw-1``."""

    kind: str
    name: str
    parent: Resource | None = None

    def __str__(self) -> str:
        own = f"{self.kind} {self.name}"
        return own if self.parent is None else f"{own} of {self.parent}"

    def child(self, kind: str, name: str) -> Resource:
        return Resource(kind, name, self)


@dataclass(frozen=True)
class FieldDiff:
    """One field of a resource: ``old`` None on a create, ``new`` None on a delete."""

    name: str
    old: Value = None
    new: Value = None


@dataclass(frozen=True)
class Change:
    """One resource a write creates, modifies or deletes."""

    action: Action
    resource: Resource
    fields: tuple[FieldDiff, ...] = ()
    operation: str = ""
    """The API call that makes it (``elasticloadbalancing:CreateLoadBalancer``)."""
    gateway: str | None = None
    """The Gateway key whose pass made it (None: work that spans Gateways)."""
    controller: str | None = None
    """The GatewayClass controller of the provider that made it."""


def creating(resource: Resource, values: Mapping[str, Value], operation: str = "") -> Change:
    """A create, its fields the new resource's values (None values left out)."""
    fields = tuple(FieldDiff(k, None, v) for k, v in values.items() if v is not None)
    return Change(Action.CREATE, resource, fields, operation)


def modifying(
    resource: Resource, diffs: Mapping[str, tuple[Value, Value]], operation: str = ""
) -> Change:
    """A modify, field name -> (old, new)."""
    fields = tuple(FieldDiff(k, old, new) for k, (old, new) in diffs.items())
    return Change(Action.MODIFY, resource, fields, operation)


def deleting(resource: Resource, values: Mapping[str, Value] | None = None) -> Change:
    """A delete, its fields what the resource was (None values left out)."""
    fields = tuple(FieldDiff(k, v, None) for k, v in (values or {}).items() if v is not None)
    return Change(Action.DELETE, resource, fields)


@dataclass
class ChangeLog:
    """The changes of a plan, in the order a reconcile would make them, each with the
    Gateway (and controller) whose pass made it."""

    changes: list[Change] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    """The write calls that would make them, in order (one may change several)."""
    _gateway: str | None = None
    _controller: str | None = None

    def add(self, change: Change) -> None:
        self.changes.append(replace(change, gateway=self._gateway, controller=self._controller))

    @contextmanager
    def scope(self, controller: str, gateway: str | None) -> Iterator[None]:
        """Changes added meanwhile belong to ``gateway`` (None: spanning Gateways)."""
        saved = self._gateway, self._controller
        self._gateway, self._controller = gateway, controller
        try:
            yield
        finally:
            self._gateway, self._controller = saved

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

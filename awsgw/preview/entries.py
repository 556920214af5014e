"""The plan per resource: a pass's change records merged so each resource of a Gateway
appears once per action (its fields old -> new over every write that touched it), a
modify of a resource the pass creates folded into its create; in the order the pass first
touched each resource."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from awsgw.providers.changes import Action, Change, FieldDiff, Resource


@dataclass
class Entry:
    """One resource a plan creates, modifies or deletes."""

    action: Action
    resource: Resource
    gateway: str | None
    controller: str | None
    fields: dict[str, FieldDiff] = field(default_factory=dict)
    operations: list[str] = field(default_factory=list)

    def absorb(self, change: Change) -> None:
        """Take a later change of the same resource in: the first old value of each field
        and the last new one."""
        for diff in change.fields:
            first = self.fields.get(diff.name)
            old = None if self.action is Action.CREATE else diff.old
            if first is not None:
                old = first.old
            self.fields[diff.name] = FieldDiff(diff.name, old, diff.new)
        if change.operation and change.operation not in self.operations:
            self.operations.append(change.operation)


@dataclass(frozen=True)
class Summary:
    create: int
    modify: int
    delete: int

    @property
    def empty(self) -> bool:
        return not (self.create or self.modify or self.delete)


def entries(changes: Iterable[Change]) -> list[Entry]:
    """The entries of a plan's changes."""
    out: list[Entry] = []
    found: dict[tuple[str | None, Resource], Entry] = {}
    for change in changes:
        key = (change.gateway, change.resource)
        entry = found.get(key)
        same = entry is not None and entry.action is change.action
        folds = entry is not None and (entry.action, change.action) == (
            Action.CREATE,
            Action.MODIFY,
        )
        if entry is not None and (same or folds):
            entry.absorb(change)
            continue
        entry = Entry(change.action, change.resource, change.gateway, change.controller)
        entry.absorb(change)
        found[key] = entry
        out.append(entry)
    for entry in out:  # a field written back to what it was shows no difference
        if entry.action is Action.MODIFY:
            entry.fields = {k: d for k, d in entry.fields.items() if d.old != d.new}
    return out


def summary(found: Iterable[Entry]) -> Summary:
    actions = [e.action for e in found]
    return Summary(
        actions.count(Action.CREATE), actions.count(Action.MODIFY), actions.count(Action.DELETE)
    )

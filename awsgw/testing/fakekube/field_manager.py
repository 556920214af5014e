"""The field manager: how writes change ``managedFields``, as structured-merge-diff's Updater.

An update (create, PUT, non-apply PATCH) gives its manager the fields it added or changed and
takes them from everyone else; removed fields leave every manager. An apply merges the
configuration over the live object, removes what the applier applied before and no longer
applies unless someone else owns it, and refuses (409) to change another manager's fields
unless forced, which takes them over; applying an equal value shares ownership. A write owns
only what its endpoint may change: not ``status`` on a kind's main endpoint when it has a
status subresource, only ``status`` on ``/status``; never apiVersion, kind or the system
metadata (name, namespace, uid, resourceVersion, generation, creationTimestamp, ...).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .conversion import from_storage, now_time
from .errors import internal
from .fieldpaths import EMPTY, FieldSet, Path
from .fieldtypes import TypeTree, kind_types
from .managed_fields import (
    BEFORE_FIRST_APPLY,
    UPDATE,
    Managed,
    ManagerId,
    Owned,
    decode,
    encode,
    is_reset,
    without_times,
)
from .resources import Resource
from .structured import (
    ABSENT,
    StructureError,
    compare,
    json_equal,
    merge,
    remove_items,
    to_field_set,
    with_named_parents,
)

Obj = dict[str, Any]
Keep = Callable[[Path], bool]
MAX_UPDATERS = 10
ANCIENT = "ancient-changes"
_STRIPPED_META = frozenset(
    {
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    }
)


class ApplyConflict(Exception):
    """An apply would change fields other managers own: the fields by manager."""

    def __init__(self, conflicts: dict[ManagerId, FieldSet]) -> None:
        super().__init__(f"{sum(map(len, conflicts.values()))} conflicts")
        self.conflicts = conflicts


def reset_filter(res: Resource, subresource: str) -> Keep:
    """What a write through this endpoint can own (the API server's reset fields)."""

    def keep(path: Path) -> bool:
        top = path[0].text if path else ""
        if subresource == "status":
            return top == "status"
        return not (res.status and top == "status")

    return keep


def _strip(fields: FieldSet) -> FieldSet:
    """Without apiVersion, kind, metadata itself and the system metadata fields."""

    def kept(path: Path) -> bool:
        top = path[0].text if path else ""
        if top in ("apiVersion", "kind") or path == () or (top == "metadata" and len(path) == 1):
            return False
        return not (top == "metadata" and path[1].text in _STRIPPED_META)

    return frozenset(filter(kept, fields))


def empty_object(res: Resource, version: str, tree: TypeTree) -> Obj:
    """What a create starts from: for built-in kinds, as their Go type has it, with an empty
    object for each struct field (``metadata``, ``spec``, ``status``)."""
    out: Obj = {"apiVersion": res.api_version(version), "kind": res.kind}
    if res.builtin:
        for name in tree.root.fields:
            node, _ = tree.field(tree.root, name)
            if node.fields and not node.atomic:
                out[name] = {}
    return out


def _update(
    tree: TypeTree,
    old: Any,
    new: Any,
    managed: Managed,
    workflow: ManagerId,
    force: bool,
    keep: Keep,
) -> tuple[Managed, FieldSet]:
    """Other managers lose fields ``new`` changes (a conflict unless ``force``) and every
    manager but ``workflow`` loses removed fields; returns them and the changed fields."""
    cmp = compare(tree, old, new).excluding(keep)
    changed = cmp.added | cmp.modified
    conflicts = {
        mid: owned.fields & changed
        for mid, owned in managed.items()
        if mid != workflow and owned.fields & changed
    }
    if conflicts and not force:
        raise ApplyConflict(conflicts)
    out: Managed = {}
    for mid, owned in managed.items():
        fields = owned.fields
        if mid != workflow:
            fields = fields - conflicts.get(mid, EMPTY) - cmp.removed
        if fields:
            out[mid] = replace(owned, fields=fields)
    return out, changed


def record_update(
    tree: TypeTree,
    old: Any,
    new: Any,
    managed: Managed,
    mid: ManagerId,
    api_version: str,
    keep: Keep,
) -> Managed:
    """The managers after an update by ``mid`` (in ``api_version``) from ``old`` to ``new``."""
    out, changed = _update(tree, old, new, managed, ManagerId("", "current-operation"), True, keep)
    current = _strip(changed)
    if current:
        previous = out.get(mid)
        fields = current | (previous.fields if previous else EMPTY)
        out[mid] = Owned(fields, api_version, now_time())
    return out


def cap_updaters(managed: Managed) -> Managed:
    """At most ten updaters: the oldest ones' fields go to ``ancient-changes`` (one per API
    version), as kube-apiserver keeps managedFields from growing without end."""
    updaters = sorted(
        (mid for mid in managed if mid.operation == UPDATE),
        key=lambda mid: (managed[mid].time or "", mid.identity()),
    )
    out = dict(managed)
    count = len(updaters)
    first: dict[str, ManagerId] = {}
    for mid in updaters:
        if count <= MAX_UPDATERS:
            break
        owned = out[mid]
        bucket = ManagerId(ANCIENT, UPDATE, owned.api_version)
        if owned.api_version not in first:
            first[owned.api_version] = mid
            continue
        if bucket not in out:
            out[bucket] = out.pop(first[owned.api_version])
        out[bucket] = Owned(owned.fields | out[bucket].fields, owned.api_version, owned.time)
        del out[mid]
        count -= 1
    return out


def _prune(tree: TypeTree, merged: Any, managed: Managed, last: FieldSet) -> Any:
    """Remove what the applier applied last time and not now, unless someone owns it."""
    if not last:
        return merged
    last_e = with_named_parents(tree, last)
    owned: set[Path] = set()
    for entry in managed.values():
        owned |= entry.fields
    pruned = remove_items(tree, merged, last_e)
    merged_e = with_named_parents(tree, to_field_set(tree, merged))
    pruned_e = with_named_parents(tree, to_field_set(tree, _present(pruned)))
    owned_e = with_named_parents(tree, frozenset(owned))
    pruned = remove_items(tree, merged, merged_e - (pruned_e | owned_e))
    pruned_e = with_named_parents(tree, to_field_set(tree, _present(pruned)))
    return remove_items(tree, merged, (merged_e - pruned_e) & last_e)


def _present(value: Any) -> Any:
    return {} if value is ABSENT else value


@dataclass(frozen=True)
class Applied:
    """An apply's outcome: the object, its managers, whether the object changed."""

    obj: Obj
    managed: Managed
    changed: bool


def apply_config(
    tree: TypeTree,
    blank: Obj,
    live: Obj,
    config: Obj,
    managed: Managed,
    mid: ManagerId,
    api_version: str,
    force: bool,
    keep: Keep,
) -> Applied:
    """Server-side apply of ``config`` by ``mid`` in ``api_version`` over ``live`` (neither is
    changed); ``blank`` is the kind's empty object, what ``live`` is for a create."""
    if not managed and live.get("metadata", {}).get("uid"):
        # fields set before anyone applied belong to one updater, so applying can conflict
        first = ManagerId.of(BEFORE_FIRST_APPLY, UPDATE, api_version, mid.subresource)
        managed = record_update(tree, blank, live, {}, first, api_version, keep)
    merged = _present(merge(tree, live, config))
    last = managed.get(mid)
    out = dict(managed)
    applied = frozenset(filter(keep, to_field_set(tree, config, strict=True)))
    out[mid] = Owned(applied, api_version, last.time if last else None)
    merged = _present(_prune(tree, merged, out, last.fields if last else EMPTY))
    out, _ = _update(tree, live, merged, out, mid, force, keep)
    changed = not json_equal(live, merged)
    if mid in out:
        fields = _strip(out[mid].fields)
        out[mid] = Owned(fields, api_version, now_time() if changed else out[mid].time)
    return Applied(merged, out, changed)


# trackers: how the store asks for managedFields on a write


class UpdateTracker:
    """Records a create, update or non-apply patch by ``manager`` through an endpoint."""

    def __init__(self, manager: str, version: str, subresource: str = "") -> None:
        self.manager = manager
        self.version = version
        self.subresource = subresource

    def record(self, res: Resource, old: Obj | None, new: Obj, requested: Any) -> None:
        """Set ``new``'s managedFields (stored shape) for this write of ``new`` over ``old``
        (None for a create); ``requested`` is what the request body said (ABSENT if nothing)."""
        live_entries = old["metadata"].get("managedFields") if old else None
        managed = _decode_live_or_new(live_entries, requested, bool(self.subresource))
        meta = new["metadata"]
        if not managed and old is not None:
            meta.pop("managedFields", None)  # nothing tracked: updates do not start tracking
            return
        tree = kind_types(res, self.version)
        before = (
            from_storage(res, self.version, old)
            if old is not None
            else empty_object(res, self.version, tree)
        )
        mid = ManagerId.of(self.manager, UPDATE, res.api_version(self.version), self.subresource)
        try:
            managed = record_update(
                tree,
                before,
                from_storage(res, self.version, new),
                managed,
                mid,
                res.api_version(self.version),
                reset_filter(res, self.subresource),
            )
        except StructureError:
            managed = _decode_or_empty(live_entries)
        _set_entries(new, encode(cap_updaters(managed)))


class AppliedTracker:
    """Stores the managedFields an apply computed."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] | None = None

    def record(self, res: Resource, old: Obj | None, new: Obj, requested: Any) -> None:
        _set_entries(new, copy.deepcopy(self.entries))


def _set_entries(new: Obj, entries: list[dict[str, Any]] | None) -> None:
    meta = new["metadata"]
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)


def keep_unchanged(old: Obj, new: Obj) -> None:
    """A write that changed nothing but managedFields times keeps the old managedFields
    (and so is no write at all), as kube-apiserver ignores such changes."""
    before = old["metadata"].get("managedFields")
    after = new["metadata"].get("managedFields")
    if not before or after == before or without_times(before) != without_times(after):
        return
    if {**new, "metadata": {**new["metadata"], "managedFields": before}} == old:
        new["metadata"]["managedFields"] = before


def _decode_or_empty(entries: Any) -> Managed:
    try:
        return decode(entries)
    except ValueError:
        return {}


def _decode_live_or_new(live: Any, requested: Any, subresource: bool) -> Managed:
    """The managers a write starts from: a subresource write keeps the live ones; a request
    may reset them (``[{}]``) or replace them with a valid non-empty list of its own."""
    if subresource or requested is ABSENT:
        return _decode_or_empty(live)
    if is_reset(requested):
        return {}
    try:
        managed = decode(requested)
    except ValueError:
        managed = {}
    return managed if managed else _decode_or_empty(live)


def decode_live(entries: Any) -> Managed:
    """The live object's managers for an apply (500 when they do not decode)."""
    try:
        return decode(entries)
    except ValueError as exc:
        raise internal(f"failed to decode managed fields: {exc}") from None

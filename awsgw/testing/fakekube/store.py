"""The object store: a global resourceVersion counter, objects, and a bounded change history.

Every write takes the next resourceVersion and appends a change (ADDED, MODIFIED, DELETED,
with the previous state) to the history that watches replay and paginated lists reconstruct
snapshots from. All methods hold one re-entrant lock; ``cond`` wakes waiting watches. Objects
are stored in their stored shape (see ``conversion``) and never mutated once stored.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from . import errors
from .field_manager import keep_unchanged
from .lifecycle import (
    check_finalizers,
    check_preconditions,
    check_target,
    mark_deleting,
    prepare_create,
    prepare_update,
)
from .namespaces import NamespaceLifecycle, held, is_namespace
from .resources import Resource
from .selectors import Selector
from .structured import ABSENT
from .validation import validate

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)


@dataclass(frozen=True)
class Change:
    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    storage: str
    key: Key
    obj: Obj  # the new state; for DELETED the last state, carrying the deletion's rv
    prev: Obj | None


@dataclass
class ListPage:
    items: list[Obj]
    rv: int
    next_key: Key | None  # where the next page starts after, when there is one
    remaining: int


class Tracker(Protocol):
    """Sets the managedFields of a write (see ``field_manager``)."""

    def record(self, res: Resource, old: Obj | None, new: Obj, requested: Any) -> None: ...


def _requested(obj: Obj) -> Any:
    meta = obj.get("metadata")
    return meta.get("managedFields", ABSENT) if isinstance(meta, dict) else ABSENT


def _recorder(
    track: Tracker, res: Resource, old: Obj | None, requested: Any
) -> Callable[[Obj], None]:
    def record(new: Obj) -> None:
        track.record(res, old, new, requested)

    return record


def parse_rv(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise errors.bad_request(f'invalid resource version: "{text}"') from None
    if value < 0:
        raise errors.bad_request(f'invalid resource version: "{text}"')
    return value


class Store:
    """Objects of every resource, the global resourceVersion and the change history."""

    def __init__(self, history: int) -> None:
        self.cond = threading.Condition(threading.RLock())
        self.rv = 0
        self.epoch = 0  # bumped by close_watches: open watches end
        self.closed = False
        self._history = max(1, history)
        self._objects: dict[str, dict[Key, Obj]] = {}
        self._changes: deque[Change] = deque()
        self._trimmed = 0  # highest rv whose change has left the history
        self._compacted = 0  # a request from an older rv is 410 Gone
        self.watch_cursors: dict[int, int] = {}  # watch id -> rv it has seen up to
        self.namespaces = NamespaceLifecycle(self)

    # reads

    def bucket(self, res: Resource) -> dict[Key, Obj]:
        return self._objects.setdefault(res.storage_id, {})

    def find(self, res: Resource, namespace: str, name: str) -> Obj | None:
        with self.cond:
            return self.bucket(res).get((namespace, name))

    def get(self, res: Resource, namespace: str, name: str) -> Obj:
        found = self.find(res, namespace, name)
        if found is None:
            raise errors.not_found(res.group, res.plural, name)
        return found

    @property
    def trimmed(self) -> int:
        """The highest resourceVersion whose change has left the history."""
        return self._trimmed

    def oldest(self) -> int:
        return max(self._compacted, self._trimmed)

    def check_fresh(self, rv: int, what: str = "resource version") -> None:
        if rv < self.oldest():
            raise errors.expired(f"too old {what}: {rv} ({self.oldest()})")

    def changes_after(self, rv: int) -> Iterator[Change]:
        newer: list[Change] = []
        for change in reversed(self._changes):
            if change.rv <= rv:
                break
            newer.append(change)
        return reversed(newer)

    def snapshot(self, res: Resource, rv: int | None) -> dict[Key, Obj]:
        """The objects of ``res`` as they were at ``rv`` (now when None); 410 if forgotten."""
        with self.cond:
            state = dict(self.bucket(res))
            if rv is None or rv >= self.rv:
                return state
            self.check_fresh(rv)
            for change in reversed(list(self.changes_after(rv))):
                if change.storage != res.storage_id:
                    continue
                if change.type == "ADDED" or change.prev is None:
                    state.pop(change.key, None)
                else:
                    state[change.key] = change.prev
            return state

    def list(
        self,
        res: Resource,
        namespace: str,
        selector: Selector,
        *,
        rv: int | None = None,
        limit: int = 0,
        after: Key | None = None,
    ) -> ListPage:
        """Matching objects ordered by (namespace, name), from ``after``, at most ``limit``."""
        with self.cond:
            list_rv = self.rv if rv is None else rv
            state = self.snapshot(res, rv)
        keys = sorted(k for k in state if not namespace or k[0] == namespace)
        if after is not None:
            keys = [k for k in keys if k > after]
        items = [state[k] for k in keys if selector.matches(state[k])]
        if limit and len(items) > limit:
            last = items[limit - 1]["metadata"]
            page = items[:limit]
            return ListPage(
                page, list_rv, (last.get("namespace", ""), last["name"]), len(items) - limit
            )
        return ListPage(items, list_rv, None, 0)

    # writes

    def commit(self, res: Resource, key: Key, kind: str, obj: Obj, prev: Obj | None) -> Obj:
        """Store a change with the next resourceVersion (no checks: callers make them)."""
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        bucket = self.bucket(res)
        if kind == "DELETED":
            bucket.pop(key, None)
        else:
            bucket[key] = obj
        self._changes.append(Change(self.rv, kind, res.storage_id, key, obj, prev))
        while len(self._changes) > self._history:
            self._trimmed = self._changes.popleft().rv
        self.cond.notify_all()
        self.namespaces.changed(res, key[0])
        return obj

    def _taken_ips(self, res: Resource) -> set[str]:
        if res.plural != "services" or res.group:
            return set()
        return {o.get("spec", {}).get("clusterIP", "") for o in self.bucket(res).values()}

    def create(
        self,
        res: Resource,
        namespace: str,
        obj: Obj,
        dry_run: bool = False,
        track: Tracker | None = None,
    ) -> Obj:
        """POST: a new object (stored shape, owned by the store from now on); ``track`` sets
        its managedFields."""
        with self.cond:
            meta = obj.get("metadata")
            name = meta.get("name") if isinstance(meta, dict) else ""
            self.namespaces.admit_create(res, namespace, str(name or ""))
            requested = _requested(obj)
            decoded = None if track is None else _recorder(track, res, None, requested)
            prepare_create(res, obj, namespace, self._taken_ips(res), decoded)
            validate(res, obj, namespace)
            key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            if key in self.bucket(res):
                raise errors.already_exists(res.group, res.plural, key[1])
            if dry_run:
                return obj
            return self.commit(res, key, "ADDED", obj, None)

    def _write(
        self,
        res: Resource,
        old: Obj,
        new: Obj,
        subresource: str,
        dry_run: bool,
        track: Tracker | None,
    ) -> Obj:
        requested = _requested(new)
        decoded = None if track is None else _recorder(track, res, old, requested)
        out = prepare_update(res, old, new, subresource, self._taken_ips(res), decoded)
        if track is None and "managedFields" in old["metadata"]:
            out["metadata"]["managedFields"] = old["metadata"]["managedFields"]
        elif track is not None:
            keep_unchanged(old, out)
        check_finalizers(res, old, out)
        key = (old["metadata"].get("namespace", ""), old["metadata"]["name"])
        validate(res, out, key[0])
        if out == old:
            return old
        if dry_run:
            return out
        gone = old["metadata"].get("deletionTimestamp") and not out["metadata"].get("finalizers")
        if gone and not (is_namespace(res) and held(out)):
            return self.commit(res, key, "DELETED", out, old)
        return self.commit(res, key, "MODIFIED", out, old)

    def update(
        self,
        res: Resource,
        namespace: str,
        name: str,
        obj: Obj,
        subresource: str = "",
        dry_run: bool = False,
        track: Tracker | None = None,
    ) -> tuple[Obj, bool]:
        """PUT (stored shape): the stored object and whether it was created."""
        with self.cond:
            check_target(res, obj, namespace, name)
            old = self.find(res, namespace, name)
            if old is None:
                if res.create_on_update and not subresource:
                    obj["metadata"]["name"] = name
                    obj["metadata"].pop("resourceVersion", None)
                    return self.create(res, namespace, obj, dry_run, track), True
                raise errors.not_found(res.group, res.plural, name)
            rv = obj["metadata"].get("resourceVersion")
            if not rv and not res.allow_unconditional_update:
                cause = (
                    "metadata.resourceVersion",
                    "FieldValueInvalid",
                    "Invalid value: 0x0: must be specified for an update",
                )
                raise errors.invalid(res.group, res.kind, name, [cause])
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise errors.conflict(res.group, res.plural, name, errors.STALE)
            return self._write(res, old, obj, subresource, dry_run, track), False

    def patch(
        self,
        res: Resource,
        namespace: str,
        name: str,
        mutate: Callable[[Obj], Obj],
        subresource: str = "",
        dry_run: bool = False,
        track: Tracker | None = None,
    ) -> Obj:
        """PATCH: ``mutate`` maps the current stored object to the patched one."""
        with self.cond:
            old = self.get(res, namespace, name)
            new = copy.deepcopy(mutate(old))
            if not isinstance(new.get("metadata"), dict):
                raise errors.bad_request("metadata must be an object")
            check_target(res, new, old["metadata"].get("namespace", ""), name)
            if new["metadata"].get("name") != name:
                raise errors.bad_request("metadata.name may not be removed by a patch")
            if new["metadata"].get("resourceVersion") != old["metadata"]["resourceVersion"]:
                raise errors.conflict(res.group, res.plural, name, errors.STALE)
            return self._write(res, old, new, subresource, dry_run, track)

    def delete(
        self,
        res: Resource,
        namespace: str,
        name: str,
        uid: str | None = None,
        rv: str | None = None,
        dry_run: bool = False,
    ) -> tuple[Obj, bool]:
        """DELETE: the object and whether it is gone (False while finalizers hold it)."""
        with self.cond:
            if is_namespace(res):
                return self.namespaces.delete(name, uid, rv, dry_run)
            return self.remove(res, namespace, name, uid, rv, dry_run)

    def remove(
        self,
        res: Resource,
        namespace: str,
        name: str,
        uid: str | None = None,
        rv: str | None = None,
        dry_run: bool = False,
    ) -> tuple[Obj, bool]:
        """The generic DELETE: gone now, or marked while metadata.finalizers hold it."""
        with self.cond:
            old = self.get(res, namespace, name)
            check_preconditions(res, old, uid, rv)
            key = (old["metadata"].get("namespace", ""), name)
            if old["metadata"].get("finalizers"):
                if old["metadata"].get("deletionTimestamp") or dry_run:
                    return old, False
                return self.commit(res, key, "MODIFIED", mark_deleting(old), old), False
            if dry_run:
                return old, True
            return self.commit(res, key, "DELETED", copy.deepcopy(old), old), True

    def compact(self) -> None:
        """Forget the history: requests from an older resourceVersion get 410 Gone. Changes
        an open watch has not seen yet are kept for it."""
        with self.cond:
            floor = min([self.rv, *self.watch_cursors.values()])
            while self._changes and self._changes[0].rv <= floor:
                self._trimmed = self._changes.popleft().rv
            self._compacted = self.rv

    def close_watches(self) -> None:
        with self.cond:
            self.epoch += 1
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.epoch += 1
            self.cond.notify_all()

"""Watches over the store: initial ADDED events, history replay, selector transitions, bookmarks.

A watch is a cursor (the resourceVersion it has seen up to) registered with the store, so
``Store.compact`` keeps what it has not read yet. ``poll`` waits for the next step under the
store's lock: events, a bookmark, the end (``close_watches``, shutdown) or expiry.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from .conversion import from_storage
from .resources import Resource
from .selectors import Selector
from .store import Change, Obj, Store, parse_rv

Event = dict[str, Any]
_ids = itertools.count(1)


@dataclass
class Watch:
    store: Store
    res: Resource
    version: str
    namespace: str
    selector: Selector
    rv: int
    epoch: int
    id: int = field(default_factory=lambda: next(_ids))

    def _event(self, kind: str, obj: Obj) -> Event:
        return {"type": kind, "object": from_storage(self.res, self.version, obj)}

    def _translate(self, change: Change) -> Event | None:
        if change.storage != self.res.storage_id:
            return None
        if self.namespace and change.key[0] != self.namespace:
            return None
        now = change.type != "DELETED" and self.selector.matches(change.obj)
        before = change.prev is not None and self.selector.matches(change.prev)
        if change.type == "ADDED":
            return self._event("ADDED", change.obj) if now else None
        if change.type == "DELETED":
            return self._event("DELETED", change.obj) if before else None
        if now and before:
            return self._event("MODIFIED", change.obj)
        if now:
            return self._event("ADDED", change.obj)
        if before:
            return self._event("DELETED", change.obj)
        return None

    def bookmark(self, rv: int) -> Event:
        obj = {
            "kind": self.res.kind,
            "apiVersion": self.res.api_version(self.version),
            "metadata": {"resourceVersion": str(rv)},
        }
        return {"type": "BOOKMARK", "object": obj}

    def poll(self, wait: float, bookmark_at: float | None) -> tuple[str, list[Event]]:
        """Wait up to ``wait`` seconds. Returns ("events", [...]) (empty when idle),
        ("bookmark", [event]) when ``bookmark_at`` (monotonic) has passed with nothing to send,
        ("expired", [error event]) when the history moved past this watch, or ("end", [])."""
        store = self.store
        deadline = time.monotonic() + wait
        with store.cond:
            while True:
                if store.closed or store.epoch != self.epoch:
                    return "end", []
                if self.rv < store.trimmed:
                    return "expired", [self.expired_event()]
                events = [
                    e for c in store.changes_after(self.rv) if (e := self._translate(c)) is not None
                ]
                self.rv = max(self.rv, store.rv)
                store.watch_cursors[self.id] = self.rv
                if events:
                    return "events", events
                now = time.monotonic()
                if bookmark_at is not None and now >= bookmark_at:
                    return "bookmark", [self.bookmark(self.rv)]
                if now >= deadline:
                    return "events", []
                until = deadline if bookmark_at is None else min(deadline, bookmark_at)
                store.cond.wait(max(0.0, until - now))

    def expired_event(self) -> Event:
        status = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"too old resource version: {self.rv} ({self.store.oldest()})",
            "reason": "Expired",
            "code": 410,
        }
        return {"type": "ERROR", "object": status}

    def close(self) -> None:
        with self.store.cond:
            self.store.watch_cursors.pop(self.id, None)


def open_watch(
    store: Store,
    res: Resource,
    version: str,
    namespace: str,
    selector: Selector,
    resource_version: str,
) -> tuple[Watch, list[Event]]:
    """Start a watch. With resourceVersion unset or "0" the current objects come first as
    ADDED events; a resourceVersion older than the history yields one 410 ERROR event."""
    with store.cond:
        if resource_version in ("", "0"):
            watch = Watch(store, res, version, namespace, selector, store.rv, store.epoch)
            state = store.bucket(res)
            initial = [
                watch._event("ADDED", state[k])
                for k in sorted(state)
                if (not namespace or k[0] == namespace) and selector.matches(state[k])
            ]
        else:
            rv = parse_rv(resource_version)
            watch = Watch(store, res, version, namespace, selector, rv, store.epoch)
            if rv < store.oldest():
                return watch, [watch.expired_event()]
            initial = []
        store.watch_cursors[watch.id] = watch.rv
        return watch, initial

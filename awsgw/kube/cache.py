"""The informer cache: a thread-safe Store fed by the reflectors, which the reconcilers read.

Documents become typed objects through ``parse_document``. A document that does not parse is
logged and skipped, never fatal: an earlier good version of the object stays in the Store
(so a Gateway is never taken for deleted because its newest spec is unreadable) and the key
is remembered as invalid until a good version or a delete arrives.
"""

from __future__ import annotations

import copy
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from awsgw.core.scope import controller_of
from awsgw.core.store import Store
from awsgw.kube.resources import Resource
from awsgw.manifests import ManifestError, parse_document
from awsgw.objects import CLUSTER_SCOPED, Gateway, KubeObject

log = logging.getLogger("awsgw.kube.cache")

ChangeHandler = Callable[[str, KubeObject | None, KubeObject | None, Store], None]
"""(kind, old, new, store): called with the cache lock held; must be quick and pure."""


def doc_key(kind: str, doc: dict[str, Any]) -> str:
    meta = doc.get("metadata") or {}
    name = str(meta.get("name", ""))
    if kind in CLUSTER_SCOPED:
        return name
    return f"{meta.get('namespace') or 'default'}/{name}"


def resource_version(doc: dict[str, Any] | None) -> str | None:
    rv = ((doc or {}).get("metadata") or {}).get("resourceVersion")
    return str(rv) if rv is not None else None


SECRET_KEYS = ("tls.crt", "tls.key")
"""What the core reads of a Secret (a listener's certificate and key)."""


def trimmed(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    """A shallow copy of a ``kind`` document without what the core never reads:
    ``managedFields`` (the bulk of most objects' metadata), and of a Secret every data key
    but ``SECRET_KEYS``."""
    out = dict(doc)
    meta = out.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        out["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    data = out.get("data")
    if kind == "Secret" and isinstance(data, dict):
        out["data"] = {k: v for k, v in data.items() if k in SECRET_KEYS}
        out.pop("stringData", None)
    return out


class Cache:
    def __init__(self, on_change: ChangeHandler | None = None) -> None:
        self._lock = threading.RLock()
        self._store = Store()
        self._invalid: dict[str, dict[str, dict[str, Any]]] = {}
        self._order = itertools.count()
        self.on_change = on_change

    # ------------------------------------------------------------------ feeding
    def _parse(self, resource: Resource, doc: dict[str, Any]) -> KubeObject | None:
        doc = trimmed(doc, resource.kind)
        doc.setdefault("apiVersion", resource.api_version)
        doc.setdefault("kind", resource.kind)
        key = doc_key(resource.kind, doc)
        try:
            obj = parse_document(doc, f"{resource.kind} {key}")
        except ManifestError as exc:
            if self._invalid.get(resource.kind, {}).get(key, {}) != doc:
                log.warning("skipping unreadable object: %s", exc, extra={"object": key})
            self._invalid.setdefault(resource.kind, {})[key] = doc
            return None
        if obj is not None:
            obj._order = next(self._order)
            self._invalid.get(resource.kind, {}).pop(key, None)
        return obj

    def upsert(self, resource: Resource, doc: dict[str, Any]) -> None:
        with self._lock:
            obj = self._parse(resource, doc)
            if obj is None:
                return
            old = self._store.get(resource.kind, obj.key, KubeObject)
            self._store.put(obj)
            self._changed(resource.kind, old, obj)

    def delete(self, resource: Resource, doc: dict[str, Any]) -> None:
        with self._lock:
            key = doc_key(resource.kind, doc)
            self._invalid.get(resource.kind, {}).pop(key, None)
            old = self._store.get(resource.kind, key, KubeObject)
            if old is not None:
                self._store.remove(resource.kind, key)
                self._changed(resource.kind, old, None)

    def replace(self, resource: Resource, docs: list[dict[str, Any]]) -> None:
        """A full list: upsert what changed, delete what is no longer there."""
        with self._lock:
            listed = {doc_key(resource.kind, d) for d in docs}
            for key in list(self._invalid.get(resource.kind, {})):
                if key not in listed:
                    del self._invalid[resource.kind][key]
            for key, old in list(self._store.objects.get(resource.kind, {}).items()):
                if key not in listed:
                    self._store.remove(resource.kind, key)
                    self._changed(resource.kind, old, None)
            for doc in docs:
                current = self._store.get(resource.kind, doc_key(resource.kind, doc), KubeObject)
                if current is None or resource_version(current.raw) != resource_version(doc):
                    self.upsert(resource, doc)

    def write_through(self, resource: Resource, doc: dict[str, Any], based_on: str | None) -> None:
        """Our own write's answer, stored at once unless the cache moved on meanwhile."""
        with self._lock:
            current = self._store.get(resource.kind, doc_key(resource.kind, doc), KubeObject)
            if current is not None and resource_version(current.raw) == based_on:
                self.upsert(resource, doc)

    def _changed(self, kind: str, old: KubeObject | None, new: KubeObject | None) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(kind, old, new, self._store)
        except Exception:  # a mapping bug must not stop the reflector
            log.exception("change handler failed for %s", kind)

    # ------------------------------------------------------------------ reading
    def snapshot(self) -> Store:
        """A consistent copy for one reconcile (objects are replaced, never mutated)."""
        with self._lock:
            return Store({kind: dict(objs) for kind, objs in self._store.objects.items()})

    def get(self, kind: str, key: str) -> KubeObject | None:
        with self._lock:
            return self._store.get(kind, key, KubeObject)

    def controller_of(self, gateway: Gateway) -> str | None:
        """The ``controllerName`` of a Gateway's class (None: no such class)."""
        with self._lock:
            return controller_of(self._store, gateway)

    def keys(self, kind: str) -> list[str]:
        with self._lock:
            return sorted(self._store.objects.get(kind, {}))

    def invalid(self, kind: str) -> dict[str, dict[str, Any]]:
        """Keys whose newest document did not parse, with that document."""
        with self._lock:
            return copy.deepcopy(self._invalid.get(kind, {}))

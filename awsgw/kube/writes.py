"""Writes to the API: status patches (only when changed), annotations providers report for
Routes (only when changed) and the Gateway finalizer.

All carry the resourceVersion the change was computed from (a merge patch's
``metadata.resourceVersion``; a JSON patch's ``replace`` of it), so a concurrent change makes
the API answer 409 Conflict and the key is retried against the newer object.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from awsgw.kube.api import KubeApi, KubeError
from awsgw.kube.cache import Cache, resource_version
from awsgw.kube.resources import BY_KIND, Resource
from awsgw.objects import KubeObject

T = TypeVar("T", bound=KubeObject)
log = logging.getLogger("awsgw.kube.writes")
FINALIZER = "awsgw.io/gateway-resources"
CONFLICT = (409, 422)
"""422 too: a JSON patch that no longer applies because the object changed."""


class WriteConflict(Exception):
    """The object changed since it was read: retry the key."""


def status_patch(current: dict[str, Any] | None, desired: dict[str, Any]) -> dict[str, Any] | None:
    """The merge patch taking ``current`` status to ``desired``; None when they are equal.

    Top-level fields ``desired`` lacks are set to null (merge patches only delete that way);
    lists are replaced whole by merge patches, which is what conditions need.
    """
    current = current or {}
    if current == desired:
        return None
    patch: dict[str, Any] = dict(desired)
    patch.update({k: None for k in current if k not in desired})
    return patch


def annotations_patch(current: dict[str, str], wanted: dict[str, str]) -> dict[str, str] | None:
    """The annotations of ``wanted`` whose value differs from ``current``; None if none."""
    patch = {k: v for k, v in sorted(wanted.items()) if current.get(k) != v}
    return patch or None


def finalizer_patch(doc: dict[str, Any], present: bool) -> list[dict[str, Any]] | None:
    """A JSON patch adding or removing our finalizer, guarded by the resourceVersion it was
    computed from; None when there is nothing to do."""
    meta = doc.get("metadata") or {}
    have = list(meta.get("finalizers") or [])
    if (FINALIZER in have) == present:
        return None
    want = [*have, FINALIZER] if present else [f for f in have if f != FINALIZER]
    return [
        {"op": "replace", "path": "/metadata/resourceVersion", "value": resource_version(doc)},
        {"op": "add", "path": "/metadata/finalizers", "value": want},
    ]


class Writer:
    """Status and finalizer writes for objects in the cache; answers go back into it."""

    def __init__(
        self, api: KubeApi, cache: Cache, on_status: Callable[[str], None] = lambda kind: None
    ) -> None:
        self.api = api
        self.cache = cache
        self.on_status = on_status

    def status(self, obj: KubeObject, desired: dict[str, Any]) -> bool:
        """Patch the status subresource if it differs; whether a write was sent."""
        current = obj.raw.get("status")
        patch = status_patch(current if isinstance(current, dict) else None, desired)
        if patch is None:
            return False
        resource = BY_KIND[obj.kind]
        based_on = obj.metadata.resource_version
        body = {"metadata": {"resourceVersion": based_on}, "status": patch}
        try:
            answer = self.api.patch(
                resource, obj.metadata.namespace, obj.name, body, "merge", "status"
            )
        except KubeError as exc:
            if exc.status == 404:
                return False
            if exc.status in CONFLICT:
                raise WriteConflict(f"{obj.kind} {obj.key} changed: {exc}") from exc
            raise
        self.on_status(obj.kind)
        log.info("status written", extra={"object": f"{obj.kind} {obj.key}"})
        self.cache.write_through(resource, answer, based_on)
        return True

    def annotations(self, obj: KubeObject, wanted: dict[str, str]) -> bool:
        """Set these annotations (a metadata merge patch of just them) if any differs;
        whether a write was sent. Other annotations are left as they are."""
        patch = annotations_patch(obj.metadata.annotations, wanted)
        if patch is None:
            return False
        resource = BY_KIND[obj.kind]
        based_on = obj.metadata.resource_version
        body = {"metadata": {"resourceVersion": based_on, "annotations": patch}}
        try:
            answer = self.api.patch(resource, obj.metadata.namespace, obj.name, body, "merge")
        except KubeError as exc:
            if exc.status == 404:
                return False
            if exc.status in CONFLICT:
                raise WriteConflict(f"{obj.kind} {obj.key} changed: {exc}") from exc
            raise
        log.info(
            "annotations written", extra={"object": f"{obj.kind} {obj.key}", "keys": sorted(patch)}
        )
        self.cache.write_through(resource, answer, based_on)
        return True

    def finalizer(self, obj: T, present: bool) -> T:
        """Add or remove our finalizer; the object as stored after the write."""
        answer = self.raw_finalizer(BY_KIND[obj.kind], obj.raw, present)
        fresh = self.cache.get(obj.kind, obj.key)
        stored = answer is not None and resource_version(answer) == resource_version(
            fresh.raw if fresh is not None else None
        )
        return fresh if stored and isinstance(fresh, type(obj)) else obj

    def raw_finalizer(
        self, resource: Resource, doc: dict[str, Any], present: bool
    ) -> dict[str, Any] | None:
        """The same for a document (one that did not parse, too); the API's answer, if any."""
        patch = finalizer_patch(doc, present)
        if patch is None:
            return None
        meta = doc.get("metadata") or {}
        where = f"{resource.kind} {meta.get('namespace', '')}/{meta.get('name')}"
        try:
            answer = self.api.patch(resource, meta.get("namespace"), meta["name"], patch, "json")
        except KubeError as exc:
            if exc.status == 404 and not present:
                return None
            if exc.status in CONFLICT:
                raise WriteConflict(f"{where} changed: {exc}") from exc
            raise
        log.info("finalizer added" if present else "finalizer removed", extra={"object": where})
        self.cache.write_through(resource, answer, resource_version(doc))
        return answer

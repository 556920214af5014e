"""Namespaces as kube-apiserver and the namespace controller treat them.

Admission (NamespaceLifecycle): a namespaced object can be created only in a namespace that
exists (404 ``namespaces "shop" not found``) and is not Terminating (403); default,
kube-system and kube-public may not be deleted. Deleting a namespace marks it (deletion
timestamp, phase Terminating); then, as the namespace controller would, every object in it is
deleted (objects with finalizers wait for them), the namespace's deletion conditions say what
remains, and once nothing does the ``kubernetes`` finalizer is removed and the namespace goes.
Here the controller's passes run right away: on the delete and whenever an object in a
terminating namespace changes or goes.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import errors
from .conversion import now_time
from .lifecycle import check_preconditions
from .resources import RESOURCES, Resource, by_path

if TYPE_CHECKING:
    from .store import Store

Obj = dict[str, Any]
IMMORTAL = ("default", "kube-system", "kube-public")
FINALIZER = "kubernetes"
TERMINATING = "Terminating"
_namespaces = by_path("", "v1", "namespaces")
assert _namespaces is not None
NAMESPACES: Resource = _namespaces

# condition type -> (reason, message) when the condition is False (all is well)
_OK = {
    "NamespaceDeletionDiscoveryFailure": (
        "ResourcesDiscovered",
        "All resources successfully discovered",
    ),
    "NamespaceDeletionGroupVersionParsingFailure": (
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
    ),
    "NamespaceDeletionContentFailure": (
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("ContentRemoved", "All content successfully removed"),
}


def is_namespace(res: Resource) -> bool:
    return res is NAMESPACES or (res.group == "" and res.plural == "namespaces")


def terminating(ns: Obj | None) -> bool:
    return ns is not None and (ns.get("status") or {}).get("phase") == TERMINATING


def held(obj: Obj) -> bool:
    """A namespace stays while its spec.finalizers are not done."""
    return bool((obj.get("spec") or {}).get("finalizers"))


def _content_resources() -> list[Resource]:
    """Each namespaced store once (core and events.k8s.io Events share one)."""
    seen: set[str] = set()
    out = []
    for res in RESOURCES:
        if res.namespaced and res.storage_id not in seen:
            seen.add(res.storage_id)
            out.append(res)
    return out


class NamespaceLifecycle:
    """Admission and the namespace controller's deletion, over ``store`` (under its lock)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._syncing: set[str] = set()

    def admit_create(self, res: Resource, namespace: str, name: str) -> None:
        """Refuse a create in a missing (404) or terminating (403) namespace."""
        if not res.namespaced:
            return
        ns = self.store.find(NAMESPACES, "", namespace)
        if ns is None:
            raise errors.not_found("", "namespaces", namespace)
        if terminating(ns):
            error = errors.forbidden(
                res.group,
                res.plural,
                name,
                f"unable to create new content in namespace {namespace} because it is being "
                "terminated",
            )
            assert error.details is not None
            error.details["causes"] = [
                {
                    "reason": "NamespaceTerminating",
                    "message": f"namespace {namespace} is being terminated",
                    "field": "metadata.namespace",
                }
            ]
            raise error

    def delete(self, name: str, uid: str | None, rv: str | None, dry_run: bool) -> tuple[Obj, bool]:
        """DELETE of a namespace: the first marks it Terminating (and starts emptying it)."""
        store = self.store
        if name in IMMORTAL:
            raise errors.forbidden("", "namespaces", name, "this namespace may not be deleted")
        old = store.get(NAMESPACES, "", name)
        check_preconditions(NAMESPACES, old, uid, rv)
        if not old["metadata"].get("deletionTimestamp"):
            new = copy.deepcopy(old)
            new["metadata"]["deletionTimestamp"] = now_time()
            new.setdefault("status", {})["phase"] = TERMINATING
            if dry_run:
                return new, False
            out = store.commit(NAMESPACES, ("", name), "MODIFIED", new, old)
            self.sync(name)
            return out, False
        if held(old):
            return old, False
        return store.remove(NAMESPACES, "", name, dry_run=dry_run)

    def changed(self, res: Resource, namespace: str) -> None:
        """An object in ``namespace`` changed or went: a terminating namespace moves on."""
        if not (res.namespaced and namespace) or namespace in self._syncing:
            return
        if terminating(self.store.find(NAMESPACES, "", namespace)):
            self.sync(namespace)

    def sync(self, name: str) -> None:
        """One pass of the namespace controller over a namespace being deleted."""
        if name in self._syncing:
            return
        self._syncing.add(name)
        try:
            self._sync(name)
        finally:
            self._syncing.discard(name)

    def _sync(self, name: str) -> None:
        store = self.store
        ns = store.find(NAMESPACES, "", name)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        if FINALIZER in ((ns.get("spec") or {}).get("finalizers") or []):
            remaining, finalizers = self._delete_content(name)
            ns = self._set_conditions(ns, remaining, finalizers)
            if remaining:
                return
            new = copy.deepcopy(ns)
            new["spec"]["finalizers"] = [f for f in new["spec"]["finalizers"] if f != FINALIZER]
            ns = store.commit(NAMESPACES, ("", name), "MODIFIED", new, ns)
        if not held(ns) and not ns["metadata"].get("finalizers"):
            store.commit(NAMESPACES, ("", name), "DELETED", copy.deepcopy(ns), ns)

    def _delete_content(self, name: str) -> tuple[dict[str, int], dict[str, int]]:
        """Delete everything in the namespace; what remains by resource and by finalizer."""
        remaining: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        for res in _content_resources():
            for key, obj in list(self.store.bucket(res).items()):
                if key[0] != name:
                    continue
                if not obj["metadata"].get("deletionTimestamp"):
                    self.store.delete(res, name, key[1])
                left = self.store.find(res, name, key[1])
                if left is None:
                    continue
                label = f"{res.plural}.{res.group}"
                remaining[label] = remaining.get(label, 0) + 1
                for finalizer in left["metadata"].get("finalizers") or []:
                    finalizers[finalizer] = finalizers.get(finalizer, 0) + 1
        return remaining, finalizers

    def _set_conditions(
        self, ns: Obj, remaining: dict[str, int], finalizers: dict[str, int]
    ) -> Obj:
        wanted = {kind: ("False", *ok) for kind, ok in _OK.items()}
        if remaining:
            listed = ", ".join(
                sorted(f"{r} has {n} resource instances" for r, n in remaining.items())
            )
            wanted["NamespaceContentRemaining"] = (
                "True",
                "SomeResourcesRemain",
                f"Some resources are remaining: {listed}",
            )
        if finalizers:
            listed = ", ".join(
                sorted(f"{f} in {n} resource instances" for f, n in finalizers.items())
            )
            wanted["NamespaceFinalizersRemaining"] = (
                "True",
                "SomeFinalizerRemain",
                f"Some finalizers are remaining: {listed}",
            )
        new = copy.deepcopy(ns)
        conditions: list[Obj] = new.setdefault("status", {}).setdefault("conditions", [])
        by_type = {c.get("type"): c for c in conditions}
        for kind, (status, reason, message) in wanted.items():
            current = by_type.get(kind)
            if current is None:
                conditions.append(
                    {
                        "type": kind,
                        "status": status,
                        "lastTransitionTime": now_time(),
                        "reason": reason,
                        "message": message,
                    }
                )
                continue
            if current.get("status") != status:
                current["lastTransitionTime"] = now_time()
            current.update(status=status, reason=reason, message=message)
        if new == ns:
            return ns
        return self.store.commit(NAMESPACES, ("", ns["metadata"]["name"]), "MODIFIED", new, ns)

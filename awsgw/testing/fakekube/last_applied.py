"""kubectl moving from client-side to server-side apply, as kube-apiserver eases it.

An object kubectl applied client-side carries its configuration in the
``kubectl.kubernetes.io/last-applied-configuration`` annotation. When the ``kubectl`` manager
then applies server-side, conflicts over fields that annotation set and that still hold its
values are not conflicts (kubectl takes them over), and the annotation follows the new
configuration, so a later client-side apply starts from it.
"""

from __future__ import annotations

import json
from typing import Any

from .fieldpaths import FieldSet
from .fieldtypes import TypeTree
from .managed_fields import ManagerId
from .structured import StructureError, compare, to_field_set

ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
KUBECTL = "kubectl"
Obj = dict[str, Any]


def _annotation(obj: Obj) -> str:
    annotations = (obj.get("metadata") or {}).get("annotations")
    value = annotations.get(ANNOTATION) if isinstance(annotations, dict) else None
    return value if isinstance(value, str) else ""


def allowed_conflicts(tree: TypeTree, live: Obj, api_version: str) -> FieldSet:
    """The fields the annotation set that the live object still has as it set them."""
    text = _annotation(live)
    if not text:
        return frozenset()
    try:
        last = json.loads(text)
        if not isinstance(last, dict) or last.get("apiVersion") != api_version:
            return frozenset()
        changed = compare(tree, last, live)
        owned = to_field_set(tree, last)
    except (ValueError, StructureError):
        return frozenset()
    return owned - changed.added - changed.modified - changed.removed


def remaining(conflicts: dict[ManagerId, FieldSet], allowed: FieldSet) -> dict[ManagerId, FieldSet]:
    """The conflicts the annotation does not excuse."""
    left = {mid: fields - allowed for mid, fields in conflicts.items()}
    return {mid: fields for mid, fields in left.items() if fields}


def follow(live: Obj, merged: Obj, config: Obj) -> None:
    """Point the annotation of ``merged`` at ``config`` when ``live`` had one."""
    if not _annotation(live):
        return
    applied = json.loads(json.dumps(config))
    meta = applied.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        meta["annotations"].pop(ANNOTATION, None)
    text = json.dumps(applied, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    merged.setdefault("metadata", {}).setdefault("annotations", {})[ANNOTATION] = text

"""The API server's rules for writes, as pure functions on stored-shape objects.

Create fills system metadata; update keeps it, keeps status on the main endpoint of a kind with
a status subresource and takes only status on /status, and bumps metadata.generation when
anything but metadata and status changed; an object being deleted takes no new finalizers.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable
from typing import Any

from . import errors
from .conversion import now_time
from .resources import Resource
from .validation import scheme_defaults, server_fills

Obj = dict[str, Any]
Decoded = Callable[[Obj], None]  # sees the object as decoded, before the server fills it in
_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"
_SYSTEM_META = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "name",
    "namespace",
)
_NEVER_STORED = ("selfLink", "managedFields")


def spec_part(obj: Obj) -> Obj:
    """Everything generation tracks: all but metadata, status and type information."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _mismatched_namespace() -> errors.ApiError:
    return errors.bad_request(
        "the namespace of the provided object does not match the namespace sent on the request"
    )


def check_target(res: Resource, obj: Obj, namespace: str, name: str | None) -> None:
    """The body's name and namespace, when set, must be the request's."""
    meta = obj.setdefault("metadata", {})
    if name is not None and meta.get("name") not in (None, "", name):
        raise errors.bad_request(
            f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
        )
    if res.namespaced and meta.get("namespace") not in (None, "", namespace):
        raise _mismatched_namespace()


def prepare_create(
    res: Resource, obj: Obj, namespace: str, taken_ips: set[str], decoded: Decoded | None = None
) -> None:
    """Fill a new object's system metadata and defaults in place (name from generateName);
    ``decoded`` is called between the scheme's defaults and what the server fills in."""
    check_target(res, obj, namespace, None)
    meta = obj["metadata"]
    if res.namespaced:
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    if meta.get("resourceVersion"):
        raise errors.internal("resourceVersion should not be set on objects to be created")
    if not meta.get("name"):
        if not meta.get("generateName"):
            cause = (
                "metadata.name",
                "FieldValueRequired",
                "Required value: name or generateName is required",
            )
            raise errors.invalid(res.group, res.kind, "", [cause])
        suffix = "".join(random.choice(_SUFFIX) for _ in range(5))
        meta["name"] = meta["generateName"] + suffix
    for field in (
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "resourceVersion",
        *_NEVER_STORED,
    ):
        meta.pop(field, None)
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = now_time()
    meta["generation"] = 1
    if res.status:
        obj.pop("status", None)
    scheme_defaults(res, obj)
    if decoded is not None:
        decoded(obj)
    server_fills(res, obj, None, taken_ips)


def prepare_update(
    res: Resource,
    old: Obj,
    new: Obj,
    subresource: str,
    taken_ips: set[str],
    decoded: Decoded | None = None,
) -> Obj:
    """The object an update of ``old`` with ``new`` stores (``new`` may be reused);
    ``decoded`` as for ``prepare_create``."""
    if subresource == "status":
        out = copy.deepcopy(old)
        if "status" in new:
            out["status"] = new["status"]
        else:
            out.pop("status", None)
        if decoded is not None:
            decoded(out)
        return out
    meta = new.setdefault("metadata", {})
    for field in _SYSTEM_META:
        if field in old["metadata"]:
            meta[field] = old["metadata"][field]
        else:
            meta.pop(field, None)
    for field in _NEVER_STORED:
        meta.pop(field, None)
    if res.status:
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    scheme_defaults(res, new)
    if decoded is not None:
        decoded(new)
    server_fills(res, new, old, taken_ips)
    if spec_part(new) != spec_part(old):
        meta["generation"] = old["metadata"].get("generation", 1) + 1
    meta["resourceVersion"] = old["metadata"]["resourceVersion"]
    return new


def check_finalizers(res: Resource, old: Obj, new: Obj) -> None:
    """An object being deleted may lose finalizers but gain none."""
    meta = old["metadata"]
    if not meta.get("deletionTimestamp"):
        return
    before = meta.get("finalizers") or []
    added = [f for f in new["metadata"].get("finalizers") or [] if f not in before]
    if added:
        listed = ", ".join(f'"{f}"' for f in added)
        message = (
            "Forbidden: no new finalizers can be added if the object is being deleted, "
            f"found new finalizers []string{{{listed}}}"
        )
        cause = ("metadata.finalizers", "FieldValueForbidden", message)
        raise errors.invalid(res.group, res.kind, meta["name"], [cause])


def check_preconditions(res: Resource, old: Obj, uid: str | None, rv: str | None) -> None:
    """DeleteOptions.preconditions: a mismatch is 409 Conflict."""
    meta = old["metadata"]
    for what, want, have in (
        ("UID", uid, meta.get("uid")),
        ("ResourceVersion", rv, meta["resourceVersion"]),
    ):
        if want and want != have:
            why = (
                f"Precondition failed: {what} in precondition: {want}, "
                f"{what} in object meta: {have}"
            )
            raise errors.conflict(res.group, res.plural, meta["name"], why)


def mark_deleting(old: Obj) -> Obj:
    """The object a delete leaves while finalizers hold it."""
    new = copy.deepcopy(old)
    new["metadata"]["deletionTimestamp"] = now_time()
    new["metadata"]["deletionGracePeriodSeconds"] = 0
    return new

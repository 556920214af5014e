"""Server-side apply: PATCH with ``application/apply-patch+yaml`` (a YAML or JSON body).

The body is the applier's whole intent for the object: ``apiVersion`` and ``kind`` of the
request's resource and version, ``metadata.name`` (and no ``managedFields``). It is merged over
the live object by the field manager's rules (see ``field_manager``), creating the object when
there is none (201; a ``/status`` apply needs the object). ``fieldManager`` names the applier
and is required; ``force=true`` takes over fields other managers own instead of a 409.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from . import errors, last_applied
from .conversion import check_type, from_storage, to_storage
from .field_manager import (
    Applied,
    AppliedTracker,
    ApplyConflict,
    Keep,
    apply_config,
    decode_live,
    empty_object,
    reset_filter,
)
from .fieldtypes import TypeTree, kind_types
from .managed_fields import APPLY, Managed, ManagerId, conflict_error, encode
from .resources import Resource
from .routing import parse_bool
from .structured import StructureError

if TYPE_CHECKING:
    from .api import Request
    from .store import Store

Obj = dict[str, Any]
Admit = Callable[[Obj, Obj | None], Obj]
"""Validates a merged object (over the live one, if any) and returns what is stored."""


def _decode(body: bytes) -> Obj:
    try:
        text = body.decode("utf-8")
        try:
            config = json.loads(text)
        except ValueError:
            config = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request(f"error decoding patch: {exc}") from None
    if not isinstance(config, dict):
        raise errors.bad_request("error decoding patch: the applied configuration is not an object")
    return config


def _check_config(res: Resource, version: str, config: Obj) -> None:
    api_version, kind = config.get("apiVersion"), config.get("kind")
    if api_version != res.api_version(version) or kind != res.kind:
        group, _, ver = str(api_version or "").rpartition("/")
        raise errors.bad_request(f"invalid object type: {group}/{ver}, Kind={kind or ''}")
    meta = config.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        raise errors.bad_request("error decoding patch: metadata must be an object")
    if isinstance(meta, dict) and meta.get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")


def _stored(res: Resource, version: str, merged: Obj, name: str) -> Obj:
    found = (merged.get("metadata") or {}).get("name") or ""
    if found != name:
        raise errors.bad_request(
            f"the name of the object ({found}) does not match the name on the URL ({name})"
        )
    return to_storage(res, check_type(res, version, merged))


def _structure_error(req: Request, res: Resource, exc: StructureError) -> errors.ApiError:
    info = req.info
    where = f"{info.namespace}/{info.name}; {res.group}/{info.version}, Kind={res.kind}"
    return errors.internal(f"failed to create typed patch object ({where}): {exc}")


@dataclass(frozen=True)
class _Applier:
    """One apply request's parameters."""

    tree: TypeTree
    blank: Obj
    config: Obj
    mid: ManagerId
    api_version: str
    force: bool
    keep: Keep

    def run(self, live: Obj, managed: Managed) -> Applied:
        """Apply over ``live``; a conflict is 409, unless kubectl takes over what it had
        applied client-side (see ``last_applied``)."""
        try:
            return self._apply(live, managed, self.force)
        except ApplyConflict as conflict:
            conflicts = conflict.conflicts
            if self.mid.manager == last_applied.KUBECTL:
                allowed = last_applied.allowed_conflicts(self.tree, live, self.api_version)
                conflicts = last_applied.remaining(conflicts, allowed)
            if conflicts:
                raise conflict_error(conflicts) from None
            return self._apply(live, managed, True)

    def _apply(self, live: Obj, managed: Managed, force: bool) -> Applied:
        result = apply_config(
            self.tree,
            self.blank,
            live,
            self.config,
            managed,
            self.mid,
            self.api_version,
            force,
            self.keep,
        )
        if self.mid.manager == last_applied.KUBECTL:
            last_applied.follow(live, result.obj, self.config)
        return result


def apply(
    store: Store, res: Resource, req: Request, dry_run: bool, admit: Admit
) -> tuple[int, Obj]:
    """Serve an apply patch: (201 created or 200, the stored object). ``admit`` validates the
    merged object (over the live one, if any) as every other write is validated."""
    info = req.info
    version = info.version
    config = _decode(req.body)
    _check_config(res, version, config)
    namespace = info.namespace if res.namespaced else ""
    tree = kind_types(res, version)
    applier = _Applier(
        tree,
        empty_object(res, version, tree),
        config,
        ManagerId.of(req.query.get("fieldManager", ""), APPLY, "", info.subresource),
        res.api_version(version),
        parse_bool(req.query.get("force")),
        reset_filter(res, info.subresource),
    )
    tracker = AppliedTracker()
    with store.cond:
        if store.find(res, namespace, info.name) is None:
            if info.subresource:
                raise errors.not_found(res.group, res.plural, info.name)
            try:
                result = applier.run(applier.blank, {})
            except StructureError as exc:
                raise _structure_error(req, res, exc) from None
            tracker.entries = encode(result.managed)
            obj = _stored(res, version, admit(result.obj, None), info.name)
            return 201, store.create(res, namespace, obj, dry_run, tracker)

        def mutate(current: Obj) -> Obj:
            live = json.loads(json.dumps(from_storage(res, version, current)))
            entries = live["metadata"].pop("managedFields", None)
            try:
                result = applier.run(live, decode_live(entries))
            except StructureError as exc:
                raise _structure_error(req, res, exc) from None
            tracker.entries = encode(result.managed)
            return _stored(res, version, admit(result.obj, live), info.name)

        return 200, store.patch(
            res, namespace, info.name, mutate, info.subresource, dry_run, tracker
        )

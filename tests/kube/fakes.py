"""In-memory stand-ins for the Kubernetes API (unit tests; the e2e tests use FakeKube)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from awsgw.kube.api import KubeError, NotLeader
from awsgw.kube.resources import Resource


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _merge(out.get(k), v)
    return out


class MemoryApi:
    """Objects by (plural, namespace, name) with resourceVersions, 409 on stale writes,
    merge and (add/replace/test) JSON patches, the write guard, and a log of writes."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.rv = 0
        self.writes: list[tuple[str, str, str]] = []  # (verb, plural, name[/subresource])
        self.may_write = lambda: True
        self.fail_next: list[KubeError] = []
        self.watches: list[list[dict[str, Any]] | KubeError] = []
        self.pages: list[dict[str, Any] | KubeError] = []

    def _key(self, r: Resource, ns: str | None, name: str) -> tuple[str, str, str]:
        return (r.plural, ns or "" if r.namespaced else "", name)

    def _commit(self, key: tuple[str, str, str], doc: dict[str, Any]) -> dict[str, Any]:
        self.rv += 1
        doc.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        self.objects[key] = doc
        return copy.deepcopy(doc)

    def _write(self, verb: str, r: Resource, name: str, guarded: bool = True) -> None:
        if guarded and not self.may_write():
            raise NotLeader("not the leader")
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.writes.append((verb, r.plural, name))

    def put(self, r: Resource, doc: dict[str, Any]) -> dict[str, Any]:
        meta = doc["metadata"]
        doc = copy.deepcopy(doc)
        doc.setdefault("apiVersion", r.api_version)
        doc.setdefault("kind", r.kind)
        return self._commit(self._key(r, meta.get("namespace"), meta["name"]), doc)

    def get(self, r: Resource, ns: str | None, name: str) -> dict[str, Any] | None:
        found = self.objects.get(self._key(r, ns, name))
        return copy.deepcopy(found) if found else None

    def create(
        self, r: Resource, ns: str | None, body: dict[str, Any], guarded: bool = True
    ) -> dict[str, Any]:
        name = body["metadata"]["name"]
        self._write("create", r, name, guarded)
        if self._key(r, ns, name) in self.objects:
            raise KubeError(409, "already exists")
        return self._commit(self._key(r, ns, name), copy.deepcopy(body))

    def replace(
        self, r: Resource, ns: str | None, name: str, body: dict[str, Any], guarded: bool = True
    ) -> dict[str, Any]:
        self._write("replace", r, name, guarded)
        current = self.objects.get(self._key(r, ns, name))
        if current is None:
            raise KubeError(404, "not found")
        if body["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise KubeError(409, "conflict")
        return self._commit(self._key(r, ns, name), copy.deepcopy(body))

    def patch(
        self,
        r: Resource,
        ns: str | None,
        name: str,
        body: Any,
        patch_type: str = "merge",
        subresource: str = "",
    ) -> dict[str, Any]:
        self._write("patch", r, f"{name}/{subresource}" if subresource else name)
        current = self.objects.get(self._key(r, ns, name))
        if current is None:
            raise KubeError(404, "not found")
        if patch_type == "merge":
            new = _merge(current, body)
        else:
            new = copy.deepcopy(current)
            for op in body:
                *parents, last = op["path"].strip("/").split("/")
                where = new
                for p in parents:
                    where = where[p]
                if op["op"] == "test" and where.get(last) != op["value"]:
                    raise KubeError(422, "test failed")
                if op["op"] in ("add", "replace"):
                    where[last] = copy.deepcopy(op["value"])
        if new["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise KubeError(409, "conflict")
        if subresource == "status":
            new = {**current, "status": new.get("status")}
        meta = new["metadata"]
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            del self.objects[self._key(r, ns, name)]
            return copy.deepcopy(new)
        return self._commit(self._key(r, ns, name), new)

    # reads for reflectors: scripted pages and watches
    def list(self, r: Resource, limit: int, continue_token: str | None = None) -> dict[str, Any]:
        page = self.pages.pop(0)
        if isinstance(page, KubeError):
            raise page
        return page

    def watch(self, r: Resource, resource_version: str, timeout_seconds: int) -> Iterator[Any]:
        script = self.watches.pop(0) if self.watches else []
        if isinstance(script, KubeError):
            raise script
        self.watched_from = resource_version
        return _Stream(script)


class _Stream:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events

    def __iter__(self) -> Iterator[dict[str, Any]]:
        yield from self.events

    def close(self) -> None:
        pass

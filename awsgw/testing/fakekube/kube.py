"""``FakeKube``: the fake API server's lifecycle and its Python-side test controls."""

from __future__ import annotations

import builtins
import copy
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from .api import Api
from .conversion import check_type, from_storage, to_storage
from .field_manager import UpdateTracker
from .records import Injection, Recorder, RequestRecord
from .resources import Resource, by_kind, split_api_version
from .selectors import Selector
from .server import App, Server
from .store import Obj, Store

_APPLIED_META = ("labels", "annotations", "finalizers", "ownerReferences")
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _resource(api_version: str, kind: str) -> tuple[Resource, str]:
    res = by_kind(api_version, kind)
    if res is None:
        raise ValueError(f"fakekube does not serve {kind} in {api_version}")
    return res, split_api_version(api_version)[1]


class FakeKube:
    """A stateful Kubernetes API server on 127.0.0.1 (``port``; 0: a free one), serving from
    construction until ``close`` (or the end of a ``with`` block).

    ``history`` bounds the changes kept for watches and paginated lists; ``bookmark_interval``
    is the period of BOOKMARK events on watches that allow them. The namespaces default,
    kube-system, kube-public and kube-node-lease exist from the start.
    """

    def __init__(self, history: int = 1000, bookmark_interval: float = 1.0, port: int = 0) -> None:
        self._store = Store(history)
        self._recorder = Recorder()
        self._server = Server(App(Api(self._store), self._recorder, bookmark_interval), port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fakekube",
            daemon=True,
        )
        self._closed = False
        for name in SYSTEM_NAMESPACES:
            namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            self.apply(namespace, field_manager="kube-apiserver")
        self._thread.start()

    # lifecycle

    def __enter__(self) -> FakeKube:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End every watch, stop serving and cut open connections (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._store.close()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def write_kubeconfig(self, path: str | Path) -> Path:
        """A kubeconfig whose context "fake" (current) reaches this server over plain http."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "fake", "user": {}}],
            "contexts": [
                {
                    "name": "fake",
                    "context": {"cluster": "fake", "user": "fake", "namespace": "default"},
                }
            ],
            "current-context": "fake",
            "preferences": {},
        }
        target = Path(path)
        target.write_text(yaml.safe_dump(config, sort_keys=False))
        return target

    # objects

    def apply(self, obj: dict[str, Any], field_manager: str = "fakekube") -> dict[str, Any]:
        """Create or update like ``kubectl apply``: on update, the given top-level fields
        (spec, data, ...) replace the stored ones, labels/annotations/finalizers/ownerReferences
        given replace the stored ones, other metadata is kept; status is ignored for kinds with
        a status subresource (use ``apply_status``). The write is recorded in managedFields
        as an update by ``field_manager``. Returns the stored object."""
        res, version = _resource(obj.get("apiVersion", ""), obj.get("kind", ""))
        track = UpdateTracker(field_manager, version)
        given = copy.deepcopy(obj)
        meta = given.setdefault("metadata", {})
        ns = (meta.get("namespace") or "default") if res.namespaced else ""
        with self._store.cond:
            current = self._store.find(res, ns, meta.get("name", "")) if meta.get("name") else None
            if current is None:
                meta.pop("resourceVersion", None)
                stored = self._store.create(
                    res, ns, to_storage(res, check_type(res, version, given)), track=track
                )
                return self._served(res, version, stored)
            served = self._served(res, version, current)
            new = {k: v for k, v in given.items() if k not in ("metadata", "status")}
            new["metadata"] = served["metadata"]
            for key in _APPLIED_META:
                if key in meta:
                    new["metadata"][key] = meta[key]
            if "status" in served:
                new["status"] = served["status"]
            if not res.status and "status" in given:
                new["status"] = given["status"]
            stored, _ = self._store.update(
                res,
                ns,
                served["metadata"]["name"],
                to_storage(res, check_type(res, version, new)),
                track=track,
            )
            return self._served(res, version, stored)

    def apply_status(self, obj: dict[str, Any], field_manager: str = "fakekube") -> dict[str, Any]:
        """Replace the status of an existing object (as a write to /status would, recorded
        as an update by ``field_manager``)."""
        res, version = _resource(obj.get("apiVersion", ""), obj.get("kind", ""))
        meta = obj.get("metadata") or {}
        ns = (meta.get("namespace") or "default") if res.namespaced else ""
        with self._store.cond:
            served = self._served(res, version, self._store.get(res, ns, meta.get("name", "")))
            served["status"] = copy.deepcopy(obj.get("status"))
            if served["status"] is None:
                served.pop("status")
            stored, _ = self._store.update(
                res,
                ns,
                served["metadata"]["name"],
                to_storage(res, served),
                "status" if res.status else "",
                track=UpdateTracker(field_manager, version, "status" if res.status else ""),
            )
            return self._served(res, version, stored)

    def get(
        self, api_version: str, kind: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        """The object, or None (``namespace`` None for cluster-scoped kinds)."""
        res, version = _resource(api_version, kind)
        found = self._store.find(res, (namespace or "") if res.namespaced else "", name)
        return None if found is None else self._served(res, version, found)

    def list(
        self, api_version: str, kind: str, namespace: str | None = None
    ) -> list[dict[str, Any]]:
        """Every object of the kind (in ``namespace`` when given), ordered by namespace/name."""
        res, version = _resource(api_version, kind)
        page = self._store.list(res, (namespace or "") if res.namespaced else "", Selector())
        return [self._served(res, version, o) for o in page.items]

    def delete(
        self, api_version: str, kind: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        """Delete like the API: with finalizers the object stays, marked with a
        deletionTimestamp, and is returned; otherwise (or when absent) None."""
        res, version = _resource(api_version, kind)
        ns = (namespace or "") if res.namespaced else ""
        with self._store.cond:
            if self._store.find(res, ns, name) is None:
                return None
            obj, gone = self._store.delete(res, ns, name)
            return None if gone else self._served(res, version, obj)

    @staticmethod
    def _served(res: Resource, version: str, obj: Obj) -> dict[str, Any]:
        return copy.deepcopy(from_storage(res, version, obj))

    # observation and faults

    @property
    def resource_version(self) -> str:
        """The current global resourceVersion."""
        with self._store.cond:
            return str(self._store.rv)

    @property
    def open_watches(self) -> int:
        """How many watch streams are being served right now."""
        with self._store.cond:
            return len(self._store.watch_cursors)

    @property
    def requests(self) -> builtins.list[RequestRecord]:
        """Every HTTP request served so far, in order."""
        return self._recorder.records()

    def clear_requests(self) -> None:
        self._recorder.clear()

    def inject(
        self, verb: str, resource: str, status: int = 500, times: int = 1, subresource: str = ""
    ) -> None:
        """Fail the next ``times`` requests with this RBAC verb, resource (plural) and
        subresource with HTTP ``status`` and a metav1.Status body ("*" matches any)."""
        self._recorder.inject(Injection(verb, resource, subresource, status, times))

    def compact(self) -> None:
        """Forget the history: a watch or continue from an older resourceVersion gets 410."""
        self._store.compact()

    def close_watches(self) -> None:
        """End every open watch stream; clients must watch again."""
        self._store.close_watches()

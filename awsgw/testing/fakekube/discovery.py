"""Discovery documents: /version, /api, /apis, /apis/{group}, and each APIResourceList, with
the verbs, short names, categories and storage version hash the API server lists."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .resources import Resource, group_versions, in_group_version
from .schemas import crd_categories

VERSION_INFO: dict[str, Any] = {
    "major": "1",
    "minor": "34",
    "gitVersion": "v1.34.0-fakekube",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-08-27T00:00:00Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}
_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
# custom resources list them in the apiextensions server's order
_CUSTOM_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]
STATUS_VERBS = ["get", "patch", "update"]
_BUILTIN_CATEGORIES = {("", "services"): ("all",)}


def verbs(res: Resource) -> list[str]:
    """The verbs of a resource (Namespaces have no deletecollection)."""
    if not res.builtin:
        return list(_CUSTOM_VERBS)
    if res.plural == "namespaces" and not res.group:
        return [v for v in _VERBS if v != "deletecollection"]
    return list(_VERBS)


def categories(res: Resource) -> tuple[str, ...]:
    """The categories (``kubectl get <category>``) a resource belongs to."""
    if res.builtin:
        return _BUILTIN_CATEGORIES.get((res.group, res.plural), ())
    return crd_categories(res)


def storage_version_hash(res: Resource) -> str:
    """The API server's hash of the stored group/version/kind (8 bytes of SHA-256)."""
    stored = "/v1/Event" if res.storage == "events" else f"{res.group}/{res.versions[0]}/{res.kind}"
    digest = hashlib.sha256(stored.encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def _group(name: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def document(path: str, server_address: str) -> dict[str, Any] | None:
    """The discovery document served at ``path``, or None when there is none."""
    parts = [p for p in path.strip("/").split("/") if p]
    groups = group_versions()
    if parts == ["version"]:
        return dict(VERSION_INFO)
    if parts == ["api"]:
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
            ],
        }
    if parts == ["apis"]:
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [_group(g, vs) for g, vs in groups.items() if g],
        }
    if len(parts) == 2 and parts[0] == "apis" and parts[1] in groups and parts[1]:
        return {"kind": "APIGroup", "apiVersion": "v1", **_group(parts[1], groups[parts[1]])}
    if parts == ["api", "v1"]:
        return resource_list("", "v1")
    if len(parts) == 3 and parts[0] == "apis" and parts[2] in groups.get(parts[1], []):
        return resource_list(parts[1], parts[2])
    return None


def resource_list(group: str, version: str) -> dict[str, Any]:
    """The APIResourceList of a group-version."""
    resources: list[dict[str, Any]] = []
    for r in in_group_version(group, version):
        entry: dict[str, Any] = {
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": verbs(r),
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if categories(r):
            entry["categories"] = list(categories(r))
        entry["storageVersionHash"] = storage_version_hash(r)
        resources.append(entry)
        if r.status:
            resources.append(
                {
                    "name": f"{r.plural}/status",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": r.kind,
                    "verbs": list(STATUS_VERBS),
                }
            )
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }

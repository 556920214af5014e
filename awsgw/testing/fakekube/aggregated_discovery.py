"""Aggregated discovery (``apidiscovery.k8s.io`` v2 and v2beta1): every group, version and
resource in one document at /api (the core group) or /apis (the others), which client-go
asks for first and takes when the response's Content-Type names it."""

from __future__ import annotations

from typing import Any

from .discovery import STATUS_VERBS, categories, verbs
from .negotiation import Conversion
from .resources import Resource, group_versions, in_group_version


def _resource(res: Resource, version: str) -> dict[str, Any]:
    kind = {"group": res.group, "version": version, "kind": res.kind}
    entry: dict[str, Any] = {
        "resource": res.plural,
        "responseKind": kind,
        "scope": "Namespaced" if res.namespaced else "Cluster",
        "singularResource": res.singular,
        "verbs": verbs(res),
    }
    if res.short_names:
        entry["shortNames"] = list(res.short_names)
    if categories(res):
        entry["categories"] = list(categories(res))
    if res.status:
        entry["subresources"] = [
            {"subresource": "status", "responseKind": kind, "verbs": list(STATUS_VERBS)}
        ]
    return entry


def _group(name: str, versions: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name} if name else {}
    meta["creationTimestamp"] = None
    return {
        "metadata": meta,
        "versions": [
            {
                "version": v,
                "resources": sorted(
                    (_resource(r, v) for r in in_group_version(name, v)),
                    key=lambda e: str(e["resource"]),
                ),
                "freshness": "Current",
            }
            for v in versions
        ],
    }


def aggregated(path: str, conversion: Conversion) -> dict[str, Any] | None:
    """The APIGroupDiscoveryList at /api or /apis in ``conversion``'s version, else None."""
    root = path.strip("/")
    if root not in ("api", "apis"):
        return None
    groups = group_versions()
    names = [""] if root == "api" else [g for g in groups if g]
    return {
        "kind": conversion.kind,
        "apiVersion": conversion.api_version,
        "metadata": {},
        "items": [_group(name, groups[name]) for name in names if name in groups],
    }

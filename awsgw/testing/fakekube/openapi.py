"""OpenAPI v3 as the API server publishes it: ``/openapi/v3`` lists one document per
group-version (``serverRelativeURL`` with a ``?hash=`` of its content) and each document holds
the kinds' schemas in ``components.schemas`` and the resources' operations in ``paths``.

Built-in kinds come with every definition they reference; custom resources are published
under the reverse-DNS name of their group (``io.k8s.networking.gateway.v1.Gateway``) with
metadata as ObjectMeta and a List kind, as the apiextensions server builds them. A ``$ref``
with sibling keywords is written as ``allOf: [{$ref}]``, as the API server's v3 documents do.
``openapi_v2`` serves the same schemas as the one v2 document.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .discovery import VERSION_INFO
from .openapi_paths import DELETE_OPTIONS, PATCH, STATUS, resource_paths
from .resources import Resource, group_versions, in_group_version
from .schemas import REF_PREFIX, Schema, core_definitions, kind_schema

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
_COMMON = (OBJECT_META, LIST_META, DELETE_OPTIONS, PATCH, STATUS)


@dataclass(frozen=True)
class Document:
    """A served OpenAPI document: its JSON bytes and their hash (the ETag and ``?hash=``)."""

    body: bytes
    hash: str


def gv_path(group: str, version: str) -> str:
    """``api/v1`` or ``apis/<group>/<version>``: a document's key in the index."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def definition_name(res: Resource, version: str, kind: str | None = None) -> str:
    """The components.schemas name of a custom resource's kind (reverse-DNS group)."""
    return ".".join([*reversed(res.group.split(".")), version, kind or res.kind])


def references(node: Any, out: set[str]) -> None:
    """Add the definition names ``node`` refers to (at any depth) to ``out``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref.removeprefix(REF_PREFIX))
        for value in node.values():
            references(value, out)
    elif isinstance(node, list):
        for value in node:
            references(value, out)


def closure(names: set[str]) -> dict[str, Schema]:
    """The named built-in definitions with every definition they reference."""
    defs, out, todo = core_definitions(), {}, sorted(names)
    while todo:
        name = todo.pop()
        if name in out or name not in defs:
            continue
        out[name] = defs[name]
        found: set[str] = set()
        references(defs[name], found)
        todo.extend(sorted(found - set(out)))
    return out


def _published(node: Any, top: bool = True) -> Any:
    """A schema as the v3 documents write it: ``$ref`` siblings moved beside an ``allOf``,
    and no ``enum`` on a kind's apiVersion and kind (the API server declares none)."""
    if isinstance(node, list):
        return [_published(v, False) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _published(v, False) for k, v in node.items() if k != "properties"}
    if "properties" in node:
        props = {k: _published(v, False) for k, v in node["properties"].items()}
        if top and "x-kubernetes-group-version-kind" in node:
            for key in ("apiVersion", "kind"):
                if isinstance(props.get(key), dict):
                    props[key] = {k: v for k, v in props[key].items() if k != "enum"}
        out["properties"] = props
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


def custom_schemas(res: Resource, version: str) -> dict[str, Schema]:
    """A custom resource's kind and List kind as published (by definition name)."""
    ks = kind_schema(res, version)
    root: Schema = copy.deepcopy(ks.root) if ks else {"type": "object"}
    if ks is None:
        root["x-kubernetes-preserve-unknown-fields"] = True
    standard_meta = core_definitions()["io.k8s.api.core.v1.Service"]["properties"]["metadata"]
    props: dict[str, Schema] = root.setdefault("properties", {})
    for key in ("apiVersion", "kind"):
        standard = core_definitions()[DELETE_OPTIONS]["properties"][key]
        props[key] = {
            "description": standard["description"],
            "type": "string",
            **props.get(key, {}),
        }
    props["metadata"] = {
        "$ref": REF_PREFIX + OBJECT_META,
        "description": standard_meta.get("description", "Standard object's metadata."),
    }
    gvk = {"group": res.group, "kind": res.kind, "version": version}
    root["x-kubernetes-group-version-kind"] = [gvk]
    name = definition_name(res, version)
    listed: Schema = {
        "description": f"{res.kind}List is a list of {res.kind}",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": props["apiVersion"],
            "kind": props["kind"],
            "items": {"type": "array", "items": {"$ref": REF_PREFIX + name}},
            "metadata": {"$ref": REF_PREFIX + LIST_META},
        },
        "x-kubernetes-group-version-kind": [{**gvk, "kind": f"{res.kind}List"}],
    }
    return {name: root, definition_name(res, version, f"{res.kind}List"): listed}


def _build(group: str, version: str) -> dict[str, Any]:
    schemas: dict[str, Schema] = {}
    builtin: set[str] = set(_COMMON)
    paths: dict[str, Any] = {}
    for res in in_group_version(group, version):
        if res.builtin:
            ks = kind_schema(res, version)
            if ks is None:
                continue
            name = ks.definition_name
            builtin.update({name, name + "List"})
        else:
            custom = custom_schemas(res, version)
            schemas.update(custom)
            name = definition_name(res, version)
        paths.update(resource_paths(res, version, name, name + "List"))
    for schema in list(schemas.values()):
        references(schema, builtin)
    schemas.update(closure(builtin - set(schemas)))
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": VERSION_INFO["gitVersion"]},
        "paths": paths,
        "components": {
            "schemas": {k: _published(schemas[k]) for k in sorted(schemas)},
            "securitySchemes": {
                "BearerToken": {
                    "type": "apiKey",
                    "description": "Bearer Token authentication",
                    "name": "authorization",
                    "in": "header",
                }
            },
        },
    }


@functools.cache
def document(path: str) -> Document | None:
    """The document at ``path`` (``apis/<group>/<version>``), or None when none is served."""
    for group, versions in group_versions().items():
        for version in versions:
            if gv_path(group, version) == path:
                body = json.dumps(_build(group, version), separators=(",", ":")).encode()
                return Document(body, hashlib.sha512(body).hexdigest().upper())
    return None


def index() -> dict[str, Any]:
    """The /openapi/v3 index: every group-version's document with its current hash."""
    paths = {}
    for group, versions in group_versions().items():
        for version in versions:
            key = gv_path(group, version)
            doc = document(key)
            if doc is not None:
                paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={doc.hash}"}
    return {"paths": paths}

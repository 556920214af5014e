"""OpenAPI v2 (/openapi/v2), the one document kubectl still downloads, in protobuf, for
client-side validation (of ``kind: List`` documents, whose items the field validation check
does not cover) and to choose a patch type. It holds the same definitions as the v3 documents
(``#/definitions/`` references, single types, no v3-only keywords) and, per resource, the
PATCH operation with the patch types it consumes and its ``x-kubernetes-group-version-kind``.
JSON is served to clients that ask for it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from . import protobuf_writer as pb
from .discovery import VERSION_INFO
from .openapi import LIST_META, OBJECT_META, closure, custom_schemas, references
from .openapi_paths import DELETE_OPTIONS, PATCH, STATUS
from .resources import RESOURCES
from .schemas import REF_PREFIX, Schema, kind_schema

# clients ask with the deprecated "@" name too; the response names the one Go's mime parses
PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
PROTOBUF_ACCEPTED = (PROTOBUF, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
_V2_REF = "#/definitions/"
_V3_ONLY = ("nullable", "oneOf", "anyOf", "not")
_PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)


@dataclass(frozen=True)
class Document:
    """The v2 document in JSON and protobuf."""

    json: bytes
    protobuf: bytes

    @functools.cached_property
    def etags(self) -> dict[bytes, str]:
        """Each form's ETag (a hash of its bytes)."""
        return {
            b: '"' + hashlib.sha512(b).hexdigest().upper() + '"' for b in (self.json, self.protobuf)
        }


def _v2(node: Any, top: bool = False) -> Any:
    """A v3 schema in v2 form."""
    if isinstance(node, list):
        return [_v2(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key in _V3_ONLY or (key == "type" and not isinstance(value, str)):
            continue
        if key == "$ref":
            out[key] = _V2_REF + str(value).removeprefix(REF_PREFIX)
        elif key == "properties":
            out[key] = {k: _v2(v) for k, v in value.items()}
        else:
            out[key] = _v2(value)
    if out.get("type") == "array" and not isinstance(out.get("items"), dict):
        out["items"] = {}  # the v2 parser needs one item schema
    if top and "x-kubernetes-group-version-kind" in out:
        for key in ("apiVersion", "kind"):
            if isinstance(out.get("properties", {}).get(key), dict):
                out["properties"][key].pop("enum", None)
    return out


def _definitions() -> dict[str, Schema]:
    schemas: dict[str, Schema] = {}
    builtin = {OBJECT_META, LIST_META, DELETE_OPTIONS, PATCH, STATUS}
    for res in RESOURCES:
        for version in res.versions:
            ks = kind_schema(res, version)
            if ks is None:
                continue  # a kind without a schema goes unvalidated, as it would be
            if res.builtin:
                builtin.update({ks.definition_name, ks.definition_name + "List"})
            else:
                schemas.update(custom_schemas(res, version))
    for schema in list(schemas.values()):
        references(schema, builtin)
    schemas.update(closure(builtin - set(schemas)))
    return {name: _v2(schemas[name], top=True) for name in sorted(schemas)}


def _paths() -> dict[str, Schema]:
    paths: dict[str, Schema] = {}
    for res in RESOURCES:
        for version in res.versions:
            root = f"/apis/{res.group}/{version}" if res.group else f"/api/{version}"
            scope = "/namespaces/{namespace}" if res.namespaced else ""
            consumes = list(_PATCH_TYPES if res.builtin else _PATCH_TYPES[:2] + _PATCH_TYPES[3:])
            gvk = {"group": res.group, "kind": res.kind, "version": version}
            paths[f"{root}{scope}/{res.plural}/{{name}}"] = {
                "patch": {
                    "description": f"partially update the specified {res.kind}",
                    "consumes": consumes,
                    "produces": ["application/json"],
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk,
                }
            }
    return paths


def _any(value: Any) -> bytes:
    return pb.string(2, json.dumps(value))  # Any.yaml: JSON is YAML


def _extensions(number: int, node: Schema) -> bytes:
    return b"".join(
        pb.message(number, pb.string(1, key) + pb.message(2, _any(value)))
        for key, value in node.items()
        if key.startswith("x-")
    )


def _schema(node: Schema) -> bytes:
    """A gnostic ``Schema`` message."""
    out = [
        pb.string(1, node.get("$ref", "")),
        pb.string(2, node.get("format", "")),
        pb.string(3, node.get("title", "")),
        pb.string(4, node.get("description", "")),
        pb.message(5, _any(node["default"])) if "default" in node else b"",
        pb.double(6, float(node.get("multipleOf", 0))),
        pb.double(7, float(node.get("maximum", 0))),
        pb.boolean(8, bool(node.get("exclusiveMaximum"))),
        pb.double(9, float(node.get("minimum", 0))),
        pb.boolean(10, bool(node.get("exclusiveMinimum"))),
    ]
    for number, key in enumerate(
        ("maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems"), start=11
    ):
        if key == "pattern":
            out.append(pb.string(number, node.get(key, "")))
        elif key == "uniqueItems":
            out.append(pb.boolean(number, bool(node.get(key))))
        else:
            out.append(pb.integer(number, int(node.get(key, 0))))
    out += [
        pb.integer(17, int(node.get("maxProperties", 0))),
        pb.integer(18, int(node.get("minProperties", 0))),
        pb.strings(19, list(node.get("required", []))),
        b"".join(pb.message(20, _any(v)) for v in node.get("enum", [])),
    ]
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out.append(pb.message(21, pb.message(1, _schema(extra))))
    elif isinstance(extra, bool):
        out.append(pb.message(21, pb.boolean(2, extra) or b"\x10\x00"))
    if isinstance(node.get("type"), str):
        out.append(pb.message(22, pb.strings(1, [node["type"]])))
    if isinstance(node.get("items"), dict):
        out.append(pb.message(23, pb.message(1, _schema(node["items"]))))
    out += [pb.message(24, _schema(s)) for s in node.get("allOf", []) if isinstance(s, dict)]
    if isinstance(node.get("properties"), dict):
        named = b"".join(
            pb.message(1, pb.string(1, k) + pb.message(2, _schema(v)))
            for k, v in node["properties"].items()
        )
        out.append(pb.message(25, named))
    out.append(_extensions(31, node))
    return b"".join(out)


def _operation(op: Schema) -> bytes:
    return b"".join(
        [
            pb.string(3, op.get("description", "")),
            pb.strings(6, op.get("produces", [])),
            pb.strings(7, op.get("consumes", [])),
            _extensions(13, op),
        ]
    )


def _encode(doc: dict[str, Any]) -> bytes:
    info = pb.string(1, doc["info"]["title"]) + pb.string(2, doc["info"]["version"])
    paths = b"".join(
        pb.message(2, pb.string(1, path) + pb.message(2, pb.message(8, _operation(item["patch"]))))
        for path, item in doc["paths"].items()
    )
    definitions = b"".join(
        pb.message(1, pb.string(1, name) + pb.message(2, _schema(schema)))
        for name, schema in doc["definitions"].items()
    )
    return (
        pb.string(1, doc["swagger"])
        + pb.message(2, info)
        + pb.message(8, paths)
        + pb.message(9, definitions)
    )


@functools.cache
def document() -> Document:
    """The v2 document (built once per process)."""
    doc = {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": VERSION_INFO["gitVersion"]},
        "paths": _paths(),
        "definitions": _definitions(),
    }
    return Document(json.dumps(doc, separators=(",", ":")).encode(), _encode(doc))

"""Server-side field validation of create, update and patch bodies (``fieldValidation``).

Fields the kind's schema does not declare are dropped from the object, as the API server's
decoding drops them: custom resources are pruned by their structural schema (respecting
``x-kubernetes-preserve-unknown-fields``, ``additionalProperties`` maps and embedded
resources; non-nullable nulls are dropped too), built-in kinds by their Go types (an object
schema without properties, such as RawExtension, takes anything), metadata as ObjectMeta.
Duplicate keys in a JSON body are found too. With ``Strict`` either refuses the request
(``strict decoding error: unknown field "spec.foo"``), with ``Warn`` (the default) each
becomes a ``Warning`` header, with ``Ignore`` nothing is said. A custom resource is then
validated against its schema (``schema_validation``): 422 Invalid with the field errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from . import errors
from .jsonpath import go_json
from .resources import Resource
from .schema_validation import FieldError, go_quote, validate_custom
from .schemas import REF_PREFIX, Schema, core_definitions, kind_schema

OBJECT_META = REF_PREFIX + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_OPTIONS = {"create": "CreateOptions", "update": "UpdateOptions", "patch": "PatchOptions"}


class Directive(Enum):
    IGNORE = "Ignore"
    WARN = "Warn"
    STRICT = "Strict"


def directive(query: dict[str, str], verb: str) -> Directive:
    """The request's ``fieldValidation`` (Warn when unset); 422 for an unknown value."""
    value = query.get("fieldValidation", "")
    if not value:
        return Directive.WARN
    for d in Directive:
        if d.value == value:
            return d
    options = _OPTIONS.get(verb, "CreateOptions")
    raise errors.invalid(
        "meta.k8s.io",
        options,
        "",
        [
            (
                "fieldValidation",
                "FieldValueNotSupported",
                f"Unsupported value: {go_quote(value)}: supported values: "
                '"", "Ignore", "Strict", "Warn"',
            )
        ],
    )


class _Marked(dict[str, Any]):
    """A decoded JSON object that remembers the keys it saw more than once."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Marked:
    out = _Marked()
    out.duplicates = []
    for key, value in pairs:
        if key in out and key not in out.duplicates:
            out.duplicates.append(key)
        out[key] = value
    return out


def _duplicate_paths(node: Any, path: str, out: list[str]) -> None:
    if isinstance(node, _Marked):
        out.extend(f"{path}.{k}" if path else k for k in node.duplicates)
        for key, value in node.items():
            _duplicate_paths(value, f"{path}.{key}" if path else key, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _duplicate_paths(value, f"{path}[{i}]", out)


def duplicate_fields(body: bytes, content_type: str) -> list[str]:
    """The paths of keys a JSON body repeats (YAML bodies are not checked)."""
    if content_type not in ("", "application/json") and not content_type.endswith("+json"):
        return []
    try:
        parsed = json.loads(body.decode("utf-8"), object_pairs_hook=_pairs)
    except ValueError:
        return []
    out: list[str] = []
    _duplicate_paths(parsed, "", out)
    return out


@dataclass
class _Pruner:
    definitions: dict[str, Schema]
    unknown: list[str] = field(default_factory=list)

    def resolve(self, node: Schema) -> Schema:
        while "$ref" in node and node["$ref"].removeprefix(REF_PREFIX) in self.definitions:
            node = self.definitions[node["$ref"].removeprefix(REF_PREFIX)]
        return node

    def prune(
        self, value: Any, schema: Schema, path: str, structural: bool, embedded: bool = False
    ) -> None:
        schema = self.resolve(schema)
        if isinstance(value, list):
            items = schema.get("items")
            if isinstance(items, dict):
                for i, item in enumerate(value):
                    self.prune(item, items, f"{path}[{i}]", structural)
            return
        if not isinstance(value, dict):
            return
        props: dict[str, Schema] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        if not structural and not props and extra is None:
            return  # a free-form object of a built-in kind (RawExtension, FieldsV1)
        embedded = embedded or bool(schema.get("x-kubernetes-embedded-resource"))
        for key in list(value):
            child_path = f"{path}.{key}" if path else key
            child = props.get(key, extra if isinstance(extra, dict) else None)
            if embedded and key in ("apiVersion", "kind"):
                continue
            if embedded and key == "metadata":
                self.prune(value[key], {"$ref": OBJECT_META}, child_path, structural=False)
            elif child is not None:
                if structural and value[key] is None and not self.resolve(child).get("nullable"):
                    del value[key]  # as the API server drops a null it cannot store
                    continue
                self.prune(value[key], child, child_path, structural)
            elif not (preserve or extra is True):
                self.unknown.append(child_path)
                del value[key]


def prune_unknown(res: Resource, version: str, obj: dict[str, Any]) -> list[str]:
    """Drop the fields ``res``'s schema does not declare from ``obj`` (in place): their paths,
    metadata's first. A kind without a schema keeps everything."""
    ks = kind_schema(res, version)
    if ks is None:
        return []
    pruner = _Pruner(ks.definitions if res.builtin else core_definitions())
    pruner.prune(obj, ks.root, "", structural=not res.builtin, embedded=True)
    if res.builtin:
        return pruner.unknown
    meta = [p for p in pruner.unknown if p.startswith("metadata.")]
    return meta + sorted(p for p in pruner.unknown if not p.startswith("metadata."))


@dataclass
class Admission:
    """What a write is checked against: its resource and version, the verb (create, update
    or patch), the field validation directive; warnings to send back accumulate here."""

    res: Resource
    version: str
    verb: str
    directive: Directive
    warnings: list[str] = field(default_factory=list)

    def admit(
        self,
        obj: dict[str, Any],
        body: bytes = b"",
        content_type: str = "",
        old: dict[str, Any] | None = None,
    ) -> None:
        """Check (and prune, in place) one object about to be written."""
        problems = []
        if self.directive is not Directive.IGNORE:
            problems = [
                f"duplicate field {go_quote(p)}" for p in duplicate_fields(body, content_type)
            ]
        as_sent = (
            go_json(obj) if self.verb == "patch" and self.directive is Directive.STRICT else ""
        )
        unknown = prune_unknown(self.res, self.version, obj)
        problems += [f"unknown field {go_quote(p)}" for p in unknown]
        if problems and self.directive is Directive.STRICT:
            raise self._strict_error(as_sent, problems)
        if self.directive is Directive.WARN:
            self.warnings.extend(problems)
        self._validate(obj, old)

    def _strict_error(self, as_sent: str, problems: list[str]) -> errors.ApiError:
        """400 for a create or update body; 422 on the ``patch`` field (the patched object as
        JSON) for a patch, as the API server words them."""
        text = "strict decoding error: " + ", ".join(problems)
        if self.verb == "patch":
            cause = ("patch", "FieldValueInvalid", f"Invalid value: {go_quote(as_sent)}: {text}")
            return errors.invalid("", "", "", [cause])
        kind = self.res.kind
        return errors.bad_request(
            f'{kind} in version "{self.version}" cannot be handled as a {kind}: {text}'
        )

    def _validate(self, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        if self.res.builtin:
            return
        ks = kind_schema(self.res, self.version)
        if ks is None:
            return
        found: list[FieldError] = validate_custom(obj, ks.root, old)
        if found:
            name = (obj.get("metadata") or {}).get("name", "")
            raise errors.invalid(self.res.group, self.res.kind, name, [e.cause for e in found])

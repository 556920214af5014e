"""The structure that merging and field ownership follow, read from a kind's OpenAPI schema.

As kube-openapi hands it to structured-merge-diff: a map is granular (each field merged and
owned on its own) unless ``x-kubernetes-map-type: atomic``; a list is atomic unless
``x-kubernetes-list-type`` says ``set`` or ``map`` (keyed by ``x-kubernetes-list-map-keys``),
or, for built-in kinds without a list type, ``x-kubernetes-patch-strategy: merge`` makes it a
map by its ``x-kubernetes-patch-merge-key`` (a set without one). Where the schema says nothing
(``x-kubernetes-preserve-unknown-fields``, kinds without a schema) the structure is deduced
from the value: maps granular, lists atomic.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .resources import Resource
from .schemas import REF_PREFIX, KindSchema, Schema, core_definitions, kind_schema

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# list-map key fields whose default the API server knows but the shipped definitions omit
_KEY_DEFAULTS: dict[str, dict[str, Any]] = {
    "io.k8s.api.core.v1.ServicePort": {"protocol": "TCP"},
    "io.k8s.api.core.v1.ContainerPort": {"protocol": "TCP"},
    "io.k8s.api.core.v1.EndpointPort": {"protocol": "TCP"},
}


class Shape(Enum):
    SCALAR = "scalar"
    MAP = "map"
    LIST = "list"
    UNTYPED = "untyped"  # deduced from the value


@dataclass(frozen=True)
class Node:
    """One schema node. A map has named ``fields`` and an ``element`` type for other keys; a
    list has an ``element`` type and, when it is a map, ``keys``. ``element`` None is untyped.
    ``associative`` lists are sets (no keys) or maps (keys)."""

    shape: Shape
    atomic: bool = False
    fields: Mapping[str, Schema] = field(default_factory=dict)
    element: Schema | None = None
    keys: tuple[str, ...] = ()
    key_defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def associative(self) -> bool:
        return self.shape == Shape.LIST and not self.atomic


SCALAR = Node(Shape.SCALAR)
UNTYPED = Node(Shape.UNTYPED)
UNTYPED_MAP = Node(Shape.MAP)
ATOMIC_LIST = Node(Shape.LIST, atomic=True)


class TypeTree:
    """Schema nodes of one kind, resolved lazily (``$ref`` into ``definitions``)."""

    def __init__(self, root: Schema, definitions: Mapping[str, Schema]) -> None:
        self.definitions = definitions
        self._cache: dict[int, tuple[Schema, Node]] = {}
        self.root = self.node(root)

    def _resolve(self, schema: Schema) -> tuple[Schema, str]:
        name = ""
        while "$ref" in schema:
            name = schema["$ref"].removeprefix(REF_PREFIX)
            schema = self.definitions[name]
        return schema, name

    def node(self, schema: Schema | None) -> Node:
        """The node of ``schema`` (None: untyped)."""
        if schema is None:
            return UNTYPED
        cached = self._cache.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        built = self._build(schema)
        self._cache[id(schema)] = (schema, built)
        return built

    def _build(self, schema: Schema) -> Node:
        resolved, _ = self._resolve(schema)
        if resolved.get("x-kubernetes-int-or-string"):
            return SCALAR
        kind = resolved.get("type")
        if kind == "array" or "items" in resolved:
            return self._list(resolved)
        if kind == "object" or "properties" in resolved or "additionalProperties" in resolved:
            element = resolved.get("additionalProperties")
            return Node(
                Shape.MAP,
                atomic=resolved.get("x-kubernetes-map-type") == "atomic",
                fields=resolved.get("properties") or {},
                element=element if isinstance(element, dict) else None,
            )
        if kind in ("string", "integer", "number", "boolean"):
            return SCALAR
        return UNTYPED

    def _list(self, schema: Schema) -> Node:
        items = schema.get("items")
        element = items if isinstance(items, dict) else None
        list_type = schema.get("x-kubernetes-list-type")
        keys: tuple[str, ...] = ()
        if list_type is None:
            strategy = str(schema.get("x-kubernetes-patch-strategy") or "")
            if "merge" in strategy.split(","):
                merge_key = schema.get("x-kubernetes-patch-merge-key")
                list_type = "map" if merge_key else "set"
                keys = (str(merge_key),) if merge_key else ()
        elif list_type == "map":
            keys = tuple(schema.get("x-kubernetes-list-map-keys") or ())
        if list_type not in ("set", "map"):
            return Node(Shape.LIST, atomic=True, element=element)
        return Node(
            Shape.LIST,
            element=element,
            keys=keys,
            key_defaults=self._key_defaults(element, keys),
        )

    def _key_defaults(self, element: Schema | None, keys: tuple[str, ...]) -> dict[str, Any]:
        if element is None or not keys:
            return {}
        resolved, name = self._resolve(element)
        known = _KEY_DEFAULTS.get(name, {})
        props = resolved.get("properties") or {}
        out: dict[str, Any] = {}
        for key in keys:
            prop = props.get(key) or {}
            if "default" in prop:
                out[key] = prop["default"]
            elif key in known:
                out[key] = known[key]
        return out

    def field(self, node: Node, name: str) -> tuple[Node, bool]:
        """The node of a map's key ``name`` and whether it is a named (declared) field."""
        schema = node.fields.get(name)
        if schema is not None:
            return self.node(schema), True
        return self.node(node.element), False

    def item(self, node: Node) -> Node:
        return self.node(node.element)


def _object_meta_ref() -> Schema:
    return {"$ref": REF_PREFIX + OBJECT_META}


def _with_object_meta(root: Schema) -> Schema:
    props = dict(root.get("properties") or {})
    props["metadata"] = _object_meta_ref()
    return {**root, "properties": props}


@functools.cache
def _tree(group: str, plural: str, version: str, builtin: bool, kind: str) -> TypeTree:
    res = Resource(group, (version,), plural, kind, kind.lower(), builtin=builtin)
    found: KindSchema | None = kind_schema(res, version)
    if found is None:
        root: Schema = {
            "type": "object",
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}},
            "x-kubernetes-preserve-unknown-fields": True,
        }
        return TypeTree(_with_object_meta(root), core_definitions())
    if found.definitions:
        return TypeTree(found.root, found.definitions)
    return TypeTree(_with_object_meta(found.root), core_definitions())


def kind_types(res: Resource, version: str) -> TypeTree:
    """The type tree of ``res`` served at ``version`` (cached)."""
    return _tree(res.group, res.plural, version, res.builtin, res.kind)

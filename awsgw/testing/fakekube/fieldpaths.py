"""Field paths and field sets as structured-merge-diff defines them, and their FieldsV1 form.

A path is a tuple of path elements: a field name (``f:spec``), the key of an item in a list
of maps (``k:{"name":"http"}``), a value of a set-like list (``v:"kubernetes"``) or a list
index (``i:0``). A field set is a frozen set of paths, each a member; a member's ancestors
are not members unless listed (FieldsV1 marks them with ``".": {}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class ElementKind(IntEnum):
    """The sort order of path elements: fields before keys before values before indexes."""

    FIELD = 0
    KEY = 1
    VALUE = 2
    INDEX = 3


_PREFIX = {
    ElementKind.FIELD: "f",
    ElementKind.KEY: "k",
    ElementKind.VALUE: "v",
    ElementKind.INDEX: "i",
}


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys, as a key or value path element spells its content."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def go_string(value: Any) -> str:
    """A value as structured-merge-diff prints it in a path (``value.ToString``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(go_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "".join(f"{k}={go_string(v)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True, order=True)
class PathElement:
    """One step of a field path. ``text`` is the field name, the canonical JSON of the key
    fields or the value, or the index; ``value`` is the decoded key object or value."""

    kind: ElementKind
    text: str
    value: Any = field(default=None, compare=False, hash=False)

    @classmethod
    def of_field(cls, name: str) -> PathElement:
        return cls(ElementKind.FIELD, name, name)

    @classmethod
    def of_key(cls, fields: Mapping[str, Any]) -> PathElement:
        ordered = dict(sorted(fields.items()))
        return cls(ElementKind.KEY, canonical_json(ordered), ordered)

    @classmethod
    def of_value(cls, value: Any) -> PathElement:
        return cls(ElementKind.VALUE, canonical_json(value), value)

    @classmethod
    def of_index(cls, index: int) -> PathElement:
        return cls(ElementKind.INDEX, str(index), index)

    def serialize(self) -> str:
        """The FieldsV1 key: ``f:name``, ``k:{...}``, ``v:...`` or ``i:N``."""
        return f"{_PREFIX[self.kind]}:{self.text}"

    def display(self) -> str:
        """As a conflict message prints it: ``.port``, ``[name="http"]``, ``[=x]``, ``[0]``."""
        if self.kind == ElementKind.FIELD:
            return "." + self.text
        if self.kind == ElementKind.KEY:
            return "[" + ",".join(f"{k}={go_string(v)}" for k, v in self.value.items()) + "]"
        if self.kind == ElementKind.VALUE:
            return f"[={go_string(self.value)}]"
        return f"[{self.text}]"


Path = tuple[PathElement, ...]
FieldSet = frozenset[Path]
EMPTY: FieldSet = frozenset()


def parse_element(text: str) -> PathElement:
    """A FieldsV1 key back into a path element; ValueError when malformed."""
    prefix, sep, rest = text.partition(":")
    if not sep or prefix not in ("f", "k", "v", "i"):
        raise ValueError(f"unknown path element: {text!r}")
    if prefix == "f":
        return PathElement.of_field(rest)
    if prefix == "i":
        return PathElement.of_index(int(rest))
    decoded = json.loads(rest)
    if prefix == "k":
        if not isinstance(decoded, dict):
            raise ValueError(f"a key path element must be a JSON object: {text!r}")
        return PathElement.of_key(decoded)
    return PathElement.of_value(decoded)


def path_string(path: Path) -> str:
    """``.spec.listeners[name="http"].port``."""
    return "".join(pe.display() for pe in path)


def with_prefix(fields: FieldSet, pe: PathElement) -> FieldSet:
    """The paths under ``pe``, with ``pe`` taken off."""
    return frozenset(p[1:] for p in fields if len(p) > 1 and p[0] == pe)


def prefixed(pe: PathElement, fields: Iterable[Path]) -> FieldSet:
    return frozenset((pe, *p) for p in fields)


# FieldsV1: a JSON object per node; "." marks a node that is itself a member


@dataclass
class _Node:
    member: bool = False
    children: dict[PathElement, _Node] = field(default_factory=dict)


def to_fields_v1(fields: FieldSet) -> dict[str, Any]:
    """The FieldsV1 object of a field set (children in path-element order)."""
    root = _Node()
    for path in fields:
        node = root
        for pe in path:
            node = node.children.setdefault(pe, _Node())
        node.member = True
    return _emit(root)


def _emit(node: _Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if node.member and node.children:
        out["."] = {}
    for pe in sorted(node.children):
        out[pe.serialize()] = _emit(node.children[pe])
    return out


def from_fields_v1(doc: Any) -> FieldSet:
    """The field set of a FieldsV1 object; ValueError when it is not one."""
    if not isinstance(doc, dict):
        raise ValueError("FieldsV1 must be a JSON object")
    out: set[Path] = set()
    _collect(doc, (), out)
    return frozenset(out)


def _collect(doc: dict[str, Any], prefix: Path, out: set[Path]) -> None:
    for key, child in doc.items():
        if key == ".":
            if prefix:
                out.add(prefix)
            continue
        if not isinstance(child, dict):
            raise ValueError(f"FieldsV1 value of {key!r} must be a JSON object")
        path = (*prefix, parse_element(key))
        if child:
            _collect(child, path, out)
        else:
            out.add(path)

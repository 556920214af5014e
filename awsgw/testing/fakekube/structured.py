"""structured-merge-diff's walks over JSON values typed by a ``TypeTree``.

``to_field_set`` (the fields a value sets), ``compare`` (what changed between two values),
``merge`` (an applied configuration over the live object), ``remove_items`` (drop paths) and
``with_named_parents`` (``EnsureNamedFieldsAreMembers``). Leaves are scalars, atomic maps
and lists, and empty maps and lists; granular maps and associative lists are walked into.
A list-map item is addressed by its key fields (a missing key field takes its default), a
set item by its value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from .fieldpaths import EMPTY, ElementKind, FieldSet, Path, PathElement, path_string
from .fieldtypes import ATOMIC_LIST, SCALAR, UNTYPED_MAP, Node, Shape, TypeTree


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final[Any] = _Absent()  # a value that is not there (JSON null is None)


class StructureError(ValueError):
    """A value the schema cannot address: a list-map item without keys, a duplicate item."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path_string(path)}: {message}" if path else message)


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values as Go compares them: booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return bool(a == b)


def _effective(node: Node, *values: Any) -> Node:
    """The node the values are walked as: an untyped node takes the shape of its values; a
    value of another JSON type than the schema's is a leaf."""
    present = [v for v in values if v is not ABSENT and v is not None]
    if node.shape == Shape.UNTYPED:
        if present and all(isinstance(v, dict) for v in present):
            return UNTYPED_MAP
        if present and all(isinstance(v, list) for v in present):
            return ATOMIC_LIST
        return SCALAR
    if node.shape == Shape.MAP and not all(isinstance(v, dict) for v in present):
        return SCALAR
    if node.shape == Shape.LIST and not all(isinstance(v, list) for v in present):
        return SCALAR
    return node


def _containers(lhs: Any, rhs: Any) -> tuple[Any, Any]:
    """The values as maps or lists (``_effective`` made them the node's shape), else None."""
    left = lhs if isinstance(lhs, (dict, list)) else None
    right = rhs if isinstance(rhs, (dict, list)) else None
    return left, right


def item_element(node: Node, item: Any, path: Path) -> PathElement:
    """The path element of an associative list's item."""
    if node.keys:
        if not isinstance(item, dict):
            raise StructureError(path, "associative list with keys may not have non-map elements")
        fields: dict[str, Any] = {}
        for key in node.keys:
            if key in item:
                fields[key] = item[key]
            elif key in node.key_defaults:
                fields[key] = node.key_defaults[key]
        if not fields:
            keys = ", ".join(f'"{k}"' for k in node.keys)
            raise StructureError(
                path,
                f"associative list with keys has an element that omits all key fields [{keys}] "
                "(and doesn't have default values for any key fields)",
            )
        return PathElement.of_key(fields)
    if isinstance(item, (dict, list)) or item is None:
        raise StructureError(
            path, "associative list without keys has an element that's not a scalar"
        )
    return PathElement.of_value(item)


def _index(
    node: Node, items: list[Any] | None, path: Path, strict: bool
) -> tuple[list[PathElement], dict[PathElement, Any], set[PathElement]]:
    """The items' path elements in order (first occurrences), by element, and duplicates."""
    order: list[PathElement] = []
    found: dict[PathElement, Any] = {}
    duplicates: set[PathElement] = set()
    for item in items or ():
        pe = item_element(node, item, path)
        if pe in found:
            if strict:
                raise StructureError(path, f"duplicate entries for key {pe.display()}")
            duplicates.add(pe)
            continue
        found[pe] = item
        order.append(pe)
    return order, found, duplicates


# ToFieldSet


def to_field_set(tree: TypeTree, value: Any, strict: bool = False) -> FieldSet:
    """Every field ``value`` sets; ``strict`` refuses duplicate list items."""
    out: set[Path] = set()
    _fields(tree, tree.root, value, (), out, strict)
    return frozenset(out)


def _fields(
    tree: TypeTree, node: Node, value: Any, path: Path, out: set[Path], strict: bool
) -> None:
    node = _effective(node, value)
    if node.shape == Shape.SCALAR or node.atomic:
        out.add(path)
        return
    if node.shape == Shape.LIST:
        order, found, duplicates = _index(node, value, path, strict)
        out.update((*path, pe) for pe in duplicates)
        for pe in order:
            if pe in duplicates:
                continue
            child = (*path, pe)
            _fields(tree, tree.item(node), found[pe], child, out, strict)
            out.add(child)
        return
    if not isinstance(value, dict):
        return
    for key, val in value.items():
        child_node, named = tree.field(node, key)
        child = (*path, PathElement.of_field(key))
        _fields(tree, child_node, val, child, out, strict)
        if val is None or val == {} or not named:
            out.add(child)


# Compare


@dataclass(frozen=True)
class Comparison:
    """What the right-hand value changed: each path is in at most one set."""

    added: FieldSet
    modified: FieldSet
    removed: FieldSet

    @property
    def same(self) -> bool:
        return not (self.added or self.modified or self.removed)

    def excluding(self, keep: Any) -> Comparison:
        """Only the paths ``keep(path)`` accepts."""
        return Comparison(
            frozenset(filter(keep, self.added)),
            frozenset(filter(keep, self.modified)),
            frozenset(filter(keep, self.removed)),
        )


def compare(tree: TypeTree, lhs: Any, rhs: Any) -> Comparison:
    """The fields added, modified and removed from ``lhs`` to ``rhs``."""
    sets: tuple[set[Path], set[Path], set[Path]] = (set(), set(), set())
    _compare(tree, tree.root, lhs, rhs, (), sets)
    return Comparison(frozenset(sets[0]), frozenset(sets[1]), frozenset(sets[2]))


def _leaf(lhs: Any, rhs: Any, path: Path, sets: tuple[set[Path], set[Path], set[Path]]) -> None:
    if lhs is ABSENT:
        sets[0].add(path)
    elif rhs is ABSENT:
        sets[2].add(path)
    elif not json_equal(lhs, rhs):
        sets[1].add(path)


def _compare(
    tree: TypeTree,
    node: Node,
    lhs: Any,
    rhs: Any,
    path: Path,
    sets: tuple[set[Path], set[Path], set[Path]],
) -> None:
    node = _effective(node, lhs, rhs)
    left, right = _containers(lhs, rhs)
    if node.shape == Shape.SCALAR or node.atomic or (not left and not right):
        _leaf(lhs, rhs, path, sets)
        return
    if node.shape == Shape.LIST:
        item = tree.item(node)
        l_order, l_found, _ = _index(node, left, path, False)
        r_order, r_found, _ = _index(node, right, path, False)
        for pe in [*l_order, *(p for p in r_order if p not in l_found)]:
            _compare(
                tree, item, l_found.get(pe, ABSENT), r_found.get(pe, ABSENT), (*path, pe), sets
            )
    else:
        l_map, r_map = left or {}, right or {}
        for key in [*l_map, *(k for k in r_map if k not in l_map)]:
            child, _ = tree.field(node, key)
            element = PathElement.of_field(key)
            _compare(
                tree, child, l_map.get(key, ABSENT), r_map.get(key, ABSENT), (*path, element), sets
            )
    if lhs is ABSENT:
        sets[0].add(path)
    elif rhs is ABSENT:
        sets[2].add(path)


# Merge


def merge(tree: TypeTree, lhs: Any, rhs: Any) -> Any:
    """``rhs`` (an applied configuration) merged over ``lhs``: leaves from ``rhs`` win, map
    fields and list-map items are merged one by one."""
    return _merge(tree, tree.root, lhs, rhs, ())


def _merge(tree: TypeTree, node: Node, lhs: Any, rhs: Any, path: Path) -> Any:
    node = _effective(node, lhs, rhs)
    left, right = _containers(lhs, rhs)
    if node.shape == Shape.SCALAR or node.atomic or (not left and not right):
        return rhs if rhs is not ABSENT else lhs
    if node.shape == Shape.LIST:
        merged = _merge_items(tree, node, left, right, path)
        return merged if merged else ABSENT
    out: dict[str, Any] = {}
    l_map, r_map = left or {}, right or {}
    for key in [*l_map, *(k for k in r_map if k not in l_map)]:
        child, _ = tree.field(node, key)
        value = _merge(
            tree,
            child,
            l_map.get(key, ABSENT),
            r_map.get(key, ABSENT),
            (*path, PathElement.of_field(key)),
        )
        if value is not ABSENT:
            out[key] = value
    return out if out else ABSENT


def _merge_items(
    tree: TypeTree, node: Node, left: list[Any] | None, right: list[Any] | None, path: Path
) -> list[Any]:
    """Items of both lists: left-only items keep their place, shared and right items follow
    the right list's order (as structured-merge-diff orders them)."""
    item = tree.item(node)
    r_pes, r_found, _ = _index(node, right, path, True)
    l_pes, l_found, _ = _index(node, left, path, False)
    shared = [pe for pe in r_pes if pe in l_found]
    next_shared = 0
    merged: set[PathElement] = set()
    out: list[Any] = []

    def take(pe: PathElement, lhs: Any, rhs: Any) -> None:
        value = _merge(tree, item, lhs, rhs, (*path, pe))
        if value is not ABSENT:
            out.append(value)

    li = ri = 0
    while li < len(l_pes) or ri < len(r_pes):
        if li < len(l_pes) and ri < len(r_pes):
            pe = l_pes[li]
            if pe == r_pes[ri]:
                merged.add(pe)
                take(pe, l_found[pe], r_found[pe])
                li, ri = li + 1, ri + 1
                next_shared += 1
                continue
            waiting = shared[next_shared] if next_shared < len(shared) else None
            if pe in r_found and waiting is not None and waiting != pe:
                li += 1
                continue
        if li < len(l_pes):
            pe = l_pes[li]
            if pe not in r_found:
                take(pe, l_found[pe], ABSENT)
                li += 1
                continue
            if pe in merged:
                li += 1
        if ri < len(r_pes):
            pe = r_pes[ri]
            merged.add(pe)
            take(pe, l_found.get(pe, ABSENT), r_found[pe])
            ri += 1
            if next_shared < len(shared) and shared[next_shared] == pe:
                next_shared += 1
    return out


# RemoveItems and EnsureNamedFieldsAreMembers


def _split(fields: Iterable[Path]) -> dict[PathElement, tuple[bool, FieldSet]]:
    """By first element: whether it is a member itself, and the paths under it."""
    members: set[PathElement] = set()
    below: dict[PathElement, set[Path]] = {}
    for path in fields:
        if len(path) == 1:
            members.add(path[0])
        elif path:
            below.setdefault(path[0], set()).add(path[1:])
    return {pe: (pe in members, frozenset(below.get(pe, ()))) for pe in members | below.keys()}


def remove_items(tree: TypeTree, value: Any, fields: FieldSet) -> Any:
    """``value`` without the fields, list items and map entries in ``fields`` (a map or list
    the removal empties goes too)."""
    if not fields:
        return value
    return _remove(tree, tree.root, value, fields)


def _remove(tree: TypeTree, node: Node, value: Any, fields: FieldSet) -> Any:
    node = _effective(node, value)
    if node.shape == Shape.SCALAR or not value or not isinstance(value, (dict, list)):
        return value
    if node.atomic:
        return ABSENT
    parts = _split(fields)
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            try:
                pe = item_element(node, item, ())
            except StructureError:
                items.append(item)
                continue
            member, below = parts.get(pe, (False, EMPTY))
            if member:
                continue
            if below:
                item = _remove(tree, tree.item(node), item, below)
            if item is not ABSENT:
                items.append(item)
        return items if items else ABSENT
    out: dict[str, Any] = {}
    for key, val in value.items():
        member, below = parts.get(PathElement.of_field(key), (False, EMPTY))
        if member:
            continue
        if below:
            val = _remove(tree, tree.field(node, key)[0], val, below)
        if val is not ABSENT:
            out[key] = val
    return out if out else ABSENT


def with_named_parents(tree: TypeTree, fields: FieldSet) -> FieldSet:
    """``fields`` plus every ancestor that is a declared field of its parent (not map keys
    or list items): structured-merge-diff's ``EnsureNamedFieldsAreMembers``."""
    out = set(fields)
    for path in fields:
        node = tree.root
        for i, pe in enumerate(path[:-1]):
            if node.shape == Shape.MAP and pe.text in node.fields and pe.kind == ElementKind.FIELD:
                out.add(path[: i + 1])
            node = tree.field(node, pe.text)[0] if pe.kind == ElementKind.FIELD else tree.item(node)
    return frozenset(out)

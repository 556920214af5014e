"""structured-merge-diff's rules over a schema: field sets, comparisons, merges, removals."""

from __future__ import annotations

from typing import Any

import pytest

from awsgw.testing.fakekube.fieldpaths import (
    FieldSet,
    PathElement,
    from_fields_v1,
    path_string,
    to_fields_v1,
)
from awsgw.testing.fakekube.fieldtypes import TypeTree
from awsgw.testing.fakekube.structured import (
    ABSENT,
    StructureError,
    compare,
    merge,
    remove_items,
    to_field_set,
    with_named_parents,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "atomicList": {"type": "array", "items": {"type": "string"}},
        "set": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "ports": {
            "type": "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["port", "protocol"],
            "items": {
                "type": "object",
                "properties": {
                    "port": {"type": "integer"},
                    "protocol": {"type": "string", "default": "TCP"},
                    "name": {"type": "string"},
                },
            },
        },
        "merged": {
            "type": "array",
            "x-kubernetes-patch-strategy": "merge",
            "x-kubernetes-patch-merge-key": "name",
            "items": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "selector": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "x-kubernetes-map-type": "atomic",
        },
        "spec": {
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        },
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}
TREE = TypeTree(SCHEMA, {})


def f(name: str) -> PathElement:
    return PathElement.of_field(name)


def fields(doc: dict[str, Any]) -> FieldSet:
    return from_fields_v1(doc)


@pytest.mark.parametrize(
    ("value", "owned"),
    [
        ({"atomicList": ["a", "b"]}, {"f:atomicList": {}}),
        ({"set": ["a", "b"]}, {"f:set": {'v:"a"': {}, 'v:"b"': {}}}),
        (
            {"ports": [{"port": 80, "name": "http"}]},
            {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:name": {}, "f:port": {}}}},
        ),
        ({"merged": [{"name": "x"}]}, {"f:merged": {'k:{"name":"x"}': {".": {}, "f:name": {}}}}),
        ({"labels": {"app": "web"}}, {"f:labels": {"f:app": {}}}),
        ({"selector": {"app": "web"}}, {"f:selector": {}}),
        ({"spec": {"a": "x", "b": 1}}, {"f:spec": {"f:a": {}, "f:b": {}}}),
        ({"spec": {}}, {"f:spec": {}}),
        ({"free": {"x": {"y": 1}, "l": [1]}}, {"f:free": {"f:x": {".": {}, "f:y": {}}, "f:l": {}}}),
        ({"set": []}, {}),
    ],
    ids=[
        "atomic-list",
        "set",
        "map-list-with-key-default",
        "patch-merge-key",
        "granular-map",
        "atomic-map",
        "struct",
        "empty-struct",
        "untyped",
        "empty-set",
    ],
)
def test_a_value_owns_its_leaves_list_items_and_atomic_parts(
    value: dict[str, Any], owned: dict[str, Any]
) -> None:
    assert to_fields_v1(to_field_set(TREE, value)) == owned


def test_fields_v1_round_trips_and_marks_owned_parents_with_a_dot() -> None:
    doc = {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}}}}
    decoded = fields(doc)
    key = PathElement.of_key({"protocol": "TCP", "port": 80})
    assert decoded == {(f("ports"), key), (f("ports"), key, f("port"))}
    assert to_fields_v1(decoded) == doc
    assert path_string((f("ports"), key, f("port"))) == '.ports[port=80,protocol="TCP"].port'
    assert path_string((f("set"), PathElement.of_value("a"))) == '.set[="a"]'


def test_a_malformed_fields_v1_is_refused() -> None:
    for bad in ({"x:y": {}}, {"f:a": 1}, {'k:"notanobject"': {}}, []):
        with pytest.raises(ValueError):
            from_fields_v1(bad)


@pytest.mark.parametrize(
    ("before", "after", "added", "modified", "removed"),
    [
        ({"spec": {"a": "x"}}, {"spec": {"a": "y"}}, [], [".spec.a"], []),
        ({}, {"spec": {"a": "x"}}, [".spec", ".spec.a"], [], []),
        ({"spec": {"a": "x", "b": 1}}, {"spec": {"a": "x"}}, [], [], [".spec.b"]),
        ({"atomicList": ["a"]}, {"atomicList": ["a", "b"]}, [], [".atomicList"], []),
        ({"set": ["a"]}, {"set": ["a", "b"]}, ['.set[="b"]'], [], []),
        ({"selector": {"a": "1"}}, {"selector": {"a": "2"}}, [], [".selector"], []),
        ({"labels": {"a": "1"}}, {"labels": {"a": "1", "b": "2"}}, [".labels.b"], [], []),
        ({"spec": {"b": 1}}, {"spec": {"b": True}}, [], [".spec.b"], []),
        (
            {"merged": [{"name": "x"}]},
            {"merged": []},
            [],
            [],
            ['.merged[name="x"]', '.merged[name="x"].name'],
        ),
    ],
)
def test_a_comparison_says_which_fields_were_added_modified_or_removed(
    before: dict[str, Any],
    after: dict[str, Any],
    added: list[str],
    modified: list[str],
    removed: list[str],
) -> None:
    cmp = compare(TREE, before, after)
    assert sorted(map(path_string, cmp.added)) == added
    assert sorted(map(path_string, cmp.modified)) == modified
    assert sorted(map(path_string, cmp.removed)) == removed


@pytest.mark.parametrize(
    ("live", "config", "merged"),
    [
        (
            {"spec": {"a": "x", "b": 1}},
            {"spec": {"a": "y"}},
            {"spec": {"a": "y", "b": 1}},
        ),
        ({"atomicList": ["a", "b"]}, {"atomicList": ["c"]}, {"atomicList": ["c"]}),
        ({"set": ["a", "b"]}, {"set": ["c", "a"]}, {"set": ["c", "a", "b"]}),
        ({"selector": {"a": "1"}}, {"selector": {"b": "2"}}, {"selector": {"b": "2"}}),
        ({"labels": {"a": "1"}}, {"labels": {"b": "2"}}, {"labels": {"a": "1", "b": "2"}}),
        (
            {"ports": [{"port": 80, "name": "a"}, {"port": 81, "protocol": "UDP"}]},
            {"ports": [{"port": 82}, {"port": 80, "protocol": "TCP", "name": "b"}]},
            {
                "ports": [
                    {"port": 82},
                    {"port": 80, "name": "b", "protocol": "TCP"},
                    {"port": 81, "protocol": "UDP"},
                ]
            },
        ),
    ],
    ids=["struct", "atomic-list", "set", "atomic-map", "granular-map", "map-list-order"],
)
def test_an_applied_configuration_merges_by_the_schema(
    live: dict[str, Any], config: dict[str, Any], merged: dict[str, Any]
) -> None:
    assert merge(TREE, live, config) == merged


def test_duplicate_items_in_an_applied_list_map_are_refused() -> None:
    with pytest.raises(StructureError, match=r'\.merged: duplicate entries for key \[name="x"\]'):
        merge(TREE, {}, {"merged": [{"name": "x"}, {"name": "x"}]})
    with pytest.raises(StructureError, match="omits all key fields"):
        to_field_set(TREE, {"merged": [{"other": 1}]})


def test_removing_items_drops_fields_list_items_and_maps_left_empty() -> None:
    value = {"labels": {"a": "1"}, "set": ["a", "b"], "spec": {"a": "x", "b": 1}}
    removed = remove_items(
        TREE,
        value,
        frozenset(
            {(f("labels"), f("a")), (f("set"), PathElement.of_value("a")), (f("spec"), f("b"))}
        ),
    )
    assert removed == {"set": ["b"], "spec": {"a": "x"}}
    assert value["labels"] == {"a": "1"}  # the value itself is not changed
    assert remove_items(TREE, {"spec": {"a": "x"}}, frozenset({(f("spec"),)})) is ABSENT


def test_named_fields_become_members_but_map_keys_and_list_items_do_not() -> None:
    item = PathElement.of_key({"name": "x"})
    owned = frozenset({(f("spec"), f("a")), (f("labels"), f("a")), (f("merged"), item, f("name"))})
    assert with_named_parents(TREE, owned) == owned | {
        (f("spec"),),
        (f("labels"),),
        (f("merged"),),
    }

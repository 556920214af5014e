"""The Lattice request evaluator's match semantics (VPC Lattice "Listener rules")."""

from __future__ import annotations

from typing import Any

import pytest

from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.lattice.evaluate import LiveListener, rule_matches


def http(**kw: Any) -> dict[str, Any]:
    return {"httpMatch": kw}


def path(kind: str, value: str, case: bool | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"match": {kind: value}}
    if case is not None:
        spec["caseSensitive"] = case
    return spec


def header(name: str, kind: str, value: str, case: bool | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "match": {kind: value}}
    if case is not None:
        spec["caseSensitive"] = case
    return spec


@pytest.mark.parametrize(
    "match,request_path,expected",
    [
        (path("exact", "/a"), "/a", True),
        (path("exact", "/a"), "/a/", False),
        (path("exact", "/a"), "/a?x=1", True),  # the query never counts
        (path("prefix", "/a"), "/ab", True),  # Lattice prefixes are plain string prefixes
        (path("exact", "/A"), "/a", True),  # caseSensitive defaults to false
        (path("exact", "/A", case=True), "/a", False),
        (path("prefix", "/A/", case=True), "/A/b", True),
    ],
)
def test_path_matches(match: dict[str, Any], request_path: str, expected: bool) -> None:
    assert rule_matches(http(pathMatch=match), Request("h", request_path)) is expected


@pytest.mark.parametrize(
    "match,sent,expected",
    [
        (header("X-Env", "exact", "blue"), ("x-env", "blue"), True),
        (header("x-env", "exact", "blue"), ("X-ENV", "BLUE"), True),
        (header("x-env", "exact", "blue", case=True), ("x-env", "BLUE"), False),
        (header("x-env", "prefix", "bl"), ("x-env", "blue"), True),
        (header("x-env", "contains", "lu"), ("x-env", "blue"), True),
        (header("x-env", "contains", "red"), ("x-env", "blue"), False),
        (header("x-env", "exact", "blue"), ("x-other", "blue"), False),
    ],
)
def test_header_matches(match: dict[str, Any], sent: tuple[str, str], expected: bool) -> None:
    assert rule_matches(http(headerMatches=[match]), Request("h", headers=(sent,))) is expected


def test_conditions_all_hold_and_method_is_exact() -> None:
    match = http(
        pathMatch=path("prefix", "/"), method="POST", headerMatches=[header("a", "exact", "1")]
    )
    assert rule_matches(match, Request("h", method="POST", headers=(("a", "1"),)))
    assert not rule_matches(match, Request("h", method="GET", headers=(("a", "1"),)))
    assert not rule_matches(match, Request("h", method="POST"))


def test_rules_run_in_order_then_the_default_action() -> None:
    forward = {
        "forward": {
            "targetGroups": [
                {"targetGroupIdentifier": "tg-1", "weight": 3},
                {"targetGroupIdentifier": "tg-2", "weight": 1},
            ]
        }
    }
    listener = LiveListener(
        80,
        [
            {"name": "first", "match": http(pathMatch=path("prefix", "/a")), "action": forward},
            {
                "name": "second",
                "match": http(pathMatch=path("prefix", "/")),
                "action": {"fixedResponse": {"statusCode": 500}},
            },
            {"isDefault": True, "action": {"fixedResponse": {"statusCode": 404}}},
        ],
        {"tg-1": ("one", ["10.0.0.1:80"]), "tg-2": ("two", [])},
    )
    out = listener.evaluate(Request("h", "/a/b"))
    assert (out.rule, out.status, out.targets) == (
        "first",
        200,
        [("one", 3, ["10.0.0.1:80"]), ("two", 1, [])],
    )
    assert listener.evaluate(Request("h", "/b")).status == 500
    listener.rules = [listener.rules[0], listener.rules[2]]
    assert (
        listener.evaluate(Request("h", "/b")).rule,
        listener.evaluate(Request("h", "/b")).status,
    ) == ("default", 404)
    listener.groups["tg-1"] = ("one", [])
    assert listener.evaluate(Request("h", "/a")).status == 503  # no serving target

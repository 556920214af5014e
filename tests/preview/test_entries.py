"""Change records become one entry per resource and action; the text shows each entry's
fields as people read a diff."""

from __future__ import annotations

from typing import Any

from awsgw.preview.document import change_item
from awsgw.preview.entries import entries, summary
from awsgw.preview.text import NO_CHANGES, render
from awsgw.providers.changes import (
    Action,
    Change,
    ChangeLog,
    Resource,
    creating,
    deleting,
    known,
    modifying,
    pending,
)

LB = Resource("load balancer", "gw-1")
RULE = LB.child("listener", "80").child("listener rule", "10")


def logged(*changes: Change, gateway: str = "shop/web") -> list[Change]:
    log = ChangeLog()
    with log.scope("awsgw.io/alb", gateway):
        for change in changes:
            log.add(change)
    return log.changes


def test_a_modify_of_what_the_pass_creates_folds_into_the_create() -> None:
    [entry] = entries(
        logged(
            creating(LB, {"Scheme": "internal", "tag:x": "1"}),
            modifying(LB, {"tag:x": ("1", "2"), "attribute:a": ("60", "120")}),
        )
    )
    assert entry.action is Action.CREATE
    assert {k: (d.old, d.new) for k, d in entry.fields.items()} == {
        "Scheme": (None, "internal"),
        "tag:x": (None, "2"),
        "attribute:a": (None, "120"),
    }


def test_modifies_of_one_resource_merge_first_old_to_last_new() -> None:
    [entry] = entries(
        logged(
            modifying(RULE, {"Actions": (["a"], ["b"]), "Priority": (10, 20)}),
            modifying(RULE, {"Actions": (["b"], ["c"]), "Priority": (20, 10)}),
        )
    )
    assert {k: (d.old, d.new) for k, d in entry.fields.items()} == {"Actions": (["a"], ["c"])}


def test_a_delete_and_a_create_of_one_resource_stay_two_entries() -> None:
    found = entries(logged(deleting(LB, {"Scheme": "internal"}), creating(LB, {"Scheme": "x"})))
    assert [e.action for e in found] == [Action.DELETE, Action.CREATE]
    assert summary(found).create == 1 and summary(found).delete == 1


def test_the_same_resource_of_two_gateways_is_two_entries() -> None:
    found = entries(logged(deleting(LB)) + logged(deleting(LB), gateway="shop/other"))
    assert [e.gateway for e in found] == ["shop/web", "shop/other"]


def test_placeholders_are_shown_as_known_after_apply_also_inside_text() -> None:
    dns = pending("DNSName of load balancer gw-1")
    assert known({"a": [dns], "b": f"at {dns}."}) == {
        "a": ["(known after apply)"],
        "b": "at (known after apply).",
    }


def plan_text(changes: list[Change]) -> str:
    doc: dict[str, Any] = {
        "summary": {"create": 0, "modify": 1, "delete": 0},
        "changes": [change_item(e) for e in entries(changes)],
        "statuses": [],
    }
    return render(doc, {"shop/web": "awsgw.io/alb"})


def test_text_shows_scalars_as_old_to_new_and_lists_as_removed_and_added_items() -> None:
    text = plan_text(
        logged(
            modifying(RULE, {"Priority": (10, 20)}),
            modifying(RULE, {"Conditions": (["host = a", "path = /x"], ["host = a", "path = /y"])}),
        )
    )
    assert text == (
        "Gateway shop/web (awsgw.io/alb):\n"
        "  ~ listener rule 10 of listener 80 of load balancer gw-1\n"
        "      Priority:   10 -> 20\n"
        "      Conditions:\n"
        "        - path = /x\n"
        "          host = a\n"
        "        + path = /y\n"
        "\n"
        "Plan: 0 to create, 1 to change, 0 to destroy.\n"
    )


def test_text_without_changes_says_so() -> None:
    doc: dict[str, Any] = {
        "summary": {"create": 0, "modify": 0, "delete": 0},
        "changes": [],
        "statuses": [],
    }
    assert render(doc, {}) == NO_CHANGES + "\n"

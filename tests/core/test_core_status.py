"""Status documents (awsgw.core.status): generations, parentRefs, transition times, rules."""

from __future__ import annotations

from typing import Any

from awsgw.core.findings import RuleProblem
from awsgw.core.status import (
    GatewayObservation,
    class_statuses,
    gateway_status,
    route_status,
)
from awsgw.core.verdicts import judge
from awsgw.objects import RouteRef
from tests.core.builders import (
    ALB,
    GW_GROUP,
    INFRA,
    backend,
    by_type,
    gateway,
    gateway_class,
    http_route,
    listener,
    match,
    parent,
    rule,
    service,
    world,
)

NOW = "2026-01-02T03:04:05Z"
OLD = "2020-01-01T00:00:00Z"
GW = f"{INFRA}/gw"
ROUTE = f"{INFRA}/r"
ROUTE_REF = RouteRef("HTTPRoute", ROUTE)
OUR_REF = {"group": GW_GROUP, "kind": "Gateway", "namespace": INFRA, "name": "gw"}


def condition(type_: str, status: str, reason: str, when: str = OLD) -> dict[str, Any]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": "",
        "observedGeneration": 1,
        "lastTransitionTime": when,
    }


def two_rule_route(**kwargs: Any) -> Any:
    return http_route(
        "r", rules=[rule(match("/a")), rule(match("/b"))], parents=[parent()], **kwargs
    )


def status_of(route: Any, *objects: Any, problems: list[RuleProblem] | None = None) -> dict:
    att = world(gateway(), service(), route, *objects)
    return route_status(route, judge(att, problems or []).parents[route.ref], {ALB}, NOW)


def ours(status: dict) -> list[dict]:
    return [p for p in status["parents"] if p["controllerName"] == ALB]


# ---------------------------------------------------------------- observedGeneration


def test_gateway_status_conditions_carry_the_gateway_generation() -> None:
    gw = gateway(
        generation=7,
        listeners=[listener("http"), listener("udp", port=53, protocol="UDP")],
    )
    att = world(gw)
    status = gateway_status(att.gateways[GW], judge(att, []).attached_routes(GW), None, NOW)
    assert status["conditions"]
    assert {c["observedGeneration"] for c in status["conditions"]} == {7}
    for ls in status["listeners"]:
        assert ls["conditions"]
        assert {c["observedGeneration"] for c in ls["conditions"]} == {7}


def test_gateway_status_has_accepted_and_programmed_conditions() -> None:
    att = world(gateway())
    seen = GatewayObservation(GW, True, "Programmed", "ready", address="lb.example.com")
    status = gateway_status(att.gateways[GW], judge(att, []).attached_routes(GW), seen, NOW)
    conds = by_type(status["conditions"])
    assert (conds["Accepted"]["status"], conds["Accepted"]["reason"]) == ("True", "Accepted")
    assert (conds["Programmed"]["status"], conds["Programmed"]["reason"]) == (
        "True",
        "Programmed",
    )
    assert status["addresses"] == [{"type": "Hostname", "value": "lb.example.com"}]


def test_gateway_status_lists_listeners_with_supported_kinds_and_attached_routes() -> None:
    att = world(
        gateway(listeners=[listener("http"), listener("invalid", port=1111, protocol="INVALID")]),
        http_route("r"),
    )
    status = gateway_status(att.gateways[GW], judge(att, []).attached_routes(GW), None, NOW)
    listeners = {ls["name"]: ls for ls in status["listeners"]}
    assert listeners["http"]["supportedKinds"] == [{"group": GW_GROUP, "kind": "HTTPRoute"}]
    assert listeners["http"]["attachedRoutes"] == 1
    assert listeners["invalid"]["supportedKinds"] == []
    assert listeners["invalid"]["attachedRoutes"] == 0
    invalid = by_type(listeners["invalid"]["conditions"])
    assert (invalid["Accepted"]["status"], invalid["Accepted"]["reason"]) == (
        "False",
        "UnsupportedProtocol",
    )


def test_route_status_conditions_carry_the_route_generation() -> None:
    status = status_of(http_route("r", generation=3, parents=[parent()]))
    [entry] = ours(status)
    assert {c["observedGeneration"] for c in entry["conditions"]} == {3}


def test_route_status_conditions_carry_the_generation_with_partially_invalid() -> None:
    route = two_rule_route(generation=4)
    status = status_of(route, problems=[RuleProblem(GW, ROUTE_REF, 1, "x")])
    [entry] = ours(status)
    assert "PartiallyInvalid" in by_type(entry["conditions"])
    assert {c["observedGeneration"] for c in entry["conditions"]} == {4}


def test_class_status_conditions_carry_the_class_generation() -> None:
    att = world(gateway_class("gen", generation=5), with_class=False)
    status = class_statuses(att, NOW)["gen"]
    conds = by_type(status["conditions"])
    assert conds["Accepted"]["status"] == "True"
    assert {c["observedGeneration"] for c in status["conditions"]} == {5}


# ---------------------------------------------------------------- parentRef


def test_route_status_parent_ref_always_has_group_kind_namespace_and_name() -> None:
    # The route omits group, kind and namespace in its parentRef.
    status = status_of(http_route("r", parents=[{"name": "gw"}]))
    [entry] = ours(status)
    assert entry["parentRef"] == OUR_REF
    assert entry["controllerName"] == ALB


def test_route_status_parent_ref_keeps_section_name_and_port() -> None:
    status = status_of(http_route("r", parents=[parent(section="http", port=80)]))
    [entry] = ours(status)
    assert entry["parentRef"] == {**OUR_REF, "sectionName": "http", "port": 80}


def test_route_status_has_one_entry_per_parent_ref() -> None:
    route = http_route("r", parents=[parent(section="http"), parent(section="nope")])
    status = status_of(route)
    accepted = [by_type(e["conditions"])["Accepted"] for e in ours(status)]
    assert [(a["status"], a["reason"]) for a in accepted] == [
        ("True", "Accepted"),
        ("False", "NoMatchingParent"),
    ]


# ---------------------------------------------------------------- lastTransitionTime


def test_route_condition_keeps_its_transition_time_when_status_is_unchanged() -> None:
    previous = {
        "parents": [
            {
                "parentRef": OUR_REF,
                "controllerName": ALB,
                "conditions": [
                    condition("Accepted", "True", "Accepted"),
                    condition("ResolvedRefs", "True", "ResolvedRefs"),
                ],
            }
        ]
    }
    route = http_route(
        "r", parents=[parent()], rules=[rule(backends=[backend("gone")])], status=previous
    )
    [entry] = ours(status_of(route))
    conds = by_type(entry["conditions"])
    assert conds["Accepted"]["lastTransitionTime"] == OLD
    assert conds["ResolvedRefs"]["status"] == "False"
    assert conds["ResolvedRefs"]["lastTransitionTime"] == NOW


def test_route_condition_without_a_previous_value_gets_the_current_time() -> None:
    [entry] = ours(status_of(http_route("r", parents=[parent()])))
    assert {c["lastTransitionTime"] for c in entry["conditions"]} == {NOW}


def test_gateway_conditions_keep_their_transition_time_when_status_is_unchanged() -> None:
    previous = {
        "conditions": [
            condition("Accepted", "True", "Accepted"),
            condition("Programmed", "False", "Pending"),
        ],
        "listeners": [
            {
                "name": "http",
                "supportedKinds": [{"group": GW_GROUP, "kind": "HTTPRoute"}],
                "attachedRoutes": 0,
                "conditions": [
                    condition("Accepted", "True", "Accepted"),
                    condition("Programmed", "False", "Pending"),
                ],
            }
        ],
    }
    att = world(gateway(status=previous))
    seen = GatewayObservation(GW, True, "Programmed", "ready", address="lb.example.com")
    status = gateway_status(att.gateways[GW], judge(att, []).attached_routes(GW), seen, NOW)
    conds = by_type(status["conditions"])
    assert conds["Accepted"]["lastTransitionTime"] == OLD
    assert conds["Programmed"]["lastTransitionTime"] == NOW
    listener_conds = by_type(status["listeners"][0]["conditions"])
    assert listener_conds["Accepted"]["lastTransitionTime"] == OLD
    assert listener_conds["Programmed"]["status"] == "True"
    assert listener_conds["Programmed"]["lastTransitionTime"] == NOW


def test_class_condition_keeps_its_transition_time_when_status_is_unchanged() -> None:
    cls = gateway_class("alb", status={"conditions": [condition("Accepted", "True", "Accepted")]})
    att = world(cls, with_class=False)
    conds = by_type(class_statuses(att, NOW)["alb"]["conditions"])
    assert conds["Accepted"]["lastTransitionTime"] == OLD


# ---------------------------------------------------------------- other controllers


def test_route_status_keeps_parents_written_by_other_controllers() -> None:
    theirs = {
        "parentRef": {"group": GW_GROUP, "kind": "Gateway", "namespace": INFRA, "name": "other"},
        "controllerName": "example.com/other-controller",
        "conditions": [condition("Accepted", "True", "Accepted")],
    }
    route = http_route("r", parents=[parent(), parent("other")], status={"parents": [theirs]})
    status = status_of(route)
    assert theirs in status["parents"]
    assert len(ours(status)) == 1
    assert len(status["parents"]) == 2


def test_route_status_drops_our_entries_for_parents_no_longer_referenced() -> None:
    stale = {
        "parentRef": {**OUR_REF, "name": "removed"},
        "controllerName": ALB,
        "conditions": [condition("Accepted", "True", "Accepted")],
    }
    route = http_route("r", parents=[parent()], status={"parents": [stale]})
    status = status_of(route)
    assert stale not in status["parents"]
    assert [p["parentRef"] for p in status["parents"]] == [OUR_REF]


# ---------------------------------------------------------------- rule problems


def test_problem_on_some_rules_sets_partially_invalid_with_dropped_rule_message() -> None:
    route = two_rule_route()
    status = status_of(route, problems=[RuleProblem(GW, ROUTE_REF, 1, "unsupported")])
    [entry] = ours(status)
    conds = by_type(entry["conditions"])
    assert (conds["Accepted"]["status"], conds["Accepted"]["reason"]) == ("True", "Accepted")
    partially = conds["PartiallyInvalid"]
    assert (partially["status"], partially["reason"]) == ("True", "UnsupportedValue")
    assert partially["message"].startswith("Dropped Rule")


def test_problem_on_every_rule_makes_the_route_not_accepted_with_unsupported_value() -> None:
    route = two_rule_route()
    problems = [
        RuleProblem(GW, ROUTE_REF, 0, "unsupported"),
        RuleProblem(GW, ROUTE_REF, 1, "unsupported"),
    ]
    [entry] = ours(status_of(route, problems=problems))
    conds = by_type(entry["conditions"])
    assert (conds["Accepted"]["status"], conds["Accepted"]["reason"]) == (
        "False",
        "UnsupportedValue",
    )
    assert "PartiallyInvalid" not in conds


def test_several_problems_on_one_rule_of_two_are_still_partially_invalid() -> None:
    route = two_rule_route()
    problems = [
        RuleProblem(GW, ROUTE_REF, 0, "first"),
        RuleProblem(GW, ROUTE_REF, 0, "second"),
    ]
    [entry] = ours(status_of(route, problems=problems))
    conds = by_type(entry["conditions"])
    assert conds["Accepted"]["status"] == "True"
    assert conds["PartiallyInvalid"]["status"] == "True"


def test_fully_valid_route_has_no_partially_invalid_condition() -> None:
    [entry] = ours(status_of(two_rule_route()))
    assert "PartiallyInvalid" not in by_type(entry["conditions"])


def test_problem_of_another_gateway_does_not_touch_this_parent() -> None:
    route = two_rule_route()
    status = status_of(route, problems=[RuleProblem(f"{INFRA}/elsewhere", ROUTE_REF, 1, "x")])
    [entry] = ours(status)
    conds = by_type(entry["conditions"])
    assert conds["Accepted"]["status"] == "True"
    assert "PartiallyInvalid" not in conds


def test_not_accepted_parent_never_gets_partially_invalid() -> None:
    route = http_route(
        "r", parents=[parent(section="nope")], rules=[rule(match("/a")), rule(match("/b"))]
    )
    [entry] = ours(status_of(route, problems=[RuleProblem(GW, ROUTE_REF, 1, "x")]))
    conds = by_type(entry["conditions"])
    assert (conds["Accepted"]["status"], conds["Accepted"]["reason"]) == (
        "False",
        "NoMatchingParent",
    )
    assert "PartiallyInvalid" not in conds


def test_attached_routes_exclude_a_route_whose_every_rule_was_dropped() -> None:
    # attachedRoutes "represents the number of Routes with the Accepted condition set to
    # True ... Routes with any other value for the Accepted condition MUST NOT be included".
    route = http_route("r", parents=[parent()], rules=[rule(match("/a"))])
    att = world(gateway(), service(), route)
    problems = [RuleProblem(GW, ROUTE_REF, 0, "cannot be programmed")]
    judged = judge(att, problems)
    r_status = route_status(route, judged.parents[route.ref], {ALB}, NOW)
    [entry] = ours(r_status)
    assert by_type(entry["conditions"])["Accepted"]["status"] == "False"
    g_status = gateway_status(att.gateways[GW], judged.attached_routes(GW), None, NOW)
    assert g_status["listeners"][0]["attachedRoutes"] == 0


def test_a_previous_status_of_any_shape_is_rewritten_not_crashed_on() -> None:
    """Anyone may write a status: junk in it is ignored and replaced, never a crash."""
    junk_route = {"parents": [None, "x", {"parentRef": OUR_REF, "conditions": "bad"}]}
    [entry] = ours(status_of(http_route("r", parents=[parent()], status=junk_route)))
    assert {c["lastTransitionTime"] for c in entry["conditions"]} == {NOW}
    junk_gateway = {
        "conditions": [None, 3],
        "listeners": [None, {"name": "http", "conditions": {}}],
    }
    gw = gateway(status=junk_gateway)
    att = world(gw, service())
    status = gateway_status(att.gateways[GW], judge(att, []).attached_routes(GW), None, NOW)
    assert [c["type"] for c in status["conditions"]] == ["Accepted", "Programmed"]
    assert status["listeners"][0]["conditions"]

"""The pure Lattice compiler and rule planner: names, matches, weights, findings, diffs."""

from __future__ import annotations

import json

import pytest

from awsgw.core.backends import BackendKey
from awsgw.core.findings import ProblemKind
from awsgw.core.model import (
    Action,
    GatewayModel,
    HostGroup,
    KeyValueMatch,
    Match,
    PortModel,
    Rule,
    WeightedBackend,
)
from awsgw.objects import RouteRef
from awsgw.providers.aws.lattice.plan.compile import compile_lattice, lattice_matches
from awsgw.providers.aws.lattice.plan.names import network_name, service_name
from awsgw.providers.aws.lattice.plan.rules import (
    LiveRule,
    action_canon,
    match_canon,
    plan_lattice_rules,
)
from awsgw.providers.aws.lattice.plan.specs import (
    LatticeFixed,
    LatticeForward,
    LatticeLimits,
    LatticeRule,
    Unsupported,
)

LIMITS = LatticeLimits()
ROUTE = RouteRef("HTTPRoute", "shop/r")
SVC = BackendKey("shop", "svc", 80)
IMPORTED = BackendKey("shop", "cart", 80, "ServiceImport")


def paths(match: Match) -> list[dict[str, object]]:
    return [
        json.loads(m)["httpMatch"]["pathMatch"]["match"]
        for m in lattice_matches(match, "HTTPRoute", LIMITS)
    ]


def test_service_names_fit_40_characters_and_are_stable_per_cluster_and_kind() -> None:
    long = RouteRef("HTTPRoute", "a-very-long-namespace-name/an-even-longer-route-name-here")
    name = service_name("prod", long)
    assert len(name) <= 40 and name == service_name("prod", long)
    assert name != service_name("staging", long)
    assert name != service_name("prod", RouteRef("GRPCRoute", long.key))
    assert "--" not in name and not name.endswith("-")


def test_network_names_must_be_valid_lattice_names() -> None:
    assert network_name("infra/mesh", {}) == ("mesh", None)
    assert network_name("infra/x.y", {"awsgw.io/lattice-service-network": "shared"})[0] == "shared"
    assert network_name("infra/x.y", {})[1] is not None
    assert network_name("infra/ab", {})[1] is not None


def test_path_prefix_needs_an_exact_and_a_segment_prefix_rule() -> None:
    assert paths(Match("PathPrefix", "/cart/")) == [{"exact": "/cart"}, {"prefix": "/cart/"}]
    assert paths(Match("PathPrefix", "/")) == [{"prefix": "/"}]
    assert paths(Match("Exact", "/x")) == [{"exact": "/x"}]


def test_headers_and_method_are_exact_and_case_sensitive() -> None:
    m = Match("Exact", "/", (KeyValueMatch("Exact", "X-Env", "Blue"),), method="PUT")
    [found] = lattice_matches(m, "HTTPRoute", LIMITS)
    http = json.loads(found)["httpMatch"]
    assert http["method"] == "PUT"
    assert http["headerMatches"] == [
        {"caseSensitive": True, "match": {"exact": "Blue"}, "name": "x-env"}
    ]


@pytest.mark.parametrize(
    "match,why",
    [
        (Match("PathPrefix", "/", query=(KeyValueMatch("Exact", "a", "b"),)), "query"),
        (Match("RegularExpression", "/a.*"), "RegularExpression"),
        (Match("Exact", "/", (KeyValueMatch("RegularExpression", "a", "b"),)), "RegularExpression"),
        (Match("Exact", "/" + "x" * 200), "longer than 200"),
    ],
)
def test_what_lattice_cannot_match_is_unsupported(match: Match, why: str) -> None:
    with pytest.raises(Unsupported, match=why):
        lattice_matches(match, "HTTPRoute", LIMITS)


def model(*rules: Rule, key: str = "infra/mesh") -> GatewayModel:
    group = HostGroup("http", None, list(rules))
    return GatewayModel(
        key, {}, [PortModel(80, "HTTP", [group])], {SVC: (("10.0.0.1", 8080),)}, (ROUTE,)
    )


def rule(*backends: WeightedBackend, index: int = 0, match: Match | None = None) -> Rule:
    return Rule(ROUTE, index, 0, (), match or Match("PathPrefix", "/"), Action(backends=backends))


def test_import_shares_split_evenly_across_exporting_clusters() -> None:
    exported = {("shop", "cart", 80): ("export-a", "export-b")}
    plan = compile_lattice(
        {"infra/mesh": model(rule(WeightedBackend(IMPORTED, 2), WeightedBackend(SVC, 1)))},
        "c1",
        exported,
    )
    [svc] = plan.services.values()
    [spec] = svc.listeners[0].rules
    assert isinstance(spec.action, LatticeForward)
    weights = dict(spec.action.groups)
    local = next(k for k in weights if k.startswith("k8s-svc"))
    assert (weights["export-a"], weights["export-b"], weights[local]) == (1, 1, 1)
    assert plan.findings == []


def test_unexported_import_is_a_backend_not_found_finding() -> None:
    plan = compile_lattice({"infra/mesh": model(rule(WeightedBackend(IMPORTED, 1)))}, "c1", {})
    [finding] = plan.findings
    assert (finding.kind, finding.rule_index) == (ProblemKind.BACKEND_NOT_FOUND, 0)
    [svc] = plan.services.values()
    assert svc.listeners[0].rules[0].action == LatticeFixed(500)


def test_rules_follow_gateway_api_precedence_not_route_order() -> None:
    plan = compile_lattice(
        {
            "infra/mesh": model(
                rule(WeightedBackend(SVC, 1), index=0, match=Match("PathPrefix", "/a")),
                rule(WeightedBackend(SVC, 1), index=1, match=Match("PathPrefix", "/a/b")),
                rule(WeightedBackend(SVC, 1), index=2, match=Match("Exact", "/a/b/c")),
            )
        },
        "c1",
        {},
    )
    [svc] = plan.services.values()
    got = [json.loads(r.match)["httpMatch"]["pathMatch"]["match"] for r in svc.listeners[0].rules]
    assert got == [
        {"exact": "/a/b/c"},
        {"exact": "/a/b"},
        {"prefix": "/a/b/"},
        {"exact": "/a"},
        {"prefix": "/a/"},
    ]


def spec(path: str, target: str = "tg") -> LatticeRule:
    match = json.dumps(
        {"httpMatch": {"pathMatch": {"caseSensitive": True, "match": {"exact": path}}}},
        sort_keys=True,
        separators=(",", ":"),
    )
    return LatticeRule(match, LatticeForward(((target, 1),)), path)


def live(i: str, priority: int, s: LatticeRule, owned: bool = True) -> LiveRule:
    return LiveRule(i, f"awsgw-{i}", priority, s.match, s.action, owned)


def test_rule_plan_is_empty_when_nothing_changed() -> None:
    a, b = spec("/a"), spec("/b")
    assert plan_lattice_rules([live("1", 10, a), live("2", 20, b)], [a, b]).empty


def test_one_changed_action_is_one_update_keeping_its_priority() -> None:
    a, b = spec("/a"), spec("/b")
    plan = plan_lattice_rules([live("1", 10, a), live("2", 20, b)], [a, spec("/b", "other")])
    assert (
        [(i, p) for i, _, p in plan.update] == [("2", 20)] and not plan.create and not plan.delete
    )


def test_new_top_rule_fits_before_the_others_without_moving_them() -> None:
    a, b = spec("/a"), spec("/b")
    plan = plan_lattice_rules([live("1", 10, a), live("2", 20, b)], [spec("/new"), a, b])
    assert plan.update == [] and [p for p, _, _ in plan.create] == [5]
    assert [n for _, _, n in plan.create] == ["awsgw-3"]


def test_reversed_order_renumbers_in_one_batch_around_foreign_priorities() -> None:
    a, b, c = spec("/a"), spec("/b"), spec("/c")
    foreign = live("9", 15, spec("/theirs"), owned=False)
    plan = plan_lattice_rules([live("1", 1, a), live("2", 2, b), foreign], [b, a])
    assert plan.renumber
    priorities = dict((i, p) for i, _, p in plan.update)
    assert priorities["2"] < priorities["1"] and 15 not in priorities.values()
    leftovers = plan_lattice_rules([live("1", 10, a), live("2", 20, b)], [c])
    assert [i for i, r, _ in leftovers.update if r == c] == ["1"] and leftovers.delete == ["2"]
    assert leftovers.create == []


def test_api_shapes_round_trip_with_lattice_defaults() -> None:
    api = {
        "httpMatch": {
            "pathMatch": {"match": {"prefix": "/"}},
            "headerMatches": [{"name": "X", "match": {"exact": "v"}}],
        }
    }
    canon = json.loads(match_canon(api))["httpMatch"]
    assert canon["pathMatch"]["caseSensitive"] is False
    assert canon["headerMatches"][0] == {
        "caseSensitive": False,
        "match": {"exact": "v"},
        "name": "x",
    }
    action = {"forward": {"targetGroups": [{"targetGroupIdentifier": "tg-1"}]}}
    assert action_canon(action, {"tg-1": "name"}) == LatticeForward((("name", 1),))
    assert action_canon({"fixedResponse": {"statusCode": 404}}, {}) == LatticeFixed(404)

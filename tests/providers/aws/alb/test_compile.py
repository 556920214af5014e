"""GatewayModel → AlbSpec: conditions, actions, transforms, findings, quotas and names (pure).

Conditions and transforms are judged by what they do: ``condition_matches`` and
``apply_transforms`` (alb_evaluate) evaluate the API shapes the compiler's output becomes,
the way ALB does, against ``Request`` objects.
"""

from __future__ import annotations

import re

import pytest

from awsgw.core.backends import BackendKey
from awsgw.core.findings import ProblemKind, RuleProblem
from awsgw.core.model import (
    Action,
    GatewayModel,
    HostGroup,
    KeyValueMatch,
    Match,
    PortModel,
    Redirect,
    Rewrite,
    Rule,
    WeightedBackend,
)
from awsgw.objects import RouteRef
from awsgw.providers.aws.alb.evaluate import (
    AlbOutcome,
    LiveListener,
    apply_transforms,
    condition_matches,
)
from awsgw.providers.aws.alb.plan.actions import prefix_rewrite, tg_name
from awsgw.providers.aws.alb.plan.compile import AlbRule, AlbSpec, compile_alb, lb_name
from awsgw.providers.aws.alb.plan.conditions import host_regex
from awsgw.providers.aws.alb.plan.shapes import (
    actions_api,
    conditions_api,
    transforms_api,
    transforms_canon,
)
from awsgw.providers.aws.alb.plan.values import (
    CATCH_ALL,
    AlbCondition,
    AlbLimits,
    FixedResponse,
    Forward,
    RedirectTo,
)
from awsgw.providers.aws.common.requests import Request

CLUSTER = "test-cluster"
GATEWAY = "shop/web"
ROUTE = RouteRef("HTTPRoute", "shop/store")
WEB = BackendKey("shop", "web", 80)
API = BackendKey("shop", "api", 8080)
NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
HOST = "a.example.com"


# ----------------------------------------------------------------------------- builders
def forward(*pairs: tuple[BackendKey | None, int]) -> Action:
    return Action(backends=tuple(WeightedBackend(key, weight) for key, weight in pairs))


def make_rule(
    path: str = "/",
    path_type: str = "PathPrefix",
    *,
    hostnames: tuple[str, ...] = (),
    headers: tuple[KeyValueMatch, ...] = (),
    query: tuple[KeyValueMatch, ...] = (),
    method: str | None = None,
    action: Action | None = None,
    route: RouteRef = ROUTE,
    rule_index: int = 0,
    match_index: int = 0,
) -> Rule:
    return Rule(
        route=route,
        rule_index=rule_index,
        match_index=match_index,
        hostnames=hostnames,
        match=Match(path_type, path, headers, query, method),
        action=action if action is not None else forward((WEB, 1)),
    )


def make_model(
    *groups: HostGroup,
    port: int = 80,
    protocol: str = "HTTP",
    annotations: dict[str, str] | None = None,
    key: str = GATEWAY,
) -> GatewayModel:
    """A one-port model; every valid backend the rules use gets one ready target."""
    targets: dict[BackendKey, tuple[tuple[str, int], ...]] = {}
    for group in groups:
        for r in group.rules:
            for b in r.action.backends:
                if b.backend is not None:
                    targets[b.backend] = (("10.0.0.1", 8080 + b.backend.port % 7),)
    return GatewayModel(
        key=key,
        annotations=annotations or {},
        ports=[PortModel(port, protocol, list(groups))],
        targets=targets,
    )


def group(*rules: Rule, hostname: str | None = None, listener: str = "http") -> HostGroup:
    return HostGroup(listener, hostname, list(rules))


def compile_rules(*rules: Rule, limits: AlbLimits | None = None, **model_kw: object) -> AlbSpec:
    return compile_alb(make_model(group(*rules), **model_kw), CLUSTER, limits)  # type: ignore[arg-type]


def only_rules(spec: AlbSpec) -> list[AlbRule]:
    assert len(spec.listeners) == 1
    return spec.listeners[0].rules


def single_rule(spec: AlbSpec) -> AlbRule:
    rules = only_rules(spec)
    assert len(rules) == 1, rules
    return rules[0]


def conditions_by_field(rule: AlbRule) -> dict[str, list[AlbCondition]]:
    out: dict[str, list[AlbCondition]] = {}
    for c in rule.conditions:
        out.setdefault(c.field, []).append(c)
    return out


def path_regexes(rule: AlbRule) -> tuple[str, ...] | None:
    """The RegexValues of the rule's path condition (None: no path condition)."""
    paths = [c for c in rule.conditions if c.field == "path-pattern"]
    assert not [c for c in paths if not c.regex and c != CATCH_ALL]
    found = [c for c in paths if c.regex]
    assert len(found) <= 1
    return found[0].values if found else None


def host_regexes(rule: AlbRule) -> tuple[str, ...]:
    hosts = [c for c in rule.conditions if c.field == "host-header"]
    assert not [c for c in hosts if not c.regex]
    assert len(hosts) <= 1
    return hosts[0].values if hosts else ()


def value_count(rule: AlbRule) -> int:
    """Match evaluations the rule uses (ALB allows five per rule, three per condition)."""
    return sum(c.evaluations for c in rule.conditions)


def request(
    path: str = "/",
    host: str = HOST,
    headers: tuple[tuple[str, str], ...] = (),
    method: str = "GET",
) -> Request:
    return Request(host, path, method, headers)


def matches(rule: AlbRule, req: Request) -> bool:
    """Whether ALB would select this rule for the request (every condition holds)."""
    return all(condition_matches(c, req) for c in conditions_api(rule.conditions))


def path_matches(rule: AlbRule, path: str) -> bool:
    return matches(rule, request(path))


def live(spec: AlbSpec) -> LiveListener:
    """The spec's only listener as ALB would hold it (priorities in compiled order)."""
    (listener,) = spec.listeners
    arns = {name: name for name in spec.target_groups}
    rules = [
        {
            "Priority": str(i),
            "Conditions": conditions_api(r.conditions),
            "Actions": actions_api(r.actions, arns),
            "Transforms": transforms_api(r.transforms),
        }
        for i, r in enumerate(listener.rules, start=1)
    ]
    groups = {
        name: (name, [f"{ip}:{port}" for ip, port in tg.targets])
        for name, tg in spec.target_groups.items()
    }
    return LiveListener(listener.port, rules, groups)


def evaluate(spec: AlbSpec, req: Request) -> AlbOutcome:
    return live(spec).evaluate(req)


def rewritten(rule: AlbRule, req: Request) -> Request:
    return apply_transforms(transforms_api(rule.transforms), req)


def the_forward(rule: AlbRule) -> tuple[tuple[str, int], ...]:
    assert len(rule.actions) == 1
    act = rule.actions[0]
    assert isinstance(act, Forward), act
    return act.groups


def name_of(spec: AlbSpec, backend: BackendKey | None) -> str:
    label = str(backend) if backend is not None else "unresolved"
    names = [n for n, tg in spec.target_groups.items() if tg.backend == label]
    assert len(names) == 1, (label, spec.target_groups)
    return names[0]


def findings_for(spec: AlbSpec, route: RouteRef = ROUTE) -> list[RuleProblem]:
    return [f for f in spec.findings if f.route == route]


def all_regexes(spec: AlbSpec) -> list[str]:
    out: list[str] = []
    for listener in spec.listeners:
        for r in listener.rules:
            for c in r.conditions:
                if c.regex:
                    out.extend(c.values)
            out.extend(t.regex for t in r.transforms)
    return out


# ----------------------------------------------------------------------------- paths
def test_path_prefix_matches_whole_segments() -> None:
    rule = single_rule(compile_rules(make_rule("/abc", hostnames=(HOST,))))

    assert len(path_regexes(rule) or ()) == 1  # one evaluation covers /abc and its subtree
    for path in ("/abc", "/abc/", "/abc/d", "/abc/d/e"):
        assert path_matches(rule, path), path
    for path in ("/abcd", "/ab", "/", "/x/abc", "/ABC"):
        assert not path_matches(rule, path), path


def test_path_prefix_never_matches_a_partial_segment() -> None:
    spec = compile_rules(
        make_rule("/abc"), make_rule("/a/b/c", rule_index=1), make_rule("/x/", rule_index=2)
    )

    rules = only_rules(spec)
    assert len(rules) == 3
    for rule, prefix in zip(rules, ("/abc", "/a/b/c", "/x"), strict=True):
        assert path_matches(rule, prefix)
        assert path_matches(rule, prefix + "/more")
        assert not path_matches(rule, prefix + "more"), (rule.conditions, prefix)
        assert not path_matches(rule, prefix + "-")


def test_path_prefix_trailing_slash_is_ignored() -> None:
    with_slash = single_rule(compile_rules(make_rule("/abc/")))
    without = single_rule(compile_rules(make_rule("/abc")))

    assert with_slash.conditions == without.conditions
    assert path_matches(with_slash, "/abc")
    assert path_matches(with_slash, "/abc/d")
    assert not path_matches(with_slash, "/abcd")


def test_path_prefix_root_adds_no_path_condition() -> None:
    rule = single_rule(compile_rules(make_rule("/", hostnames=(HOST,))))

    assert path_regexes(rule) is None
    assert rule.conditions == (AlbCondition("host-header", (host_regex(HOST),), True),)
    for path in ("/", "/a", "/a/b?c=d"):
        assert path_matches(rule, path)


def test_exact_path_is_one_anchored_path_value() -> None:
    rule = single_rule(compile_rules(make_rule("/abc", "Exact")))

    assert len(path_regexes(rule) or ()) == 1
    assert path_matches(rule, "/abc")
    assert path_matches(rule, "/abc?q=1")  # path conditions never see the query
    for path in ("/abc/", "/abcd", "/abc/d", "/x/abc", "/ABC"):
        assert not path_matches(rule, path), path


def test_exact_root_path_is_one_anchored_path_value() -> None:
    rule = single_rule(compile_rules(make_rule("/", "Exact")))

    assert len(path_regexes(rule) or ()) == 1
    assert path_matches(rule, "/")
    assert not path_matches(rule, "/a")


def test_every_compiled_rule_has_at_least_one_condition_even_a_catch_all() -> None:
    """ELBv2: "Each rule consists of a priority, one or more actions, one or more
    conditions". A route without hostnames on a listener without hostname, PathPrefix "/",
    is the commonest route there is; it must still compile to a rule AWS accepts."""
    spec = compile_rules(make_rule("/"))

    rules = only_rules(spec)
    assert rules, "the catch-all route produced no rule at all"
    for rule in rules:
        assert rule.conditions, f"rule {rule.source} has no condition; CreateRule refuses it"
    (rule,) = rules
    assert rule.conditions == (AlbCondition("path-pattern", ("/*",)),)
    for path in ("/", "/a", "/a/b"):
        assert path_matches(rule, path)


def test_regex_characters_in_paths_match_literally() -> None:
    """ALB wildcards and regex metacharacters in a path are escaped: ``/a*b`` is a path,
    not a pattern, so the rules compile and match only the literal text."""
    spec = compile_rules(
        make_rule("/a*b", rule_index=0),
        make_rule("/q?x", "Exact", rule_index=1),
        make_rule("/v1.0", "Exact", rule_index=2),
        make_rule("/(x)+[y]{2}|^$\\", "Exact", rule_index=3),
    )

    assert spec.findings == []
    star, question, dot, special = only_rules(spec)
    assert path_matches(star, "/a*b")
    assert path_matches(star, "/a*b/c")
    assert not path_matches(star, "/axyzb")
    assert not path_matches(star, "/ab")
    # "?" would start the query in a request line; judge the regex on the literal path
    (question_rx,) = path_regexes(question) or ()
    assert re.search(question_rx, "/q?x")
    assert not re.search(question_rx, "/qx")
    assert not re.search(question_rx, "/qax")
    assert path_matches(dot, "/v1.0")
    assert not path_matches(dot, "/v1x0")
    assert path_matches(special, "/(x)+[y]{2}|^$\\")
    assert not path_matches(special, "/xyy")


def test_regular_expression_path_is_refused_with_a_finding() -> None:
    spec = compile_rules(make_rule("/a.*", "RegularExpression"))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1
    assert "RegularExpression" in findings_for(spec)[0].message


def test_path_whose_regex_exceeds_the_length_limit_is_refused_and_the_rule_dropped() -> None:
    fits = "/" + "a" * 118  # ^ \/ a*118 (/.*)?$: 128 characters
    too_long = fits + "a"
    spec = compile_rules(make_rule(fits, rule_index=0), make_rule(too_long, rule_index=1))

    (rule,) = only_rules(spec)
    assert [len(rx) for rx in path_regexes(rule) or ()] == [128]
    assert path_matches(rule, fits + "/x")
    assert all(len(rx) <= 128 for rx in all_regexes(spec))
    (finding,) = findings_for(spec)
    assert finding.rule_index == 1
    assert finding.message.startswith("dropped")
    assert "128" in finding.message


# ----------------------------------------------------------------------------- hosts
def test_host_regex_accepts_the_host_with_and_without_a_port() -> None:
    rx = host_regex("a.example.com")

    for host in ("a.example.com", "a.example.com:80", "a.example.com:8443"):
        assert re.search(rx, host), host


def test_host_regex_refuses_longer_names_and_other_suffixes() -> None:
    rx = host_regex("a.example.com")

    for host in (
        "b.a.example.com",
        "xa.example.com",
        "a.example.community",
        "a.example.com.evil.org",
        "a.example.org",
        "aXexample.com",
        "a.example.com:",
        "a.example.com:http",
        "a.example.com:80/x",
    ):
        assert not re.search(rx, host), host


def test_wildcard_host_regex_matches_any_depth_but_not_the_apex() -> None:
    rx = host_regex("*.example.com")

    for host in ("a.example.com", "a.b.example.com", "x-1.y.z.example.com", "a.example.com:8080"):
        assert re.search(rx, host), host
    for host in ("example.com", ".example.com", "example.com:80", "aexample.com"):
        assert not re.search(rx, host), host
    for host in ("a.example.org", "a.example.com.evil.org", "a.example.community"):
        assert not re.search(rx, host), host


def test_compiled_hostnames_match_requests_with_and_without_a_port() -> None:
    rule = single_rule(compile_rules(make_rule("/", hostnames=(HOST, "*.shop.example.com"))))

    for host in (HOST, f"{HOST}:8080", "x.shop.example.com", "x.y.shop.example.com:443"):
        assert matches(rule, request(host=host)), host
    for host in ("b.example.com", "shop.example.com", f"x.{HOST}", "example.com"):
        assert not matches(rule, request(host=host)), host


def test_hostname_whose_regex_exceeds_the_length_limit_is_refused() -> None:
    long_host = "a" * 63 + "." + "b" * 63 + ".example.com"
    spec = compile_rules(make_rule("/", hostnames=(long_host,)))

    assert only_rules(spec) == []
    (finding,) = findings_for(spec)
    assert finding.message.startswith("dropped")
    assert "128" in finding.message


# ----------------------------------------------------------------------------- other matches
def test_headers_become_exact_http_header_conditions_with_lower_case_names() -> None:
    headers = (KeyValueMatch("Exact", "X-Env", "canary"), KeyValueMatch("Exact", "X-Team", "a"))
    rule = single_rule(compile_rules(make_rule("/", "PathPrefix", headers=headers)))

    conds = sorted(conditions_by_field(rule)["http-header"], key=lambda c: c.header)
    assert all(c.regex for c in conds)
    assert [(c.header, len(c.values)) for c in conds] == [("x-env", 1), ("x-team", 1)]
    both = (("x-env", "canary"), ("X-TEAM", "a"))
    assert matches(rule, request(headers=both))
    for env in ("canary2", "xcanary", "canar", ""):
        assert not matches(rule, request(headers=(("x-env", env), ("x-team", "a")))), env
    assert not matches(rule, request(headers=(("x-env", "canary"),)))
    assert not matches(rule, request(headers=(("x-env", "canary"), ("x-team", "ab"))))


def test_query_params_become_query_string_conditions() -> None:
    query = (KeyValueMatch("Exact", "version", "2"), KeyValueMatch("Exact", "lang", "en"))
    rule = single_rule(compile_rules(make_rule("/", query=query)))

    assert sorted(conditions_by_field(rule)["query-string"]) == [
        AlbCondition("query-string", pairs=(("lang", "en"),)),
        AlbCondition("query-string", pairs=(("version", "2"),)),
    ]
    assert matches(rule, request("/x?version=2&lang=en"))
    assert not matches(rule, request("/x?version=2"))


def test_method_becomes_http_request_method_condition() -> None:
    rule = single_rule(compile_rules(make_rule("/", method="POST")))

    assert conditions_by_field(rule)["http-request-method"] == [
        AlbCondition("http-request-method", ("POST",))
    ]
    assert matches(rule, request(method="POST"))
    assert not matches(rule, request(method="GET"))


def test_all_match_kinds_combine_in_one_rule() -> None:
    rule = single_rule(
        compile_rules(
            make_rule(
                "/api",
                hostnames=(HOST,),
                headers=(KeyValueMatch("Exact", "X-A", "1"),),
                query=(KeyValueMatch("Exact", "v", "2"),),
                method="GET",
            )
        )
    )

    assert {(c.field, c.regex) for c in rule.conditions} == {
        ("host-header", True),
        ("path-pattern", True),
        ("http-header", True),
        ("query-string", False),
        ("http-request-method", False),
    }
    assert value_count(rule) == 5
    good = request("/api/x?v=2", headers=(("x-a", "1"),))
    assert matches(rule, good)
    assert not matches(rule, request("/api/x?v=2", host="b.example.com", headers=(("x-a", "1"),)))
    assert not matches(rule, request("/apix?v=2", headers=(("x-a", "1"),)))
    assert not matches(rule, request("/api/x?v=3", headers=(("x-a", "1"),)))
    assert not matches(rule, request("/api/x?v=2", headers=(("x-a", "2"),)))
    assert not matches(rule, request("/api/x?v=2", headers=(("x-a", "1"),), method="POST"))


def test_regular_expression_header_match_is_refused() -> None:
    spec = compile_rules(make_rule("/", headers=(KeyValueMatch("RegularExpression", "x", "a.*"),)))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1
    assert findings_for(spec)[0].message.startswith("dropped")


def test_regular_expression_query_match_is_refused() -> None:
    spec = compile_rules(make_rule("/", query=(KeyValueMatch("RegularExpression", "q", "a+"),)))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1


def test_wildcard_characters_in_header_values_match_literally() -> None:
    spec = compile_rules(make_rule("/", headers=(KeyValueMatch("Exact", "x", "a*.?b"),)))

    rule = single_rule(spec)
    assert spec.findings == []
    assert matches(rule, request(headers=(("x", "a*.?b"),)))
    for value in ("a", "abb", "axxxyzb", "a*x?b", "a*.?bc"):
        assert not matches(rule, request(headers=(("x", value),))), value


def test_wildcard_in_query_param_is_refused() -> None:
    """Query conditions stay plain Values, where ALB reads * and ? as wildcards."""
    spec = compile_rules(
        make_rule("/", query=(KeyValueMatch("Exact", "q", "a*"),), rule_index=0),
        make_rule("/", query=(KeyValueMatch("Exact", "q?", "a"),), rule_index=1),
    )

    assert only_rules(spec) == []
    assert sorted(f.rule_index for f in findings_for(spec)) == [0, 1]
    assert all(f.message.startswith("dropped") for f in findings_for(spec))


def test_header_value_whose_regex_exceeds_the_length_limit_is_refused() -> None:
    spec = compile_rules(make_rule("/", headers=(KeyValueMatch("Exact", "x", "v" * 127),)))

    assert only_rules(spec) == []
    (finding,) = findings_for(spec)
    assert finding.message.startswith("dropped")


# ----------------------------------------------------------------------------- value budget
def test_many_hostnames_split_into_rules_within_the_value_budget_covering_all_in_order() -> None:
    hosts = tuple(f"h{i}.example.com" for i in range(8))
    spec = compile_rules(make_rule("/abc", hostnames=hosts))

    rules = only_rules(spec)
    assert len(rules) > 1
    covered: list[str] = []
    for rule in rules:
        assert value_count(rule) <= 5
        for c in rule.conditions:
            values = c.values
            assert len(values) <= 3  # type: ignore[arg-type]
        assert len(path_regexes(rule) or ()) == 1
        covered.extend(host_regexes(rule))
    assert covered == [host_regex(h) for h in hosts]
    for h in hosts:
        hits = [r for r in rules if matches(r, request("/abc/x", host=h))]
        assert len(hits) == 1, h
        assert not any(matches(r, request("/abcd", host=h)) for r in rules)


def test_hostname_split_without_path_uses_three_hosts_per_rule() -> None:
    hosts = tuple(f"h{i}.example.com" for i in range(7))
    spec = compile_rules(make_rule("/", hostnames=hosts))

    expected = [hosts[0:3], hosts[3:6], hosts[6:7]]
    assert [host_regexes(r) for r in only_rules(spec)] == [
        tuple(host_regex(h) for h in chunk) for chunk in expected
    ]


def test_hostnames_are_lower_cased_and_deduplicated() -> None:
    rule = single_rule(compile_rules(make_rule("/", hostnames=("A.Example.com", HOST))))

    assert host_regexes(rule) == (host_regex(HOST),)
    assert matches(rule, request(host=HOST))


def test_split_rules_all_carry_the_same_action() -> None:
    hosts = tuple(f"h{i}.example.com" for i in range(5))
    spec = compile_rules(make_rule("/abc", hostnames=hosts, action=forward((WEB, 1))))

    actions = {r.actions for r in only_rules(spec)}
    assert actions == {(Forward(((name_of(spec, WEB), 1),)),)}


def test_match_needing_more_than_five_values_is_refused() -> None:
    headers = tuple(KeyValueMatch("Exact", f"x-{i}", "v") for i in range(5))
    spec = compile_rules(make_rule("/abc", headers=headers))  # 5 headers + 1 path value

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1
    assert findings_for(spec)[0].message.startswith("dropped")


def test_match_with_five_values_and_hostnames_is_refused() -> None:
    headers = tuple(KeyValueMatch("Exact", f"x-{i}", "v") for i in range(4))
    spec = compile_rules(make_rule("/abc", hostnames=(HOST,), headers=headers))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1


def test_match_with_exactly_five_values_is_accepted() -> None:
    headers = tuple(KeyValueMatch("Exact", f"x-{i}", "v") for i in range(4))
    rule = single_rule(compile_rules(make_rule("/abc", headers=headers)))

    assert value_count(rule) == 5
    sent = tuple((f"x-{i}", "v") for i in range(4))
    assert matches(rule, request("/abc/d", headers=sent))
    assert not matches(rule, request("/abc/d", headers=sent[:3]))


def test_path_prefix_costs_one_value_leaving_room_for_hostnames() -> None:
    headers = tuple(KeyValueMatch("Exact", f"x-{i}", "v") for i in range(3))
    rule = single_rule(compile_rules(make_rule("/abc", hostnames=(HOST,), headers=headers)))

    assert value_count(rule) == 5
    assert host_regexes(rule) == (host_regex(HOST),)


def test_identical_condition_sets_keep_only_the_first_rule() -> None:
    first = make_rule("/abc", action=forward((WEB, 1)), rule_index=0)
    second = make_rule("/abc", action=forward((API, 1)), rule_index=1)
    spec = compile_rules(first, second)

    rule = single_rule(spec)
    assert the_forward(rule) == ((name_of(spec, WEB), 1),)
    assert "rule 0" in rule.source
    assert list(spec.target_groups) == [name_of(spec, WEB)]


# ----------------------------------------------------------------------------- weights
def test_single_backend_weight_is_normalised_to_one() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 37))))

    assert the_forward(single_rule(spec)) == ((name_of(spec, WEB), 1),)


def test_weights_within_range_are_kept() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 3), (API, 7))))

    assert dict(the_forward(single_rule(spec))) == {name_of(spec, WEB): 3, name_of(spec, API): 7}


def test_weights_above_999_are_scaled_exactly_by_their_gcd() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 3000), (API, 1000))))

    assert dict(the_forward(single_rule(spec))) == {name_of(spec, WEB): 3, name_of(spec, API): 1}


def test_weights_that_cannot_be_expressed_exactly_answer_500_with_a_finding() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 1000), (API, 1))))

    assert single_rule(spec).actions == (FixedResponse("500"),)
    assert len(findings_for(spec)) == 1
    assert findings_for(spec)[0].message.startswith("answers 500")
    assert spec.target_groups == {}


def test_more_than_five_backends_answer_500_with_a_finding() -> None:
    keys = [BackendKey("shop", f"svc{i}", 80) for i in range(6)]
    spec = compile_rules(make_rule("/", "Exact", action=forward(*[(k, 1) for k in keys])))

    assert single_rule(spec).actions == (FixedResponse("500"),)
    assert len(findings_for(spec)) == 1
    assert findings_for(spec)[0].message.startswith("answers 500")


def test_five_backends_are_accepted() -> None:
    keys = [BackendKey("shop", f"svc{i}", 80) for i in range(5)]
    spec = compile_rules(make_rule("/", "Exact", action=forward(*[(k, 1) for k in keys])))

    assert len(the_forward(single_rule(spec))) == 5
    assert spec.findings == []


def test_six_references_to_five_services_fit_one_forward() -> None:
    """The five-group limit is on target groups: references to one Service port merge into
    one group, so six references to five Service ports are exactly expressible."""
    keys = [BackendKey("shop", f"svc{i}", 80) for i in range(5)]
    pairs = [(k, 1) for k in keys] + [(keys[0], 1)]
    spec = compile_rules(make_rule("/", "Exact", action=forward(*pairs)))

    assert dict(the_forward(single_rule(spec)))[name_of(spec, keys[0])] == 2
    assert spec.findings == []


def test_zero_weight_backends_are_omitted() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 1), (API, 0))))

    assert the_forward(single_rule(spec)) == ((name_of(spec, WEB), 1),)
    assert [tg.backend for tg in spec.target_groups.values()] == [str(WEB)]


def test_all_zero_weights_answer_500() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 0), (API, 0))))

    assert single_rule(spec).actions == (FixedResponse("500"),)


def test_all_invalid_backends_answer_500() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((None, 1), (None, 3))))

    assert single_rule(spec).actions == (FixedResponse("500"),)
    assert spec.target_groups == {}


def test_no_backends_answer_500() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=Action()))

    assert single_rule(spec).actions == (FixedResponse("500"),)


def test_partially_invalid_backends_send_their_share_to_an_unresolved_group() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 3), (None, 1))))

    pairs = dict(the_forward(single_rule(spec)))
    unresolved = name_of(spec, None)
    assert pairs == {name_of(spec, WEB): 3, unresolved: 1}
    assert spec.target_groups[unresolved].backend == "unresolved"
    assert spec.target_groups[unresolved].targets == ()


def test_duplicate_backend_references_merge_their_weights() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 1), (API, 1), (WEB, 2))))

    assert dict(the_forward(single_rule(spec))) == {name_of(spec, WEB): 3, name_of(spec, API): 1}


# ----------------------------------------------------------------------------- unsupported
def test_unsupported_filter_answers_500_with_a_finding() -> None:
    action = Action(backends=(WeightedBackend(WEB, 1),), unsupported=("RequestHeaderModifier",))
    spec = compile_rules(make_rule("/abc", action=action))

    rule = single_rule(spec)
    assert rule.actions == (FixedResponse("500"),)
    assert path_matches(rule, "/abc/d")  # the rule stays, so traffic never leaks
    assert evaluate(spec, request("/abc/d")).status == 500
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "RequestHeaderModifier" in finding.message


def test_findings_name_the_route_and_rule_index() -> None:
    other = RouteRef("HTTPRoute", "shop/other")
    action = Action(unsupported=("RequestMirror",))
    spec = compile_rules(make_rule("/a", action=action, route=other, rule_index=4))

    assert spec.findings == [RuleProblem(GATEWAY, other, 4, spec.findings[0].message)]


# ----------------------------------------------------------------------------- URL rewrites
def rewrite(
    hostname: str | None = None, path_type: str | None = None, path: str | None = None
) -> Action:
    return Action(backends=(WeightedBackend(WEB, 1),), rewrite=Rewrite(hostname, path_type, path))


def test_url_rewrite_hostname_replaces_the_whole_host_header() -> None:
    spec = compile_rules(make_rule("/abc", action=rewrite(hostname="new.example.com")))

    rule = single_rule(spec)
    assert spec.findings == []
    assert [t.kind for t in rule.transforms] == ["host-header-rewrite"]
    for host in (HOST, f"{HOST}:8080"):
        after = rewritten(rule, request("/abc/d?q=1", host=host))
        assert (after.host, after.path) == ("new.example.com", "/abc/d?q=1")
    outcome = evaluate(spec, request("/abc/d", host=f"{HOST}:8080"))
    assert (outcome.action, outcome.status) == ("forward", 200)
    assert [t[0] for t in outcome.targets] == [name_of(spec, WEB)]
    assert (outcome.host, outcome.path) == ("new.example.com", "/abc/d")


def test_url_rewrite_full_path_replaces_the_path_and_keeps_the_query() -> None:
    spec = compile_rules(make_rule("/abc", action=rewrite(path_type="ReplaceFullPath", path="/x")))

    rule = single_rule(spec)
    assert spec.findings == []
    assert [t.kind for t in rule.transforms] == ["url-rewrite"]
    for sent, expected in (
        ("/abc", "/x"),
        ("/abc/", "/x"),
        ("/abc/d/e", "/x"),
        ("/abc/d?q=1&r=2", "/x?q=1&r=2"),
    ):
        after = rewritten(rule, request(sent))
        assert (after.path, after.host) == (expected, HOST), sent
    assert evaluate(spec, request("/abc/d?q=1")).path == "/x?q=1"


# Gateway API HTTPPathModifier ReplacePrefixMatch: request path, prefix, replacement → result
PREFIX_TABLE = [
    ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
    ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
    ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
    ("/foo/bar", "/foo/", "/xyz/", "/xyz/bar"),
    ("/foo", "/foo", "/xyz", "/xyz"),
    ("/foo/", "/foo", "/xyz", "/xyz/"),
    ("/foo/bar", "/foo", "", "/bar"),
    ("/foo/", "/foo", "", "/"),
    ("/foo", "/foo", "", "/"),
    ("/foo/", "/foo", "/", "/"),
    ("/foo", "/foo", "/", "/"),
    ("/foo/bar/baz", "/foo/bar", "/x", "/x/baz"),
    ("/foo/bar?a=1&b=2", "/foo", "/xyz", "/xyz/bar?a=1&b=2"),
    ("/foo?a=1", "/foo", "/xyz", "/xyz?a=1"),
    ("/foo/?a=1", "/foo", "/xyz", "/xyz/?a=1"),
    ("/foo/bar?a=1", "/foo", "", "/bar?a=1"),
    ("/foo?a=/foo", "/foo", "", "/?a=/foo"),
    ("/v1.0/x", "/v1.0", "/v2", "/v2/x"),
]


@pytest.mark.parametrize(("sent", "prefix", "replace", "expected"), PREFIX_TABLE)
def test_url_rewrite_replace_prefix_match_follows_the_gateway_api_table(
    sent: str, prefix: str, replace: str, expected: str
) -> None:
    action = rewrite(path_type="ReplacePrefixMatch", path=replace)
    spec = compile_rules(make_rule(prefix, action=action))

    rule = single_rule(spec)
    assert spec.findings == []
    assert matches(rule, request(sent))
    assert rewritten(rule, request(sent)).path == expected
    assert evaluate(spec, request(sent)).path == expected


def test_url_rewrite_hostname_and_path_together_produce_both_transforms() -> None:
    action = rewrite("new.example.com", "ReplacePrefixMatch", "/xyz")
    spec = compile_rules(make_rule("/foo", action=action))

    rule = single_rule(spec)
    assert sorted(t.kind for t in rule.transforms) == ["host-header-rewrite", "url-rewrite"]
    outcome = evaluate(spec, request("/foo/bar?q=1", host=f"{HOST}:8080"))
    assert (outcome.host, outcome.path) == ("new.example.com", "/xyz/bar?q=1")


def test_requests_the_rule_does_not_match_are_not_rewritten() -> None:
    action = rewrite("new.example.com", "ReplacePrefixMatch", "/xyz")
    spec = compile_rules(
        make_rule("/foo", action=action, rule_index=0),
        make_rule("/", action=forward((API, 1)), rule_index=1),
    )

    outcome = evaluate(spec, request("/foobar"))
    assert [t[0] for t in outcome.targets] == [name_of(spec, API)]
    assert (outcome.host, outcome.path) == (HOST, "/foobar")


def test_url_rewrite_replace_prefix_match_on_an_exact_match_answers_500_with_a_finding() -> None:
    action = rewrite(path_type="ReplacePrefixMatch", path="/xyz")
    spec = compile_rules(make_rule("/foo", "Exact", action=action))

    rule = single_rule(spec)
    assert rule.actions == (FixedResponse("500"),)
    assert rule.transforms == ()
    assert path_matches(rule, "/foo")  # the rule stays, so traffic never leaks
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "ReplacePrefixMatch" in finding.message
    assert "PathPrefix" in finding.message


@pytest.mark.parametrize(
    "action",
    [
        rewrite(path_type="ReplaceFullPath", path="/a$1"),
        rewrite(path_type="ReplacePrefixMatch", path="/$x"),
        rewrite(hostname="$1.example.com"),
    ],
    ids=["full-path", "prefix", "hostname"],
)
def test_url_rewrite_replacement_with_a_dollar_answers_500(action: Action) -> None:
    """ALB reads ``$n`` in a replacement as a regex group: a literal ``$`` cannot be sent."""
    spec = compile_rules(make_rule("/foo", action=action))

    rule = single_rule(spec)
    assert rule.actions == (FixedResponse("500"),)
    assert rule.transforms == ()
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")


def test_compiled_transforms_are_already_in_their_canonical_order() -> None:
    """The apply step compares ours with ``transforms_canon`` of what DescribeRules returns:
    compiled transforms must survive that round trip unchanged, or every sync rewrites."""
    spec = compile_rules(
        make_rule("/a", action=rewrite("new.example.com", "ReplacePrefixMatch", "/x")),
        make_rule("/b", action=rewrite("new.example.com", "ReplaceFullPath", "/y"), rule_index=1),
        make_rule(
            "/c", action=redirect(301, path_type="ReplacePrefixMatch", path="/z"), rule_index=2
        ),
    )

    rules = only_rules(spec)
    assert [len(r.transforms) for r in rules] == [2, 2, 1]
    for rule in rules:
        assert transforms_canon(transforms_api(rule.transforms)) == rule.transforms


def test_forward_without_rewrite_has_no_transforms() -> None:
    rule = single_rule(compile_rules(make_rule("/foo")))

    assert rule.transforms == ()


# ----------------------------------------------------------------------------- redirects
def redirect(
    code: int = 301,
    scheme: str | None = None,
    hostname: str | None = None,
    port: int | None = None,
    path_type: str | None = None,
    path: str | None = None,
) -> Action:
    return Action(redirect=Redirect(scheme, hostname, port, path_type, path, code))


def test_redirect_301_to_https_upper_cases_the_scheme_and_keeps_the_derived_port() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=redirect(301, "https", port=443)))

    (act,) = single_rule(spec).actions
    assert isinstance(act, RedirectTo)
    assert act.protocol == "HTTPS"
    assert act.port == "443"
    assert isinstance(act, RedirectTo) and act.status == "HTTP_301"
    assert spec.findings == []
    outcome = evaluate(spec, request("/"))
    assert (outcome.status, outcome.location) == (301, f"https://{HOST}/")


def test_redirect_302_keeps_unchanged_components_as_placeholders() -> None:
    spec = compile_rules(
        make_rule("/", "Exact", action=redirect(302, hostname="new.example.com", port=80))
    )

    act = single_rule(spec).actions[0]
    assert isinstance(act, RedirectTo)
    assert act == RedirectTo(
        "#{protocol}", "80", "new.example.com", act.path, "#{query}", "HTTP_302"
    )
    assert evaluate(spec, request("/?a=1")).location == "http://new.example.com/?a=1"


def test_redirect_without_path_keeps_the_original_path_with_its_leading_slash() -> None:
    """ALB's #{path} has its leading "/" removed, and RedirectConfig.Path must start with
    "/": keeping the path is "/#{path}"."""
    spec = compile_rules(make_rule("/a", action=redirect(301, "https", port=443)))

    rule = single_rule(spec)
    (act,) = rule.actions
    assert isinstance(act, RedirectTo) and act.path == "/#{path}"
    assert rule.transforms == ()
    assert evaluate(spec, request("/a/b?q=1")).location == f"https://{HOST}/a/b?q=1"


def test_redirect_full_path_replacement_sets_the_path() -> None:
    spec = compile_rules(
        make_rule(
            "/", "Exact", action=redirect(301, port=80, path_type="ReplaceFullPath", path="/new")
        )
    )

    (act,) = single_rule(spec).actions
    assert isinstance(act, RedirectTo) and act.path == "/new"
    assert evaluate(spec, request("/?q=1")).location == f"http://{HOST}/new?q=1"


def test_redirect_303_answers_500_with_a_finding() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=redirect(303, "https", port=443)))

    assert single_rule(spec).actions == (FixedResponse("500"),)
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "303" in finding.message


def test_redirect_replace_prefix_match_rewrites_the_path_then_redirects_to_it() -> None:
    action = redirect(302, port=80, path_type="ReplacePrefixMatch", path="/new")
    spec = compile_rules(make_rule("/old", action=action))

    rule = single_rule(spec)
    assert spec.findings == []
    (act,) = rule.actions
    assert isinstance(act, RedirectTo) and act.path == "/#{path}"
    assert rule.transforms == (prefix_rewrite(Match("PathPrefix", "/old"), "/new"),)
    for sent, location in (
        ("/old", "/new"),
        ("/old/", "/new/"),
        ("/old/a/b", "/new/a/b"),
        ("/old/a?x=1", "/new/a?x=1"),
    ):
        outcome = evaluate(spec, request(sent))
        assert (outcome.action, outcome.status) == ("redirect", 302)
        assert outcome.location == f"http://{HOST}{location}", sent


def test_redirect_replace_prefix_match_with_an_empty_replacement_strips_the_prefix() -> None:
    action = redirect(301, port=80, path_type="ReplacePrefixMatch", path="")
    spec = compile_rules(make_rule("/old", action=action))

    for sent, location in (("/old/a", "/a"), ("/old", "/"), ("/old/", "/"), ("/old?q=1", "/?q=1")):
        assert evaluate(spec, request(sent)).location == f"http://{HOST}{location}", sent


def test_redirect_replace_prefix_match_on_an_exact_match_answers_500_with_a_finding() -> None:
    action = redirect(302, port=80, path_type="ReplacePrefixMatch", path="/new")
    spec = compile_rules(make_rule("/old", "Exact", action=action))

    rule = single_rule(spec)
    assert rule.actions == (FixedResponse("500"),)
    assert rule.transforms == ()
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "ReplacePrefixMatch" in finding.message


def test_redirect_from_an_https_listener_to_http_is_not_programmed() -> None:
    """ELBv2 RedirectConfig: "You can't redirect HTTPS to HTTP" (CreateRule refuses it)."""
    spec = compile_rules(
        make_rule("/", "Exact", action=redirect(301, "http", port=80)),
        port=443,
        protocol="HTTPS",
    )

    assert single_rule(spec).actions == (FixedResponse("500"),)
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "http" in finding.message.lower()


@pytest.mark.parametrize(
    ("protocol", "scheme"), [("HTTP", "http"), ("HTTP", "https"), ("HTTPS", "https")]
)
def test_redirects_other_than_https_to_http_are_programmed(protocol: str, scheme: str) -> None:
    spec = compile_rules(
        make_rule("/", "Exact", action=redirect(301, scheme)),
        port=443 if protocol == "HTTPS" else 80,
        protocol=protocol,
    )

    (act,) = single_rule(spec).actions
    assert isinstance(act, RedirectTo) and act.protocol == scheme.upper()
    assert spec.findings == []


# ----------------------------------------------------------------------------- isolation
def test_listener_isolation_404_follows_the_more_specific_groups_rules() -> None:
    foo = group(
        make_rule("/a", hostnames=("foo.example.com",), rule_index=0),
        make_rule("/b", hostnames=("foo.example.com",), rule_index=1),
        hostname="foo.example.com",
        listener="foo",
    )
    wild = group(
        make_rule("/", hostnames=("*.example.com",), action=forward((API, 1))),
        hostname="*.example.com",
        listener="wild",
    )
    spec = compile_alb(make_model(foo, wild), CLUSTER)

    rules = only_rules(spec)
    isolate = (AlbCondition("host-header", (host_regex("foo.example.com"),), True),)
    positions = [i for i, r in enumerate(rules) if r.conditions == isolate]
    assert len(positions) == 1
    pos = positions[0]
    assert rules[pos].actions == (FixedResponse("404"),)
    assert pos == 2
    assert matches(rules[0], request("/a/x", host="foo.example.com"))
    assert matches(rules[1], request("/b/x", host="foo.example.com"))
    assert all(host_regexes(r) == (host_regex("foo.example.com"),) for r in rules[:pos])
    assert [host_regexes(r) for r in rules[pos + 1 :]] == [(host_regex("*.example.com"),)]

    def target(host: str, path: str) -> tuple[int, list[str]]:
        outcome = evaluate(spec, request(path, host=host))
        return outcome.status, [t[0] for t in outcome.targets]

    assert target("foo.example.com", "/a/x") == (200, [name_of(spec, WEB)])
    assert target("foo.example.com:8080", "/b") == (200, [name_of(spec, WEB)])
    assert target("foo.example.com", "/c") == (404, [])
    assert target("foo.example.com:8080", "/c") == (404, [])
    assert target("bar.example.com", "/c") == (200, [name_of(spec, API)])
    assert target("x.foo.example.com", "/c") == (200, [name_of(spec, API)])


def test_a_long_listener_hostname_is_matched_and_isolated_by_its_plain_value() -> None:
    """Every regex AWS is sent must fit ALB's 128-character limit, or CreateRule refuses it.
    A hostname whose case-insensitive regex is too long is matched by its plain value (ALB
    compares those case-insensitively) for the Route's rules and for the isolation rule, and
    the Route is told that a Host with a port does not match it."""
    long_host = "a" * 63 + "." + "b" * 40 + ".example.com"
    foo = group(make_rule("/a", hostnames=(long_host,)), hostname=long_host, listener="long")
    wild = group(
        make_rule("/", hostnames=("*.example.com",), action=forward((API, 1))),
        hostname="*.example.com",
        listener="wild",
    )
    spec = compile_alb(make_model(foo, wild), CLUSTER)

    (note,) = findings_for(spec)
    assert note.kind is ProblemKind.NOTE and "port" in note.message and long_host in note.message
    too_long = [rx for rx in all_regexes(spec) if len(rx) > AlbLimits().regex_length]
    assert too_long == [], f"regexes CreateRule would refuse: {too_long}"
    hosts = [c for r in only_rules(spec) for c in r.conditions if c.field == "host-header"]
    assert AlbCondition("host-header", (long_host,)) in hosts
    isolation = [r for r in only_rules(spec) if r.actions == (FixedResponse("404"),)]
    assert [r.conditions for r in isolation] == [(AlbCondition("host-header", (long_host,)),)]


def test_the_last_group_gets_no_isolation_rule() -> None:
    foo = group(make_rule("/a", hostnames=("foo.example.com",)), hostname="foo.example.com")
    spec = compile_alb(make_model(foo), CLUSTER)

    assert all(r.actions != (FixedResponse("404"),) for r in only_rules(spec))


def test_a_group_without_hostname_isolates_nothing() -> None:
    anyhost = group(make_rule("/a", hostnames=(HOST,)), hostname=None)
    later = group(make_rule("/b", hostnames=("b.example.com",)), hostname=None, listener="x")
    spec = compile_alb(make_model(anyhost, later), CLUSTER)

    assert all(r.actions != (FixedResponse("404"),) for r in only_rules(spec))


# ----------------------------------------------------------------------------- rule quota
def test_rules_beyond_the_listener_quota_are_dropped_with_findings_naming_the_quota() -> None:
    rules = [make_rule(f"/p{i}", "Exact", rule_index=i) for i in range(7)]
    spec = compile_rules(*rules, limits=AlbLimits(rules_per_listener=5))

    kept = only_rules(spec)
    assert len(kept) == 5
    for i, rule in enumerate(kept):
        assert [p for p in (f"/p{j}" for j in range(7)) if path_matches(rule, p)] == [f"/p{i}"]
    dropped = findings_for(spec)
    assert sorted(f.rule_index for f in dropped) == [5, 6]
    for f in dropped:
        assert "quota" in f.message
        assert "5" in f.message
    assert evaluate(spec, request("/p6")).status == 404


def test_default_quota_is_one_hundred_rules_per_listener() -> None:
    rules = [make_rule(f"/p{i}", "Exact", rule_index=i) for i in range(101)]
    spec = compile_rules(*rules)

    assert len(only_rules(spec)) == 100
    assert [f.rule_index for f in findings_for(spec)] == [100]
    assert "100" in findings_for(spec)[0].message


def test_target_groups_of_dropped_rules_are_not_created() -> None:
    rules = [make_rule("/a", "Exact", rule_index=0), make_rule("/b", "Exact", rule_index=1)]
    rules.append(make_rule("/c", "Exact", action=forward((API, 1)), rule_index=2))
    spec = compile_rules(*rules, limits=AlbLimits(rules_per_listener=2))

    assert [tg.backend for tg in spec.target_groups.values()] == [str(WEB)]


# ----------------------------------------------------------------------------- target groups
def test_one_target_group_per_service_port_shared_by_all_rules() -> None:
    spec = compile_rules(
        make_rule("/a", "Exact", action=forward((WEB, 1)), rule_index=0),
        make_rule("/b", "Exact", action=forward((WEB, 1), (API, 1)), rule_index=1),
        make_rule("/c", "Exact", action=forward((API, 5)), rule_index=2),
    )

    assert sorted(tg.backend for tg in spec.target_groups.values()) == sorted([str(WEB), str(API)])
    used = {name for r in only_rules(spec) for name, _ in the_forward(r)}
    assert used == set(spec.target_groups)


def test_target_groups_are_shared_across_routes_and_ports() -> None:
    a = make_rule("/a", "Exact", route=RouteRef("HTTPRoute", "shop/a"))
    b = make_rule("/b", "Exact", route=RouteRef("HTTPRoute", "other/b"))
    model = make_model(group(a))
    model.ports.append(PortModel(8080, "HTTP", [group(b)]))
    spec = compile_alb(model, CLUSTER)

    assert len(spec.target_groups) == 1
    assert len(spec.listeners) == 2


def test_different_ports_of_one_service_get_different_target_groups() -> None:
    other_port = BackendKey("shop", "web", 81)
    spec = compile_rules(make_rule("/", "Exact", action=forward((WEB, 1), (other_port, 1))))

    assert len(spec.target_groups) == 2


def test_target_group_carries_ready_targets_and_their_port() -> None:
    spec = compile_rules(make_rule("/", "Exact"))

    tg = spec.target_groups[name_of(spec, WEB)]
    assert tg.targets == (("10.0.0.1", 8080 + 80 % 7),)
    assert tg.port == 8080 + 80 % 7


def test_target_group_names_are_short_valid_stable_and_differ_per_cluster() -> None:
    long_backend = "a-very-long-namespace-name/an-extremely-long-service-name-indeed:65535"
    for backend in (str(WEB), long_backend, "unresolved", "x/-:1"):
        name = tg_name(CLUSTER, GATEWAY, backend)
        assert len(name) <= 32
        assert NAME_RE.match(name), name
        assert name == tg_name(CLUSTER, GATEWAY, backend)
        assert name != tg_name("other-cluster", GATEWAY, backend)
        assert name != tg_name(CLUSTER, "shop/other", backend)
    assert tg_name(CLUSTER, GATEWAY, str(WEB)) != tg_name(CLUSTER, GATEWAY, str(API))


def test_compiled_target_group_names_are_stable_across_compiles() -> None:
    first = compile_rules(make_rule("/", "Exact", action=forward((WEB, 1), (API, 1))))
    second = compile_rules(make_rule("/", "Exact", action=forward((API, 1), (WEB, 1))))

    assert set(first.target_groups) == set(second.target_groups)


def test_lb_name_is_short_valid_stable_and_differs_per_cluster() -> None:
    keys = [GATEWAY, "a-very-long-namespace/a-very-long-gateway-name", "-/-", "ns/-gw-"]
    for key in keys:
        name = lb_name(CLUSTER, key)
        assert len(name) <= 32
        assert NAME_RE.match(name), name
        assert not name.startswith("internal-")
        assert name == lb_name(CLUSTER, key)
        assert name != lb_name("other-cluster", key)
    assert lb_name(CLUSTER, "a/b") != lb_name(CLUSTER, "a/c")


def test_spec_uses_lb_name_for_the_gateway() -> None:
    spec = compile_rules(make_rule("/", "Exact"))

    assert spec.name == lb_name(CLUSTER, GATEWAY)
    assert spec.gateway == GATEWAY


# ----------------------------------------------------------------------------- scheme
def test_scheme_defaults_to_internal() -> None:
    spec = compile_rules(make_rule("/", "Exact"))

    assert spec.scheme == "internal"
    assert spec.error is None


def test_scheme_annotation_internet_facing_is_honoured() -> None:
    spec = compile_rules(
        make_rule("/", "Exact"), annotations={"awsgw.io/scheme": "internet-facing"}
    )

    assert spec.scheme == "internet-facing"
    assert spec.error is None


def test_invalid_scheme_annotation_is_a_gateway_error() -> None:
    spec = compile_rules(make_rule("/", "Exact"), annotations={"awsgw.io/scheme": "public"})

    assert spec.error is not None
    assert "awsgw.io/scheme" in spec.error
    assert "public" in spec.error


# ----------------------------------------------------------------------------- listeners
def test_listener_keeps_port_protocol_and_certificates() -> None:
    spec = compile_rules(make_rule("/", "Exact"), port=443, protocol="HTTPS")

    (listener,) = spec.listeners
    assert (listener.port, listener.protocol) == (443, "HTTPS")
    assert listener.certificates == []


@pytest.mark.parametrize(
    "hostname,sent,expected",
    [
        ("shop.example.com", "shop.example.com", True),
        ("shop.example.com", "SHOP.Example.COM", True),
        ("shop.example.com", "Shop.example.com:8443", True),
        ("shop.example.com", "shop.example.co", False),
        ("shop.example.com", "xshop.example.com", False),
        ("*.example.com", "A.B.EXAMPLE.com:80", True),
        ("*.example.com", "Example.com", False),
        ("api-2.example.com", "API-2.example.com", True),
    ],
)
def test_host_regex_is_case_insensitive_by_construction(
    hostname: str, sent: str, expected: bool
) -> None:
    """ALB documents no case-insensitive regex flag: every letter is its own class, so the
    regex matches whatever case the Host is sent in, searched case-sensitively."""
    regex = host_regex(hostname)
    assert (re.search(regex, sent) is not None) is expected
    assert len(regex) <= AlbLimits().regex_length

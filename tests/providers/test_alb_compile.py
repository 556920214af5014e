"""GatewayModel → AlbSpec: conditions, actions, findings, quotas and names (pure)."""

from __future__ import annotations

import re

from awsgw.core.backends import BackendKey
from awsgw.core.model import (
    Action,
    GatewayModel,
    HostGroup,
    KeyValueMatch,
    Match,
    PortModel,
    Redirect,
    Rewrite,
    RouteRef,
    Rule,
    WeightedBackend,
)
from awsgw.providers.aws.alb_compile import (
    AlbLimits,
    AlbSpec,
    Finding,
    RuleSpec,
    compile_alb,
    lb_name,
    tg_name,
)

CLUSTER = "test-cluster"
GATEWAY = "shop/web"
ROUTE = RouteRef("HTTPRoute", "shop/store")
WEB = BackendKey("shop", "web", 80)
API = BackendKey("shop", "api", 8080)
NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


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


def only_rules(spec: AlbSpec) -> list[RuleSpec]:
    assert len(spec.listeners) == 1
    return spec.listeners[0].rules


def single_rule(spec: AlbSpec) -> RuleSpec:
    rules = only_rules(spec)
    assert len(rules) == 1, rules
    return rules[0]


def conditions_by_field(rule: RuleSpec) -> dict[str, list[tuple[object, ...]]]:
    out: dict[str, list[tuple[object, ...]]] = {}
    for c in rule.conditions:
        out.setdefault(str(c[0]), []).append(c)
    return out


def path_values(rule: RuleSpec) -> tuple[str, ...] | None:
    found = [c for c in rule.conditions if c[0] == "path-pattern"]
    assert len(found) <= 1
    return found[0][1] if found else None  # type: ignore[return-value]


def host_values(rule: RuleSpec) -> tuple[str, ...]:
    found = [c for c in rule.conditions if c[0] == "host-header"]
    assert len(found) <= 1
    return found[0][1] if found else ()  # type: ignore[return-value]


def value_count(rule: RuleSpec) -> int:
    total = 0
    for c in rule.conditions:
        values = c[2] if c[0] == "http-header" else c[1]
        total += len(values)  # type: ignore[arg-type]
    return total


def the_forward(rule: RuleSpec) -> tuple[tuple[str, int], ...]:
    assert len(rule.actions) == 1
    act = rule.actions[0]
    assert act[0] == "forward", act
    return act[1]  # type: ignore[return-value]


def name_of(spec: AlbSpec, backend: BackendKey | None) -> str:
    label = str(backend) if backend is not None else "unresolved"
    names = [n for n, tg in spec.target_groups.items() if tg.backend == label]
    assert len(names) == 1, (label, spec.target_groups)
    return names[0]


def findings_for(spec: AlbSpec, route: RouteRef = ROUTE) -> list[Finding]:
    return [f for f in spec.findings if f.route == route]


# ----------------------------------------------------------------------------- paths
def test_path_prefix_matches_whole_segments_with_exact_and_subtree_values() -> None:
    rule = single_rule(compile_rules(make_rule("/abc", hostnames=("a.example.com",))))

    assert path_values(rule) == ("/abc", "/abc/*")
    assert "/abc*" not in path_values(rule)  # type: ignore[operator]


def test_path_prefix_never_uses_a_bare_trailing_wildcard() -> None:
    spec = compile_rules(
        make_rule("/abc"), make_rule("/a/b/c", rule_index=1), make_rule("/x/", rule_index=2)
    )

    for rule in only_rules(spec):
        for value in path_values(rule) or ():
            assert not value.endswith("*") or value.endswith("/*"), value


def test_path_prefix_trailing_slash_is_ignored() -> None:
    with_slash = single_rule(compile_rules(make_rule("/abc/")))
    without = single_rule(compile_rules(make_rule("/abc")))

    assert path_values(with_slash) == ("/abc", "/abc/*")
    assert with_slash.conditions == without.conditions


def test_path_prefix_root_adds_no_path_condition() -> None:
    rule = single_rule(compile_rules(make_rule("/", hostnames=("a.example.com",))))

    assert path_values(rule) is None
    assert rule.conditions == (("host-header", ("a.example.com",)),)


def test_exact_path_is_one_path_value() -> None:
    rule = single_rule(compile_rules(make_rule("/abc", "Exact")))

    assert path_values(rule) == ("/abc",)


def test_exact_root_path_is_one_path_value() -> None:
    rule = single_rule(compile_rules(make_rule("/", "Exact")))

    assert path_values(rule) == ("/",)


def test_every_compiled_rule_has_at_least_one_condition_even_a_catch_all() -> None:
    """ELBv2: "Each rule consists of a priority, one or more actions, one or more
    conditions". A route without hostnames on a listener without hostname, PathPrefix "/",
    is the commonest route there is; it must still compile to a rule AWS accepts."""
    spec = compile_rules(make_rule("/"))

    rules = only_rules(spec)
    assert rules, "the catch-all route produced no rule at all"
    for rule in rules:
        assert rule.conditions, f"rule {rule.source} has no condition; CreateRule refuses it"


def test_path_with_a_wildcard_character_is_refused_and_the_rule_dropped() -> None:
    spec = compile_rules(
        make_rule("/a*b", rule_index=0),
        make_rule("/q?x", "Exact", rule_index=1),
        make_rule("/ok", rule_index=2),
    )

    assert [path_values(r) for r in only_rules(spec)] == [("/ok", "/ok/*")]
    messages = {f.rule_index: f.message for f in findings_for(spec)}
    assert set(messages) == {0, 1}
    assert all(m.startswith("dropped") for m in messages.values())


def test_regular_expression_path_is_refused_with_a_finding() -> None:
    spec = compile_rules(make_rule("/a.*", "RegularExpression"))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1
    assert "RegularExpression" in findings_for(spec)[0].message


# ----------------------------------------------------------------------------- other matches
def test_headers_become_http_header_conditions_with_lower_case_names() -> None:
    headers = (KeyValueMatch("Exact", "X-Env", "canary"), KeyValueMatch("Exact", "X-Team", "a"))
    rule = single_rule(compile_rules(make_rule("/", "PathPrefix", headers=headers)))

    assert sorted(conditions_by_field(rule)["http-header"]) == [
        ("http-header", "x-env", ("canary",)),
        ("http-header", "x-team", ("a",)),
    ]


def test_query_params_become_query_string_conditions() -> None:
    query = (KeyValueMatch("Exact", "version", "2"), KeyValueMatch("Exact", "lang", "en"))
    rule = single_rule(compile_rules(make_rule("/", query=query)))

    assert sorted(conditions_by_field(rule)["query-string"]) == [
        ("query-string", (("lang", "en"),)),
        ("query-string", (("version", "2"),)),
    ]


def test_method_becomes_http_request_method_condition() -> None:
    rule = single_rule(compile_rules(make_rule("/", method="POST")))

    assert conditions_by_field(rule)["http-request-method"] == [("http-request-method", ("POST",))]


def test_all_match_kinds_combine_in_one_rule() -> None:
    rule = single_rule(
        compile_rules(
            make_rule(
                "/api",
                hostnames=("a.example.com",),
                headers=(KeyValueMatch("Exact", "X-A", "1"),),
                method="GET",
            )
        )
    )

    assert set(conditions_by_field(rule)) == {
        "host-header",
        "path-pattern",
        "http-header",
        "http-request-method",
    }
    assert value_count(rule) == 5


def test_regular_expression_header_match_is_refused() -> None:
    spec = compile_rules(make_rule("/", headers=(KeyValueMatch("RegularExpression", "x", "a.*"),)))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1
    assert findings_for(spec)[0].message.startswith("dropped")


def test_regular_expression_query_match_is_refused() -> None:
    spec = compile_rules(make_rule("/", query=(KeyValueMatch("RegularExpression", "q", "a+"),)))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1


def test_wildcard_in_header_value_is_refused() -> None:
    spec = compile_rules(make_rule("/", headers=(KeyValueMatch("Exact", "x", "a*"),)))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1


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
            values = c[2] if c[0] == "http-header" else c[1]
            assert len(values) <= 3  # type: ignore[arg-type]
        assert path_values(rule) == ("/abc", "/abc/*")
        covered.extend(host_values(rule))
    assert covered == list(hosts)


def test_hostname_split_without_path_uses_three_hosts_per_rule() -> None:
    hosts = tuple(f"h{i}.example.com" for i in range(7))
    spec = compile_rules(make_rule("/", hostnames=hosts))

    assert [host_values(r) for r in only_rules(spec)] == [hosts[0:3], hosts[3:6], hosts[6:7]]


def test_hostnames_are_lower_cased_and_deduplicated() -> None:
    rule = single_rule(compile_rules(make_rule("/", hostnames=("A.Example.com", "a.example.com"))))

    assert host_values(rule) == ("a.example.com",)


def test_split_rules_all_carry_the_same_action() -> None:
    hosts = tuple(f"h{i}.example.com" for i in range(5))
    spec = compile_rules(make_rule("/abc", hostnames=hosts, action=forward((WEB, 1))))

    actions = {r.actions for r in only_rules(spec)}
    assert actions == {(("forward", ((name_of(spec, WEB), 1),)),)}


def test_match_needing_more_than_five_values_is_refused() -> None:
    headers = tuple(KeyValueMatch("Exact", f"x-{i}", "v") for i in range(4))
    spec = compile_rules(make_rule("/abc", headers=headers))  # 4 headers + 2 path values

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1
    assert findings_for(spec)[0].message.startswith("dropped")


def test_match_with_five_values_and_hostnames_is_refused() -> None:
    headers = tuple(KeyValueMatch("Exact", f"x-{i}", "v") for i in range(3))
    spec = compile_rules(make_rule("/abc", hostnames=("a.example.com",), headers=headers))

    assert only_rules(spec) == []
    assert len(findings_for(spec)) == 1


def test_match_with_exactly_five_values_is_accepted() -> None:
    headers = tuple(KeyValueMatch("Exact", f"x-{i}", "v") for i in range(3))
    rule = single_rule(compile_rules(make_rule("/abc", headers=headers)))

    assert value_count(rule) == 5


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

    assert single_rule(spec).actions == (("fixed-response", "500"),)
    assert len(findings_for(spec)) == 1
    assert findings_for(spec)[0].message.startswith("answers 500")
    assert spec.target_groups == {}


def test_more_than_five_backends_answer_500_with_a_finding() -> None:
    keys = [BackendKey("shop", f"svc{i}", 80) for i in range(6)]
    spec = compile_rules(make_rule("/", "Exact", action=forward(*[(k, 1) for k in keys])))

    assert single_rule(spec).actions == (("fixed-response", "500"),)
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

    assert single_rule(spec).actions == (("fixed-response", "500"),)


def test_all_invalid_backends_answer_500() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=forward((None, 1), (None, 3))))

    assert single_rule(spec).actions == (("fixed-response", "500"),)
    assert spec.target_groups == {}


def test_no_backends_answer_500() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=Action()))

    assert single_rule(spec).actions == (("fixed-response", "500"),)


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
    assert rule.actions == (("fixed-response", "500"),)
    assert path_values(rule) == ("/abc", "/abc/*")  # the rule stays, so traffic never leaks
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "RequestHeaderModifier" in finding.message


def test_url_rewrite_answers_500_with_a_finding() -> None:
    action = Action(
        backends=(WeightedBackend(WEB, 1),), rewrite=Rewrite(None, "ReplaceFullPath", "/x")
    )
    spec = compile_rules(make_rule("/abc", action=action))

    assert single_rule(spec).actions == (("fixed-response", "500"),)
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "URLRewrite" in finding.message


def test_findings_name_the_route_and_rule_index() -> None:
    other = RouteRef("HTTPRoute", "shop/other")
    action = Action(unsupported=("RequestMirror",))
    spec = compile_rules(make_rule("/a", action=action, route=other, rule_index=4))

    assert spec.findings == [Finding(other, 4, spec.findings[0].message)]


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
    assert act[0] == "redirect"
    assert act[1] == "HTTPS"
    assert act[2] == "443"
    assert act[6] == "HTTP_301"
    assert spec.findings == []


def test_redirect_302_keeps_unchanged_components_as_placeholders() -> None:
    spec = compile_rules(
        make_rule("/", "Exact", action=redirect(302, hostname="new.example.com", port=80))
    )

    act = single_rule(spec).actions[0]
    assert act == (
        "redirect",
        "#{protocol}",
        "80",
        "new.example.com",
        act[4],
        "#{query}",
        "HTTP_302",
    )


def test_redirect_without_path_keeps_the_original_path_with_its_leading_slash() -> None:
    """ALB's #{path} has its leading "/" removed, and RedirectConfig.Path must start with
    "/": keeping the path is "/#{path}"."""
    spec = compile_rules(make_rule("/", "Exact", action=redirect(301, "https", port=443)))

    act = single_rule(spec).actions[0]
    assert act[4] == "/#{path}"


def test_redirect_full_path_replacement_sets_the_path() -> None:
    spec = compile_rules(
        make_rule(
            "/", "Exact", action=redirect(301, port=80, path_type="ReplaceFullPath", path="/new")
        )
    )

    assert single_rule(spec).actions[0][4] == "/new"


def test_redirect_303_answers_500_with_a_finding() -> None:
    spec = compile_rules(make_rule("/", "Exact", action=redirect(303, "https", port=443)))

    assert single_rule(spec).actions == (("fixed-response", "500"),)
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")
    assert "303" in finding.message


def test_redirect_replace_prefix_match_answers_500_with_a_finding() -> None:
    action = redirect(302, port=80, path_type="ReplacePrefixMatch", path="/new")
    spec = compile_rules(make_rule("/old", action=action))

    assert single_rule(spec).actions == (("fixed-response", "500"),)
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

    assert single_rule(spec).actions == (("fixed-response", "500"),)
    (finding,) = findings_for(spec)
    assert finding.message.startswith("answers 500")


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
    isolate = (("host-header", ("foo.example.com",)),)
    positions = [i for i, r in enumerate(rules) if r.conditions == isolate]
    assert len(positions) == 1
    pos = positions[0]
    assert rules[pos].actions == (("fixed-response", "404"),)
    assert [path_values(r) for r in rules[:pos]] == [("/a", "/a/*"), ("/b", "/b/*")]
    assert all(host_values(r) == ("foo.example.com",) for r in rules[:pos])
    assert [host_values(r) for r in rules[pos + 1 :]] == [("*.example.com",)]


def test_the_last_group_gets_no_isolation_rule() -> None:
    foo = group(make_rule("/a", hostnames=("foo.example.com",)), hostname="foo.example.com")
    spec = compile_alb(make_model(foo), CLUSTER)

    assert all(r.actions != (("fixed-response", "404"),) for r in only_rules(spec))


def test_a_group_without_hostname_isolates_nothing() -> None:
    anyhost = group(make_rule("/a", hostnames=("a.example.com",)), hostname=None)
    later = group(make_rule("/b", hostnames=("b.example.com",)), hostname=None, listener="x")
    spec = compile_alb(make_model(anyhost, later), CLUSTER)

    assert all(r.actions != (("fixed-response", "404"),) for r in only_rules(spec))


# ----------------------------------------------------------------------------- rule quota
def test_rules_beyond_the_listener_quota_are_dropped_with_findings_naming_the_quota() -> None:
    rules = [make_rule(f"/p{i}", "Exact", rule_index=i) for i in range(7)]
    spec = compile_rules(*rules, limits=AlbLimits(rules_per_listener=5))

    assert [path_values(r) for r in only_rules(spec)] == [(f"/p{i}",) for i in range(5)]
    dropped = findings_for(spec)
    assert sorted(f.rule_index for f in dropped) == [5, 6]
    for f in dropped:
        assert "quota" in f.message
        assert "5" in f.message


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

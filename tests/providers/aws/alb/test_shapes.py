"""Canonical conditions/actions/transforms ↔ ELBv2 API shapes: round trips and describe-style
input."""

from __future__ import annotations

from typing import Any

import pytest

from awsgw.core.model import Match
from awsgw.providers.aws.alb.evaluate import apply_transforms, condition_matches
from awsgw.providers.aws.alb.plan.actions import full_rewrite, prefix_rewrite
from awsgw.providers.aws.alb.plan.conditions import host_regex
from awsgw.providers.aws.alb.plan.shapes import (
    actions_api,
    actions_canon,
    conditions_api,
    conditions_canon,
    transforms_api,
    transforms_canon,
)
from awsgw.providers.aws.alb.plan.values import (
    CATCH_ALL,
    AlbAction,
    AlbCondition,
    FixedResponse,
    Forward,
    RedirectTo,
    Transform,
)
from awsgw.providers.aws.common.requests import Request

ARNS = {
    "tg-web-1": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-web-1/aaa",
    "tg-api-2": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-api-2/bbb",
    "tg-old-3": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-old-3/ccc",
}
NAMES = {arn: name for name, arn in ARNS.items()}


def canonical(*conds: AlbCondition) -> tuple[AlbCondition, ...]:
    """The order compile_alb emits conditions in."""
    return tuple(sorted(conds))


PREFIX_ABC = "^\\/abc(/.*)?$"
EXACT_API = "^\\/api$"
CONDITION_SETS = [
    # what compile_alb emits: RegexValues for host, path and header, plain Values otherwise
    canonical(
        AlbCondition(
            "host-header", (host_regex("a.example.com"), host_regex("*.b.example.com")), True
        )
    ),
    canonical(AlbCondition("path-pattern", (PREFIX_ABC,), True)),
    canonical(CATCH_ALL),
    canonical(AlbCondition("http-request-method", ("POST",))),
    canonical(AlbCondition("http-header", ("^canary$",), True, header="x-env")),
    canonical(AlbCondition("query-string", pairs=(("version", "2"),))),
    canonical(
        AlbCondition("host-header", (host_regex("a.example.com"),), True),
        AlbCondition("path-pattern", (EXACT_API,), True),
        AlbCondition("http-header", ("^1$",), True, header="x-a"),
        AlbCondition("http-header", ("^2$",), True, header="x-b"),
        AlbCondition("query-string", pairs=(("lang", "en"),)),
    ),
    canonical(
        AlbCondition("query-string", pairs=(("a", "1"),)),
        AlbCondition("query-string", pairs=(("b", "2"),)),
    ),
    # plain Values for host, path and header (earlier awsgw versions, other controllers)
    canonical(AlbCondition("host-header", ("a.example.com", "*.b.example.com"))),
    canonical(AlbCondition("path-pattern", ("/abc", "/abc/*"))),
    canonical(AlbCondition("http-header", ("canary",), header="x-env")),
    canonical(
        AlbCondition("host-header", ("a.example.com",)),
        AlbCondition("path-pattern", (EXACT_API,), True),
        AlbCondition("http-header", ("1",), header="x-a"),
        AlbCondition("http-header", ("^2$",), True, header="x-b"),
    ),
]


@pytest.mark.parametrize(
    "conds", CONDITION_SETS, ids=lambda c: "+".join(x.field + ("~" if x.regex else "") for x in c)
)
def test_conditions_round_trip_through_the_api_shape(conds: tuple[AlbCondition, ...]) -> None:
    assert conditions_canon(conditions_api(conds)) == conds


def test_conditions_api_uses_the_typed_config_keys_for_values() -> None:
    api = conditions_api(
        canonical(
            AlbCondition("host-header", ("a.example.com",)),
            AlbCondition("path-pattern", ("/p",)),
            AlbCondition("http-request-method", ("GET",)),
            AlbCondition("http-header", ("canary",), header="x-env"),
            AlbCondition("query-string", pairs=(("k", "v"),)),
        )
    )

    by_field = {c["Field"]: c for c in api}
    assert by_field["host-header"]["HostHeaderConfig"] == {"Values": ["a.example.com"]}
    assert by_field["path-pattern"]["PathPatternConfig"] == {"Values": ["/p"]}
    assert by_field["http-request-method"]["HttpRequestMethodConfig"] == {"Values": ["GET"]}
    assert by_field["http-header"]["HttpHeaderConfig"] == {
        "HttpHeaderName": "x-env",
        "Values": ["canary"],
    }
    assert by_field["query-string"]["QueryStringConfig"] == {"Values": [{"Key": "k", "Value": "v"}]}


def test_conditions_api_puts_regex_fields_in_regex_values() -> None:
    host = host_regex("a.example.com")
    api = conditions_api(
        canonical(
            AlbCondition("host-header", (host,), True),
            AlbCondition("path-pattern", (PREFIX_ABC,), True),
            AlbCondition("http-header", ("^canary$",), True, header="x-env"),
        )
    )

    by_field = {c["Field"]: c for c in api}
    assert set(by_field) == {"host-header", "path-pattern", "http-header"}
    assert by_field["host-header"]["HostHeaderConfig"] == {"RegexValues": [host]}
    assert by_field["path-pattern"]["PathPatternConfig"] == {"RegexValues": [PREFIX_ABC]}
    assert by_field["http-header"]["HttpHeaderConfig"] == {
        "HttpHeaderName": "x-env",
        "RegexValues": ["^canary$"],
    }


def test_regex_values_in_the_api_shape_judge_requests_like_the_regexes() -> None:
    api = conditions_api(
        canonical(
            AlbCondition("host-header", (host_regex("a.example.com"),), True),
            AlbCondition("path-pattern", (PREFIX_ABC,), True),
            AlbCondition("http-header", ("^canary$",), True, header="x-env"),
        )
    )

    def judged(host: str, path: str, env: str) -> bool:
        req = Request(host, path, headers=(("X-Env", env),))
        return all(condition_matches(c, req) for c in api)

    assert judged("a.example.com", "/abc/d", "canary")
    assert judged("a.example.com:8080", "/abc", "canary")
    assert not judged("b.example.com", "/abc", "canary")
    assert not judged("a.example.com", "/abcd", "canary")
    assert not judged("a.example.com", "/abc", "canary-2")


def test_regex_values_and_values_with_the_same_text_are_different_conditions() -> None:
    """A rule programmed with plain Values must be replaced, not kept, when ours use regexes."""
    for field in ("host-header", "path-pattern"):
        plain = conditions_canon([{"Field": field, "Values": ["^x$"]}])
        regex = conditions_canon(conditions_api((AlbCondition(field, ("^x$",), True),)))
        assert plain != regex
    header = {"HttpHeaderName": "x", "Values": ["^1$"]}
    plain = conditions_canon([{"Field": "http-header", "HttpHeaderConfig": header}])
    assert plain != (AlbCondition("http-header", ("^1$",), True, header="x"),)


def test_conditions_canon_ignores_the_order_aws_returns_conditions_in() -> None:
    conds = CONDITION_SETS[6]
    api = conditions_api(conds)

    assert conditions_canon(list(reversed(api))) == conds


def test_describe_style_conditions_with_legacy_values_canonicalise_like_ours() -> None:
    """DescribeRules repeats host/path values in a top-level ``Values`` list too."""
    described: list[dict[str, Any]] = [
        {
            "Field": "host-header",
            "Values": ["a.example.com"],
            "HostHeaderConfig": {"Values": ["a.example.com"]},
        },
        {"Field": "path-pattern", "Values": ["/x"], "PathPatternConfig": {"Values": ["/x"]}},
    ]

    assert conditions_canon(described) == canonical(
        AlbCondition("host-header", ("a.example.com",)), AlbCondition("path-pattern", ("/x",))
    )


def test_describe_style_regex_conditions_canonicalise_like_ours() -> None:
    """DescribeRules leaves the top-level ``Values`` empty for regex conditions."""
    host = host_regex("a.example.com")
    described: list[dict[str, Any]] = [
        {"Field": "host-header", "Values": [], "HostHeaderConfig": {"RegexValues": [host]}},
        {
            "Field": "path-pattern",
            "Values": [],
            "PathPatternConfig": {"Values": [], "RegexValues": [PREFIX_ABC]},
        },
        {
            "Field": "http-header",
            "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "RegexValues": ["^canary$"]},
        },
    ]

    assert conditions_canon(described) == canonical(
        AlbCondition("host-header", (host,), True),
        AlbCondition("path-pattern", (PREFIX_ABC,), True),
        AlbCondition("http-header", ("^canary$",), True, header="x-env"),
    )


def test_legacy_values_only_condition_canonicalises() -> None:
    assert conditions_canon([{"Field": "path-pattern", "Values": ["/x"]}]) == (
        AlbCondition("path-pattern", ("/x",)),
    )


def test_header_name_case_from_aws_does_not_matter() -> None:
    described = [
        {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["a"]}}
    ]

    assert conditions_canon(described) == (AlbCondition("http-header", ("a",), header="x-env"),)


def test_query_string_without_key_canonicalises_with_none_key() -> None:
    described = [{"Field": "query-string", "QueryStringConfig": {"Values": [{"Value": "v"}]}}]

    assert conditions_canon(described) == (AlbCondition("query-string", pairs=((None, "v"),)),)


def test_foreign_condition_shapes_never_equal_ours() -> None:
    foreign = [{"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}]

    canon = conditions_canon(foreign)
    assert len(canon) == 1
    for ours in CONDITION_SETS:
        assert canon != ours
    assert canon[0].field == "source-ip"


def test_foreign_condition_next_to_ours_keeps_the_rule_different() -> None:
    ours = canonical(AlbCondition("path-pattern", (EXACT_API,), True))
    api = conditions_api(ours) + [
        {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}
    ]

    assert conditions_canon(api) != ours


def test_conditions_api_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError):
        conditions_api((AlbCondition("source-ip", ("10.0.0.0/8",)),))
    with pytest.raises(ValueError):
        conditions_api((AlbCondition("source-ip", ("10.*",), True),))


# ----------------------------------------------------------------------------- transforms
HOST_REWRITE: Transform = Transform("host-header-rewrite", "^.*$", "new.example.com")
PREFIX_FOO = Match("PathPrefix", "/foo")
TRANSFORM_SETS: list[tuple[Transform, ...]] = [
    (),
    (HOST_REWRITE,),
    (full_rewrite("/x"),),
    (prefix_rewrite(PREFIX_FOO, "/xyz"),),
    (prefix_rewrite(PREFIX_FOO, ""),),
    (HOST_REWRITE, prefix_rewrite(PREFIX_FOO, "/xyz")),
    (HOST_REWRITE, full_rewrite("/x")),
]


@pytest.mark.parametrize(
    "transforms", TRANSFORM_SETS, ids=lambda t: "+".join(x.kind for x in t) or "none"
)
def test_transforms_round_trip_through_the_api_shape(transforms: tuple[Transform, ...]) -> None:
    assert transforms_canon(transforms_api(transforms)) == transforms


def test_transforms_api_uses_the_typed_config_keys() -> None:
    url = prefix_rewrite(PREFIX_FOO, "/xyz")
    api = transforms_api((HOST_REWRITE, url))

    rewrites = [{"Regex": url.regex, "Replace": url.replace}]
    assert api == [
        {
            "Type": "host-header-rewrite",
            "HostHeaderRewriteConfig": {
                "Rewrites": [{"Regex": "^.*$", "Replace": "new.example.com"}]
            },
        },
        {"Type": "url-rewrite", "UrlRewriteConfig": {"Rewrites": rewrites}},
    ]


def test_transforms_in_the_api_shape_rewrite_requests() -> None:
    api = transforms_api((HOST_REWRITE, prefix_rewrite(PREFIX_FOO, "/xyz")))

    after = apply_transforms(api, Request("a.example.com:8080", "/foo/bar?q=1"))
    assert (after.host, after.path) == ("new.example.com", "/xyz/bar?q=1")


def test_missing_or_empty_transforms_canonicalise_to_none() -> None:
    assert transforms_canon(None) == ()
    assert transforms_canon([]) == ()
    assert transforms_api(()) == []


def test_transforms_canon_ignores_the_order_aws_returns_transforms_in() -> None:
    transforms = (HOST_REWRITE, full_rewrite("/x"))

    assert transforms_canon(list(reversed(transforms_api(transforms)))) == transforms


def test_transforms_with_different_replacements_are_different() -> None:
    one = transforms_canon(transforms_api((full_rewrite("/x"),)))
    other = transforms_canon(transforms_api((full_rewrite("/y"),)))

    assert one != other
    assert one != ()


# ----------------------------------------------------------------------------- actions
ACTION_SETS: list[tuple[AlbAction, ...]] = [
    (Forward((("tg-web-1", 1),)),),
    (Forward((("tg-api-2", 3), ("tg-web-1", 1))),),
    (Forward((("tg-api-2", 10), ("tg-old-3", 0), ("tg-web-1", 990))),),
    (FixedResponse("404"),),
    (FixedResponse("500"),),
    (RedirectTo("HTTPS", "443", "#{host}", "/#{path}", "#{query}", "HTTP_301"),),
    (RedirectTo("#{protocol}", "8080", "new.example.com", "/new", "#{query}", "HTTP_302"),),
]


@pytest.mark.parametrize("acts", ACTION_SETS, ids=lambda a: type(a[0]).__name__)
def test_actions_round_trip_through_the_api_shape(acts: tuple[AlbAction, ...]) -> None:
    assert actions_canon(actions_api(acts, ARNS), NAMES) == acts


def test_forward_api_shape_lists_every_group_with_its_weight() -> None:
    acts: tuple[AlbAction, ...] = (Forward((("tg-api-2", 3), ("tg-web-1", 1))),)
    (api,) = actions_api(acts, ARNS)

    assert api["Type"] == "forward"
    assert api["Order"] == 1
    assert api["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": ARNS["tg-api-2"], "Weight": 3},
        {"TargetGroupArn": ARNS["tg-web-1"], "Weight": 1},
    ]


def test_fixed_response_api_shape_has_status_and_text_body() -> None:
    (api,) = actions_api((FixedResponse("404"),), ARNS)

    cfg = api["FixedResponseConfig"]
    assert cfg["StatusCode"] == "404"
    assert cfg["ContentType"] == "text/plain"
    assert cfg["MessageBody"]


def test_redirect_api_shape_has_every_component() -> None:
    acts: tuple[AlbAction, ...] = (
        RedirectTo("HTTPS", "443", "#{host}", "/#{path}", "#{query}", "HTTP_301"),
    )
    (api,) = actions_api(acts, ARNS)

    assert api["RedirectConfig"] == {
        "Protocol": "HTTPS",
        "Port": "443",
        "Host": "#{host}",
        "Path": "/#{path}",
        "Query": "#{query}",
        "StatusCode": "HTTP_301",
    }


def test_describe_style_forward_with_only_a_target_group_arn_has_weight_one() -> None:
    described = [{"Type": "forward", "Order": 1, "TargetGroupArn": ARNS["tg-web-1"]}]

    assert actions_canon(described, NAMES) == (Forward((("tg-web-1", 1),)),)


def test_describe_style_forward_with_both_shapes_canonicalises_like_ours() -> None:
    described = [
        {
            "Type": "forward",
            "Order": 1,
            "TargetGroupArn": ARNS["tg-web-1"],
            "ForwardConfig": {
                "TargetGroups": [{"TargetGroupArn": ARNS["tg-web-1"], "Weight": 1}],
                "TargetGroupStickinessConfig": {"Enabled": False},
            },
        }
    ]

    assert actions_canon(described, NAMES) == (Forward((("tg-web-1", 1),)),)


def test_single_group_forward_canonicalises_to_weight_one_whatever_aws_reports() -> None:
    described = [
        {
            "Type": "forward",
            "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": ARNS["tg-web-1"], "Weight": 7}]},
        }
    ]

    assert actions_canon(described, NAMES) == (Forward((("tg-web-1", 1),)),)


def test_forward_to_an_unknown_arn_keeps_the_arn() -> None:
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/foreign/ddd"
    described = [{"Type": "forward", "TargetGroupArn": arn}]

    assert actions_canon(described, NAMES) == (Forward(((arn, 1),)),)


def test_forward_group_order_from_aws_does_not_matter() -> None:
    described = [
        {
            "Type": "forward",
            "ForwardConfig": {
                "TargetGroups": [
                    {"TargetGroupArn": ARNS["tg-web-1"], "Weight": 1},
                    {"TargetGroupArn": ARNS["tg-api-2"], "Weight": 3},
                ]
            },
        }
    ]

    assert actions_canon(described, NAMES) == (Forward((("tg-api-2", 3), ("tg-web-1", 1))),)


def test_fixed_response_canon_ignores_body_and_content_type() -> None:
    described = [
        {
            "Type": "fixed-response",
            "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/html"},
        }
    ]

    assert actions_canon(described, NAMES) == (FixedResponse("404"),)


def test_redirect_with_omitted_components_canonicalises_to_placeholders() -> None:
    described = [{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_302"}}]

    assert actions_canon(described, NAMES) == (
        RedirectTo("#{protocol}", "#{port}", "#{host}", "/#{path}", "#{query}", "HTTP_302"),
    )


def test_actions_are_read_in_order() -> None:
    described = [
        {"Type": "fixed-response", "Order": 2, "FixedResponseConfig": {"StatusCode": "500"}},
        {"Type": "forward", "Order": 1, "TargetGroupArn": ARNS["tg-web-1"]},
    ]

    assert actions_canon(described, NAMES) == (
        Forward((("tg-web-1", 1),)),
        FixedResponse("500"),
    )


def test_foreign_action_shapes_never_equal_ours() -> None:
    described = [
        {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": {"Issuer": "x"}},
        {"Type": "forward", "Order": 2, "TargetGroupArn": ARNS["tg-web-1"]},
    ]

    canon = actions_canon(described, NAMES)
    assert canon != (Forward((("tg-web-1", 1),)),)
    for ours in ACTION_SETS:
        assert canon != ours


def test_actions_api_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError):
        actions_api((("authenticate-oidc", "x"),), ARNS)

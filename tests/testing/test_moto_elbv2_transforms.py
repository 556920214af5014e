"""The moto fills for rule Transforms and RegexValues behave as the ELBv2 API reference says."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.testing.test_moto_elbv2_limits import (  # noqa: F401  (fixture)
    FIXED_404,
    Listener,
    create,
    error_code,
    listener,
)

URL_REWRITE = {
    "Type": "url-rewrite",
    "UrlRewriteConfig": {"Rewrites": [{"Regex": "^/old(.*)$", "Replace": "/new$1"}]},
}
HOST_REWRITE = {
    "Type": "host-header-rewrite",
    "HostHeaderRewriteConfig": {"Rewrites": [{"Regex": "^.*$", "Replace": "internal.example"}]},
}
PATH = [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/old*"]}}]


def rule(ls: Listener, arn: str) -> dict[str, Any]:
    found: dict[str, Any] = ls.elbv2.describe_rules(RuleArns=[arn])["Rules"][0]
    return found


def test_create_rule_keeps_transforms_and_describe_returns_them(listener: Listener) -> None:  # noqa: F811
    arn = listener.elbv2.create_rule(
        ListenerArn=listener.arn,
        Priority=1,
        Conditions=PATH,
        Actions=[FIXED_404],
        Transforms=[URL_REWRITE, HOST_REWRITE],
    )["Rules"][0]["RuleArn"]
    assert sorted(t["Type"] for t in rule(listener, arn)["Transforms"]) == [
        "host-header-rewrite",
        "url-rewrite",
    ]
    assert rule(listener, arn)["Transforms"][0]["UrlRewriteConfig"]["Rewrites"][0] == {
        "Regex": "^/old(.*)$",
        "Replace": "/new$1",
    }


def test_modify_rule_replaces_and_reset_clears_transforms(listener: Listener) -> None:  # noqa: F811
    arn = create(listener, 1, PATH)
    assert not rule(listener, arn).get("Transforms")
    listener.elbv2.modify_rule(RuleArn=arn, Actions=[FIXED_404], Transforms=[HOST_REWRITE])
    assert [t["Type"] for t in rule(listener, arn)["Transforms"]] == ["host-header-rewrite"]
    listener.elbv2.modify_rule(RuleArn=arn, Actions=[FIXED_404], ResetTransforms=True)
    assert not rule(listener, arn).get("Transforms")


def test_two_transforms_of_one_type_are_refused(listener: Listener) -> None:  # noqa: F811
    with pytest.raises(ClientError) as exc:
        listener.elbv2.create_rule(
            ListenerArn=listener.arn,
            Priority=1,
            Conditions=PATH,
            Actions=[FIXED_404],
            Transforms=[URL_REWRITE, URL_REWRITE],
        )
    assert error_code(exc) == "ValidationError"


@pytest.mark.parametrize(
    "field,key", [("host-header", "HostHeaderConfig"), ("path-pattern", "PathPatternConfig")]
)
def test_regex_values_are_accepted_and_described(
    listener: Listener,  # noqa: F811
    field: str,
    key: str,
) -> None:
    arn = create(listener, 1, [{"Field": field, key: {"RegexValues": ["^/a(/.*)?$"]}}])
    assert rule(listener, arn)["Conditions"][0][key]["RegexValues"] == ["^/a(/.*)?$"]


def test_header_regex_values_are_accepted(listener: Listener) -> None:  # noqa: F811
    cond = {
        "Field": "http-header",
        "HttpHeaderConfig": {"HttpHeaderName": "x-v", "RegexValues": ["^exact$"]},
    }
    arn = create(listener, 1, [cond])
    assert rule(listener, arn)["Conditions"][0]["HttpHeaderConfig"]["RegexValues"] == ["^exact$"]


def test_values_and_regex_values_together_are_refused(listener: Listener) -> None:  # noqa: F811
    cond = {
        "Field": "path-pattern",
        "PathPatternConfig": {"Values": ["/a"], "RegexValues": ["^/a$"]},
    }
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [cond])
    assert error_code(exc) == "ValidationError"


def test_regex_longer_than_128_characters_is_refused(listener: Listener) -> None:  # noqa: F811
    cond = {"Field": "path-pattern", "PathPatternConfig": {"RegexValues": ["^/" + "a" * 127]}}
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [cond])
    assert error_code(exc) == "ValidationError"


def test_regex_values_count_toward_the_five_evaluations(listener: Listener) -> None:  # noqa: F811
    hosts = {"Field": "host-header", "HostHeaderConfig": {"RegexValues": ["^a$", "^b$", "^c$"]}}
    paths = {
        "Field": "path-pattern",
        "PathPatternConfig": {"RegexValues": ["^/x$", "^/y$", "^/z$"]},
    }
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [hosts, paths])
    assert error_code(exc) == "ValidationError"

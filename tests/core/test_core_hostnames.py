"""Hostname matching, intersection and precedence (Gateway API v1.6.1 hostname rules)."""

from __future__ import annotations

import pytest

from awsgw.core.hostnames import effective_hostnames, intersect, matches, precedence_key


@pytest.mark.parametrize("host", ["test.example.com", "foo.test.example.com", "a.b.c.example.com"])
def test_wildcard_matches_any_number_of_labels(host: str) -> None:
    assert matches("*.example.com", host)


def test_wildcard_does_not_match_the_apex() -> None:
    assert not matches("*.example.com", "example.com")


@pytest.mark.parametrize("host", ["badexample.com", "test.example.net", "example.com.evil.io"])
def test_wildcard_matches_only_whole_label_suffixes(host: str) -> None:
    assert not matches("*.example.com", host)


def test_exact_hostname_matches_only_itself() -> None:
    assert matches("foo.example.com", "foo.example.com")
    assert not matches("foo.example.com", "bar.foo.example.com")
    assert not matches("foo.example.com", "example.com")


def test_listener_exact_and_route_wildcard_intersect_to_the_listener_name() -> None:
    assert intersect("test.example.com", "*.example.com") == "test.example.com"


def test_listener_wildcard_and_route_exact_intersect_to_the_route_name() -> None:
    assert intersect("*.example.com", "foo.test.example.com") == "foo.test.example.com"


def test_narrower_route_wildcard_inside_listener_wildcard_intersects_to_the_route_wildcard() -> (
    None
):
    assert intersect("*.example.com", "*.foo.example.com") == "*.foo.example.com"


def test_broader_route_wildcard_around_listener_wildcard_intersects_to_the_listener_wildcard() -> (
    None
):
    assert intersect("*.foo.example.com", "*.example.com") == "*.foo.example.com"


def test_equal_wildcards_intersect_to_themselves() -> None:
    assert intersect("*.example.com", "*.example.com") == "*.example.com"


@pytest.mark.parametrize(
    ("listener", "route"),
    [
        ("*.example.com", "example.com"),
        ("*.example.com", "test.example.net"),
        ("test.example.com", "other.example.com"),
        ("test.example.com", "*.other.com"),
        ("*.foo.example.com", "*.bar.example.com"),
    ],
)
def test_disjoint_hostnames_do_not_intersect(listener: str, route: str) -> None:
    assert intersect(listener, route) is None


def test_listener_without_hostname_accepts_every_route_hostname() -> None:
    assert intersect(None, "*.example.com") == "*.example.com"
    assert intersect(None, "foo.example.com") == "foo.example.com"


def test_route_without_hostnames_serves_the_listener_hostname() -> None:
    assert effective_hostnames("foo.example.com", []) == ["foo.example.com"]
    assert effective_hostnames("*.example.com", []) == ["*.example.com"]


def test_route_and_listener_without_hostnames_serve_any_host() -> None:
    assert effective_hostnames(None, []) == []


def test_route_hostnames_not_matching_the_listener_are_ignored() -> None:
    got = effective_hostnames(
        "*.wildcard.io", ["non.matching.com", "wildcard.io", "foo.wildcard.io", "a.b.wildcard.io"]
    )
    assert got == ["foo.wildcard.io", "a.b.wildcard.io"]


def test_effective_hostnames_is_none_when_no_route_hostname_intersects() -> None:
    assert (
        effective_hostnames("very.specific.com", ["specific.but.wrong.com", "wildcard.io"]) is None
    )
    assert effective_hostnames("*.wildcard.io", ["wildcard.io"]) is None


def test_effective_hostnames_keeps_route_hostnames_on_a_listener_without_hostname() -> None:
    assert effective_hostnames(None, ["a.example.com", "*.example.com"]) == [
        "a.example.com",
        "*.example.com",
    ]


def test_precedence_orders_exact_then_longer_wildcard_then_shorter_wildcard_then_none() -> None:
    names = [None, "*.example.com", "foo.example.com", "*.foo.example.com"]
    assert sorted(names, key=precedence_key) == [
        "foo.example.com",
        "*.foo.example.com",
        "*.example.com",
        None,
    ]


def test_precedence_puts_a_short_exact_name_before_a_long_wildcard() -> None:
    assert precedence_key("a.io") < precedence_key("*.very.long.wildcard.example.com")


def test_precedence_ranks_a_wildcard_with_more_labels_first() -> None:
    assert precedence_key("*.foo.example.com") < precedence_key("*.example.com")

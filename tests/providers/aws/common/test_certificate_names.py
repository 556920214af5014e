"""Which hostnames an ACM certificate name covers (certificate discovery)."""

from __future__ import annotations

import pytest

from awsgw.providers.aws.common.certificates import covers


@pytest.mark.parametrize(
    ("name", "host", "expected"),
    [
        ("shop.example.com", "shop.example.com", True),
        ("Shop.Example.com", "shop.example.COM", True),
        ("*.example.com", "shop.example.com", True),
        ("*.example.com", "a.shop.example.com", False),
        ("*.example.com", "example.com", False),
        ("*.example.com", "*.example.com", True),
        ("shop.example.com", "*.example.com", False),
        ("*.shop.example.com", "*.example.com", False),
        ("example.com", "shop.example.com", False),
    ],
)
def test_a_name_covers_itself_and_a_wildcard_one_label(
    name: str, host: str, expected: bool
) -> None:
    assert covers(name, host) is expected

"""Paginated ELBv2 reads shared by the provider and the evaluator."""

from __future__ import annotations

from typing import Any


def all_rules(elbv2: Any, listener_arn: str) -> list[dict[str, Any]]:
    """Every rule of a listener, default rule included (DescribeRules has no paginator)."""
    rules: list[dict[str, Any]] = []
    marker = None
    while True:
        kwargs: dict[str, Any] = {"ListenerArn": listener_arn}
        if marker:
            kwargs["Marker"] = marker
        page = elbv2.describe_rules(**kwargs)
        rules += page["Rules"]
        marker = page.get("NextMarker")
        if not marker:
            return rules

"""Paginated ELBv2 reads shared by the provider and the evaluator."""

from __future__ import annotations

from typing import Any

TAG_BATCH = 20
"""DescribeTags takes at most 20 resource ARNs."""


def tags_of(elbv2: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    """ARN → tags of ELBv2 resources, read in batches of 20."""
    out: dict[str, dict[str, str]] = {}
    for i in range(0, len(arns), TAG_BATCH):
        for d in elbv2.describe_tags(ResourceArns=arns[i : i + TAG_BATCH])["TagDescriptions"]:
            out[d["ResourceArn"]] = {t["Key"]: t.get("Value", "") for t in d.get("Tags", [])}
    return out


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

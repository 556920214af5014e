"""What ALB and NLB forwards share (pure): the scheme a Gateway asks for, and Gateway API
weights (0–1,000,000) expressed exactly in ELBv2's 0–999."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from awsgw.core.parameters import NO_PARAMETERS, SCHEME_ANNOTATION, LoadBalancerParameters

SCHEMES = ("internal", "internet-facing")
MAX_WEIGHT = 999
"""ELBv2 target group weights (ALB and, since November 2025, NLB) are 0–999."""


def scheme_of(
    annotations: Mapping[str, str], parameters: LoadBalancerParameters = NO_PARAMETERS
) -> tuple[str, str | None]:
    """The load balancer scheme: the configuration's, else the annotation's (internal by
    default); and the problem with a bad annotation value."""
    if parameters.scheme is not None:
        return parameters.scheme, None
    scheme = annotations.get(SCHEME_ANNOTATION, "internal")
    if scheme not in SCHEMES:
        return "internal", (
            f"metadata.annotations[{SCHEME_ANNOTATION}]: {scheme!r} is not one of {SCHEMES}"
        )
    return scheme, None


def forwarded(action: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(target group ARN, weight) of a forward action in either of its API shapes
    (``ForwardConfig.TargetGroups``, or one ``TargetGroupArn`` weighing 1)."""
    groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    if groups:
        return [(str(g["TargetGroupArn"]), int(g.get("Weight", 1))) for g in groups]
    arn = action.get("TargetGroupArn")
    return [(str(arn), 1)] if arn else []


def exact_weights(weights: list[int], top: int = MAX_WEIGHT) -> list[int] | None:
    """The weights scaled into 0–``top`` with their ratios unchanged (divided by their
    greatest common divisor), or None when no exact scaling exists."""
    if max(weights) <= top:
        return weights
    divisor = math.gcd(*weights)
    scaled = [w // divisor for w in weights]
    return scaled if max(scaled) <= top else None

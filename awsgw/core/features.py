"""Gateway API features: the core set every data plane has, and how a GatewayClass lists
what its data plane supports. Each data plane's own list, and why it leaves the others
out, is in its package (``providers/aws/<plane>/capabilities.py``)."""

from __future__ import annotations

CORE = ("Gateway", "HTTPRoute", "ReferenceGrant")


def supported_features_status(features: tuple[str, ...]) -> list[dict[str, str]]:
    """``status.supportedFeatures`` of a GatewayClass, sorted by name."""
    return [{"name": name} for name in sorted(features)]

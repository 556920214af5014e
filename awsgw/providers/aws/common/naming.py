"""Stable short digests for resource names and fingerprints (pure)."""

from __future__ import annotations

import hashlib


def digest(*parts: str, size: int) -> str:
    """The first ``size`` hex digits of SHA-256 over the parts joined by NUL."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:size]

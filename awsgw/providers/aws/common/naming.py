"""Stable short digests for resource names and fingerprints (pure)."""

from __future__ import annotations

import hashlib
import re

NOT_ALPHANUMERIC = re.compile(r"[^a-zA-Z0-9]+")


def digest(*parts: str, size: int) -> str:
    """The first ``size`` hex digits of SHA-256 over the parts joined by NUL."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:size]


def label(text: str, size: int) -> str:
    """Letters and digits joined by hyphens, at most ``size`` long (ELBv2 names)."""
    return NOT_ALPHANUMERIC.sub("-", text)[:size].strip("-") or "x"

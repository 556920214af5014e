"""What the one-shot commands (``reconcile``, ``plan``) print on stderr while they work."""

from __future__ import annotations

import sys
import time


class Progress:
    """Readable progress lines on stderr, with the time since start."""

    def __init__(self, quiet: bool = False) -> None:
        self.start = time.monotonic()
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.monotonic() - self.start:6.2f}s] {message}", file=sys.stderr)

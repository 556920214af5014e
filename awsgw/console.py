"""What the one-shot commands (``reconcile``, ``plan``) share: the options they take and the
progress they print on stderr while they work."""

from __future__ import annotations

import argparse
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


def add_one_shot_arguments(
    parser: argparse.ArgumentParser, *, filename_help: str, wait_help: str
) -> None:
    """``-f``, ``--aws``, ``--wait`` and ``-q``, alike for every one-shot command; the help
    of ``-f`` and ``--wait`` says what each command does with them."""
    parser.add_argument(
        "-f", "--filename", action="append", required=True, metavar="PATH", help=filename_help
    )
    parser.add_argument(
        "--aws",
        choices=("env", "embedded"),
        default="env",
        help="env: AWS from the standard variables; embedded: an in-process moto",
    )
    parser.add_argument("--wait", type=float, default=600.0, metavar="SECONDS", help=wait_help)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")

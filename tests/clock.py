"""A clock that tests move by hand, for code that takes ``clock`` (and ``sleep``) callables."""

from __future__ import annotations


class Clock:
    """Returns ``now`` when called; ``sleep`` moves it on, and keeps what was slept."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

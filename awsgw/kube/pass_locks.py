"""Which passes may run at once when several workers take keys from the queue.

The queue already never hands one key to two workers. Beyond that:

- passes over distinct Gateways run side by side (their AWS resources are their own);
- a full pass runs alone: it reads the whole account and collects what no Gateway owns, so
  no Gateway pass may be creating meanwhile; a waiting full pass holds back new Gateway
  passes, so it is not starved;
- passes of a data plane that plans all its Gateways together (``planned_together``: VPC
  Lattice, whose service network and exports span Gateways) run one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager


class PassLocks:
    def __init__(self, planned_together: Iterable[str] = ()) -> None:
        self._cond = threading.Condition()
        self._gateway_passes = 0
        self._full_running = False
        self._full_waiting = 0
        self._together = {controller: threading.Lock() for controller in sorted(planned_together)}

    @contextmanager
    def full(self) -> Iterator[None]:
        """The whole pass alone."""
        with self._cond:
            self._full_waiting += 1
            while self._full_running or self._gateway_passes:
                self._cond.wait()
            self._full_waiting -= 1
            self._full_running = True
        try:
            yield
        finally:
            with self._cond:
                self._full_running = False
                self._cond.notify_all()

    @contextmanager
    def gateway(self, controller: str | None) -> Iterator[None]:
        """A pass over one Gateway of ``controller`` (None: not known, as for a Gateway
        gone from the API, whose resources any data plane may hold)."""
        with self._cond:
            while self._full_running or self._full_waiting:
                self._cond.wait()
            self._gateway_passes += 1
        try:
            with ExitStack() as stack:
                for name, lock in self._together.items():  # sorted: no lock-order deadlock
                    if controller is None or name == controller:
                        stack.enter_context(lock)
                yield
        finally:
            with self._cond:
                self._gateway_passes -= 1
                self._cond.notify_all()

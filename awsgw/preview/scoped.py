"""Providers whose changes are told apart by Gateway: each step of a pass that writes
(apply and delete of a Gateway, what spans Gateways, the collection of leftovers) runs in
the change log's scope of that Gateway and the provider's controller."""

from __future__ import annotations

from dataclasses import dataclass

from awsgw.core.capabilities import Capabilities
from awsgw.providers.base import (
    Failure,
    GatewayObservation,
    PassScope,
    Provider,
    ProviderPass,
    RuleProblem,
)
from awsgw.providers.changes import ChangeLog


@dataclass(frozen=True)
class ScopedProvider:
    """A provider whose passes record their changes by Gateway into ``log``."""

    controller: str
    provider: Provider
    log: ChangeLog

    @property
    def capabilities(self) -> Capabilities:
        return self.provider.capabilities

    def begin(self, scope: PassScope) -> ProviderPass:
        return ScopedPass(self.controller, self.provider.begin(scope), self.log)


@dataclass(frozen=True)
class ScopedPass:
    controller: str
    inner: ProviderPass
    log: ChangeLog

    @property
    def failures(self) -> list[Failure]:
        return self.inner.failures

    @property
    def problems(self) -> tuple[RuleProblem, ...]:
        return self.inner.problems

    def apply_shared(self) -> list[Failure]:
        with self.log.scope(self.controller, None):
            return self.inner.apply_shared()

    def apply(self, gateway: str) -> GatewayObservation:
        with self.log.scope(self.controller, gateway):
            return self.inner.apply(gateway)

    def delete(self, gateway: str) -> None:
        with self.log.scope(self.controller, gateway):
            self.inner.delete(gateway)

    def owned(self) -> set[str]:
        return self.inner.owned()

    def collect(self) -> None:
        with self.log.scope(self.controller, None):
            self.inner.collect()

"""The provider interface, in the spirit of the Kubernetes cloud-provider interface.

A provider turns one Gateway's neutral model into cloud resources. All methods are
idempotent and leave their inputs untouched; ``plan`` is pure.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from awsgw.core.attach import RuleProblem
from awsgw.core.model import GatewayModel, PassModel
from awsgw.core.status import GatewayObservation


class Provider(Protocol):
    def refresh(self) -> None:
        """Read the cloud's current state once for this pass."""

    def plan(self, model: GatewayModel) -> tuple[Any, list[RuleProblem]]:
        """The desired cloud state of a Gateway, and the Route rules it cannot express."""

    def ensure(self, desired: Any) -> GatewayObservation:
        """Make the cloud match ``desired``; report address and programmed state."""

    def ensure_deleted(self, gateway: str) -> None:
        """Delete every resource this cluster owns for a Gateway key."""

    def owned(self) -> set[str]:
        """Gateway keys that own resources in the cloud (for garbage collection)."""

    def finish(self) -> None:
        """After a full pass over every Gateway: clean shared leftovers."""


@runtime_checkable
class PassAware(Protocol):
    """Optional: a provider whose resources span Gateways (one cloud resource per Route on
    several Gateways) or exist without any (exported Services) sees the whole pass first.

    ``prepare`` runs once per pass, after ``refresh`` and before any ``plan``: it may write
    Gateway-independent resources and returns the messages of cloud calls that failed."""

    def prepare(self, scope: PassModel) -> list[str]:
        """Take the pass's models and exports; ensure what belongs to no single Gateway."""

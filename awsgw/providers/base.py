"""The provider contract, in the spirit of the Kubernetes cloud-provider interface.

A data plane (ALB, VPC Lattice, ...) subclasses ``DataPlane``, typed by its own plan: per
pass it reads the cloud once (scoped to what the pass asks), plans purely from the models
and what it read (desired state plus the Route rules it cannot express), applies what
belongs to no single Gateway, applies each Gateway, deletes a Gateway's resources, and after
a full pass collects leftovers. Nothing is written while reading or planning, every apply
is idempotent and makes the fewest writes.

The reconciler drives a ``ProviderPass`` (``DataPlane.begin``): the same operations with the
plan held inside, so providers of different plan types sit side by side.

What providers report (``RuleProblem``, ``RouteNote``, ``ListenerProblem``,
``GatewayObservation``, ``Failure``) is defined in ``awsgw.core.findings`` (the pure status
step reads it) and belongs to this contract.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason
from awsgw.core.findings import (
    Failure,
    GatewayObservation,
    ListenerProblem,
    RouteNote,
    RuleProblem,
)
from awsgw.core.model import ExportModel, GatewayModel

__all__ = [
    "DataPlane",
    "Failure",
    "GatewayObservation",
    "ListenerProblem",
    "PassScope",
    "Plan",
    "Provider",
    "ProviderPass",
    "RouteNote",
    "RuleProblem",
]

DesiredT = TypeVar("DesiredT")
SharedT = TypeVar("SharedT")


@dataclass(frozen=True)
class PassScope:
    """What one pass asks of a provider."""

    gateways: Mapping[str, GatewayModel]
    """Accepted Gateways of the provider's controller → their model."""
    known: frozenset[str]
    """Every Gateway key of the controller (accepted or not): their resources are kept."""
    exports: tuple[ExportModel, ...] = ()
    """Service ports this cluster exports to the cluster set."""
    has_class: bool = False
    """Some GatewayClass names the controller (else it may skip the cloud entirely)."""
    only: str | None = None
    """The one Gateway this pass applies (None: every Gateway, then garbage collection)."""
    partial: bool = False
    """A full pass over some of the Gateways only (one replica's shards): what the others
    use must be read from the cloud before shared leftovers are collected."""
    shared_work: bool = True
    """This pass does what spans Gateways (exports, collecting shared leftovers); a
    replica's full pass does it only when the shared work is its own."""
    only_gone: bool = False
    """``only`` is absent from the API or being deleted: its resources go, whichever data
    plane holds them."""


@dataclass(frozen=True)
class Plan(Generic[DesiredT, SharedT]):
    """A data plane's desired state for one pass."""

    gateways: Mapping[str, DesiredT]
    """Gateway key → what its cloud resources should be."""
    shared: SharedT
    """What belongs to no single Gateway (e.g. exported Services)."""
    problems: tuple[RuleProblem, ...] = ()
    """The Route rules it cannot program as written, and notes on how it serves others."""


class ProviderPass(Protocol):
    """One provider's pass, as the reconciler drives it."""

    @property
    def failures(self) -> list[Failure]:
        """Cloud calls that failed while reading."""

    @property
    def problems(self) -> tuple[RuleProblem, ...]: ...

    def apply_shared(self) -> list[Failure]:
        """Make the cloud hold what belongs to no Gateway."""

    def apply(self, gateway: str) -> GatewayObservation:
        """Make the cloud match one Gateway's plan; report address and programmed state."""

    def delete(self, gateway: str) -> None:
        """Delete every resource this cluster owns for a Gateway key."""

    def owned(self) -> set[str]:
        """Gateway keys that own resources in the cloud (for garbage collection)."""

    def collect(self) -> None:
        """After a full pass over every Gateway: clean shared leftovers."""


class Provider(Protocol):
    """What the registry holds for a ``controllerName``."""

    @property
    def capabilities(self) -> Capabilities: ...

    def begin(self, scope: PassScope) -> ProviderPass:
        """Read the cloud once for this pass and plan it."""


NOT_PLANNED = "not planned this pass"


class DataPlane(ABC, Generic[DesiredT, SharedT]):
    """A data plane, typed by its plan; ``begin`` makes it a ``Provider``."""

    @property
    @abstractmethod
    def capabilities(self) -> Capabilities: ...

    @abstractmethod
    def read(self, scope: PassScope) -> list[Failure]:
        """Read the cloud once for this pass (no write); the failures, if any."""

    @abstractmethod
    def plan(self, scope: PassScope) -> Plan[DesiredT, SharedT]:
        """Pure: the desired state from the models and what ``read`` saw."""

    @abstractmethod
    def apply_shared(self, plan: Plan[DesiredT, SharedT]) -> list[Failure]:
        """Make the cloud hold what belongs to no Gateway (``plan.shared``)."""

    @abstractmethod
    def apply(self, desired: DesiredT, plan: Plan[DesiredT, SharedT]) -> GatewayObservation:
        """Make the cloud match one Gateway's desired state (of ``plan``)."""

    @abstractmethod
    def delete(self, gateway: str, plan: Plan[DesiredT, SharedT]) -> None:
        """Delete what this cluster owns for a Gateway that is gone (``plan`` says what the
        rest of the pass still wants)."""

    @abstractmethod
    def owned(self) -> set[str]:
        """Gateway keys owning resources, as ``read`` saw them."""

    @abstractmethod
    def collect(self, plan: Plan[DesiredT, SharedT]) -> None:
        """After a full pass: delete shared leftovers ``plan`` no longer wants."""

    def begin(self, scope: PassScope) -> ProviderPass:
        failures = self.read(scope)
        return PlannedPass(self, self.plan(scope), failures)


@dataclass
class PlannedPass(Generic[DesiredT, SharedT]):
    """A data plane with its plan for the pass (what ``DataPlane.begin`` returns)."""

    plane: DataPlane[DesiredT, SharedT]
    plan: Plan[DesiredT, SharedT]
    failures: list[Failure] = field(default_factory=list)

    @property
    def problems(self) -> tuple[RuleProblem, ...]:
        return self.plan.problems

    def apply_shared(self) -> list[Failure]:
        return self.plane.apply_shared(self.plan)

    def apply(self, gateway: str) -> GatewayObservation:
        desired = self.plan.gateways.get(gateway)
        if desired is None:
            return GatewayObservation(gateway, False, Reason.INVALID, NOT_PLANNED)
        return self.plane.apply(desired, self.plan)

    def delete(self, gateway: str) -> None:
        self.plane.delete(gateway, self.plan)

    def owned(self) -> set[str]:
        return self.plane.owned()

    def collect(self) -> None:
        self.plane.collect(self.plan)

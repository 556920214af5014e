"""Provider registry: GatewayClass ``controllerName`` → the provider that serves it, the
catalog of what each data plane carries, and the cloud as the rest of awsgw sees it.

Another data plane or cloud is one more entry here (and its own package); nothing else
changes. Callers above the providers (``awsgw.kube``, the CLI) use this module only.
"""

from __future__ import annotations

from collections.abc import Callable

from awsgw.core.capabilities import Catalog
from awsgw.providers.aws.alb.capabilities import ALB
from awsgw.providers.aws.alb.plan.values import AlbLimits
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.common.network import find_vpc
from awsgw.providers.aws.common.rate_limit import RateLimits
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.lattice.capabilities import LATTICE
from awsgw.providers.aws.lattice.provider import LatticeProvider
from awsgw.providers.aws.nlb.capabilities import NLB
from awsgw.providers.aws.nlb.provider import NlbProvider
from awsgw.providers.base import Provider
from awsgw.settings import Settings

CATALOG = Catalog({ALB.controller: ALB, NLB.controller: NLB, LATTICE.controller: LATTICE})
"""Every data plane awsgw serves, and the controller names it reserves."""
DEFAULT_CONTROLLER = ALB.controller
"""The controller named in Events about objects of no known class."""


def build_providers(
    aws: Aws, settings: Settings, cluster: str, wait_active: float = 0.0
) -> dict[str, Provider]:
    """Every provider awsgw runs, keyed by the controllerName it serves."""
    alb_limits = AlbLimits(rules_per_listener=settings.alb_rules_per_listener)
    alb = AlbProvider(aws, cluster, settings.vpc_id, alb_limits, wait_active=wait_active)
    nlb = NlbProvider(aws, cluster, settings.vpc_id, alb_limits=alb_limits, wait_active=wait_active)
    lattice = LatticeProvider(aws, cluster, settings.vpc_id, settings.lattice_security_groups)
    return {ALB.controller: alb, NLB.controller: nlb, LATTICE.controller: lattice}


class Cloud:
    """The cloud of one controller process: its providers (built fresh for each pass, the
    VPC found once), the outcome of every call made, a guard on writes, and the client-side
    rate limit per AWS service that every worker shares."""

    def __init__(self, settings: Settings, cluster: str, aws: Aws | None = None) -> None:
        self.settings = settings
        self.cluster = cluster
        self.aws = aws or Aws.create(max_attempts=settings.aws_max_attempts)
        self.rate_limits = RateLimits(settings.aws_rate_limits)
        self.aws.limit_rate(self.rate_limits)
        self._vpc = settings.vpc_id

    def providers(self) -> dict[str, Provider]:
        if self._vpc is None:
            self._vpc = find_vpc(self.aws, self.cluster)
        settings = self.settings.model_copy(update={"vpc_id": self._vpc})
        return build_providers(self.aws, settings, self.cluster)

    def outcomes(self) -> dict[tuple[str, str, str], int]:
        """(service, operation, outcome) → calls, after retries."""
        return self.aws.outcomes.snapshot()

    def rate_limited(self) -> dict[str, tuple[int, float]]:
        """Service → (requests that waited for a token, seconds waited)."""
        return self.rate_limits.snapshot()

    def guard_writes(self, allowed: Callable[[], bool], refuse: Callable[[str], Exception]) -> None:
        """Every call that is not a read raises ``refuse(operation)`` unless ``allowed()``."""
        self.aws.guard_writes(allowed, refuse)

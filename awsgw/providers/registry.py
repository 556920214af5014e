"""Provider registry: GatewayClass ``controllerName`` → the provider that serves it.

Another cloud or load balancer family is one more entry here (and its own folder).
"""

from __future__ import annotations

from awsgw.core.capabilities import ALB_CONTROLLER, LATTICE_CONTROLLER
from awsgw.providers.aws.alb.plan.compile import AlbLimits
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.lattice.provider import LatticeProvider
from awsgw.providers.base import Provider
from awsgw.settings import Settings


def build_providers(
    aws: Aws, settings: Settings, cluster: str, wait_active: float = 0.0
) -> dict[str, Provider]:
    """Every provider awsgw runs, keyed by the controllerName it serves."""
    alb = AlbProvider(
        aws,
        cluster,
        settings.vpc_id,
        AlbLimits(rules_per_listener=settings.alb_rules_per_listener),
        wait_active=wait_active,
    )
    lattice = LatticeProvider(aws, cluster, settings.vpc_id, settings.lattice_security_groups)
    return {ALB_CONTROLLER: alb, LATTICE_CONTROLLER: lattice}

"""VPC Lattice translation, golden: each ``lattice/<case>.yaml`` (manifests) →
``<case>.plan.yaml``: service networks, one service per Route with its listeners and rules
(as Lattice API shapes, in priority order), target groups and the problems reported,
exactly as ``compile_lattice`` plans them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awsgw.providers.aws.lattice.capabilities import CONTROLLER
from awsgw.providers.aws.lattice.plan.compile import compile_lattice
from awsgw.providers.aws.lattice.plan.rules import action_api
from awsgw.providers.aws.lattice.plan.specs import LatticePlan
from tests.golden.support import CLUSTER, check, models

CASES = sorted((Path(__file__).parent / "lattice").glob("*.yaml"))
INPUTS = [c for c in CASES if not c.name.endswith(".plan.yaml")]
EXPORTED = {("shop", "inventory", 80): ("export-inventory-shop-80-peer",)}
"""What another cluster of the set publishes (for ServiceImport backends)."""


def rendered(plan: LatticePlan) -> dict[str, Any]:
    ids = {name: name for name in plan.target_groups}
    ids.update({n: n for names in EXPORTED.values() for n in names})
    return {
        "networks": {k: {"name": n, "error": e} for k, (n, e) in sorted(plan.networks.items())},
        "services": {
            name: {
                "route": str(svc.route),
                "gateways": svc.gateways,
                "customDomain": svc.custom_domain,
                "listeners": [
                    {
                        "port": ls.port,
                        "protocol": ls.protocol,
                        "rules": [
                            {
                                "source": r.source,
                                "match": json.loads(r.match),
                                "action": action_api(r.action, ids),
                            }
                            for r in ls.rules
                        ],
                    }
                    for ls in svc.listeners
                ],
            }
            for name, svc in sorted(plan.services.items())
        },
        "targetGroups": {
            name: {
                "backend": tg.backend,
                "port": tg.port,
                "protocolVersion": tg.protocol_version,
                "targets": [f"{ip}:{port}" for ip, port in tg.targets],
            }
            for name, tg in sorted(plan.target_groups.items())
        },
        "problems": [
            f"{p.gateway} {p.route} rule {p.rule_index} ({p.kind}): {p.message}"
            for p in plan.findings
        ],
    }


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_lattice_plan_matches_its_golden_file(case: Path, request: pytest.FixtureRequest) -> None:
    found = models(case, CONTROLLER)
    assert found, "the case has an accepted Lattice Gateway"
    plan = compile_lattice(found, CLUSTER, EXPORTED)
    check(request, case.with_suffix(".plan.yaml"), rendered(plan))

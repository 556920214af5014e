"""ALB translation, golden: each ``alb/<case>.yaml`` (manifests) → ``<case>.plan.yaml``: the
load balancer, listeners, rules (as ELBv2 API shapes, in priority order), target groups and
the problems reported, exactly as ``compile_alb`` plans them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from awsgw.providers.aws.alb.capabilities import CONTROLLER
from awsgw.providers.aws.alb.plan.compile import AlbSpec, compile_alb
from awsgw.providers.aws.alb.plan.shapes import actions_api, conditions_api, transforms_api
from awsgw.providers.aws.alb.plan.values import AlbLimits
from tests.golden.support import CLUSTER, check, models

CASES = sorted((Path(__file__).parent / "alb").glob("*.yaml"))
INPUTS = [c for c in CASES if not c.name.endswith(".plan.yaml")]
LIMITS = {"quota": AlbLimits(rules_per_listener=6)}


def rendered(spec: AlbSpec) -> dict[str, Any]:
    names = {name: name for name in spec.target_groups}
    names["unresolved"] = "unresolved"
    return {
        "loadBalancer": {"name": spec.name, "scheme": spec.scheme, "error": spec.error},
        "listeners": [
            {
                "port": ls.port,
                "protocol": ls.protocol,
                "certificates": [c.key for c in ls.certificates],
                "rules": [
                    {
                        "source": r.source,
                        "conditions": conditions_api(r.conditions),
                        "actions": actions_api(r.actions, names),
                        **({"transforms": transforms_api(r.transforms)} if r.transforms else {}),
                    }
                    for r in ls.rules
                ],
            }
            for ls in spec.listeners
        ],
        "targetGroups": {
            name: {
                "backend": tg.backend,
                "port": tg.port,
                "targets": [f"{ip}:{port}" for ip, port in tg.targets],
            }
            for name, tg in sorted(spec.target_groups.items())
        },
        "problems": [
            f"{p.route} rule {p.rule_index} ({p.kind}): {p.message}" for p in spec.findings
        ],
    }


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_alb_plan_matches_its_golden_file(case: Path, request: pytest.FixtureRequest) -> None:
    limits = LIMITS.get(case.stem, AlbLimits())
    plans = {
        key: rendered(compile_alb(model, CLUSTER, limits))
        for key, model in models(case, CONTROLLER).items()
    }
    assert plans, "the case has an accepted ALB Gateway"
    check(request, case.with_suffix(".plan.yaml"), plans)

"""NLB translation, golden: each ``nlb/<case>.yaml`` (manifests) → ``<case>.plan.yaml``: the
load balancer, its listeners (protocol, weighted forwards, certificates), target groups,
the chained ALB for HTTP listeners, and what is refused or noted, exactly as
``compile_nlb`` plans them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from awsgw.providers.aws.nlb.capabilities import CONTROLLER
from awsgw.providers.aws.nlb.plan.compile import NlbSpec, compile_nlb
from tests.golden.support import CLUSTER, check, models
from tests.golden.test_alb_golden import rendered as alb_rendered

CASES = sorted((Path(__file__).parent / "nlb").glob("*.yaml"))
INPUTS = [c for c in CASES if not c.name.endswith(".plan.yaml")]


def rendered(spec: NlbSpec) -> dict[str, Any]:
    return {
        "loadBalancer": {
            "name": spec.name,
            "scheme": spec.scheme,
            "addresses": list(spec.addresses),
            "error": spec.error,
            "tcpPorts": list(spec.tcp_ports),
            "udpPorts": list(spec.udp_ports),
        },
        "listeners": [
            {
                "port": ls.port,
                "protocol": ls.protocol,
                "serves": list(ls.serves),
                "forward": [{"targetGroup": n, "weight": w} for n, w in ls.forward.groups],
                "certificates": [c.key for c in ls.certificates],
            }
            for ls in spec.listeners
        ],
        "targetGroups": {
            name: {
                "backend": tg.backend,
                "port": tg.port,
                "protocol": tg.protocol,
                "targetType": tg.target_type,
                "healthCheck": tg.health_check_protocol,
                "targets": [f"{ip}:{port}" for ip, port in tg.targets],
            }
            for name, tg in sorted(spec.target_groups.items())
        },
        "chainedAlb": alb_rendered(spec.chained) if spec.chained else None,
        "refused": [f"listener {p.listener} ({p.reason}): {p.message}" for p in spec.refused],
        "problems": [
            f"{p.route} rule {p.rule_index} ({p.kind}): {p.message}" for p in spec.findings
        ],
    }


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_nlb_plan_matches_its_golden_file(case: Path, request: pytest.FixtureRequest) -> None:
    plans = {
        key: rendered(compile_nlb(model, CLUSTER))
        for key, model in models(case, CONTROLLER).items()
    }
    assert plans, "the case has an accepted NLB Gateway"
    check(request, case.with_suffix(".plan.yaml"), plans)

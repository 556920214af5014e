"""The ported upstream conformance tests (cases/*.yaml), each against a fresh moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from moto import mock_aws

from awsgw.core.features import CORE
from awsgw.embedded import make_vpc
from awsgw.providers.aws.alb.capabilities import FEATURES as ALB_SUPPORTED
from awsgw.providers.aws.alb.capabilities import UNSUPPORTED as ALB_UNSUPPORTED
from awsgw.testing.moto import install
from tests.conformance.harness import (
    CLASS_NAME,
    CONFORMANCE,
    Runner,
    check_gateway,
    check_request,
    check_route,
    conditions_match,
    new_cluster,
)

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml"))
SKIPS: dict[str, str] = yaml.safe_load((HERE / "skips.yaml").read_text()) or {}


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(
        path.read_text().replace("{GATEWAY_CLASS_NAME}", CLASS_NAME)
    )
    return case


def skip_reason(case: dict[str, Any]) -> str | None:
    """Why a test is not run: named in skips.yaml, or needs a feature awsgw does not claim
    (as the upstream suite does for unsupported features)."""
    if case["name"] in SKIPS:
        return str(SKIPS[case["name"]])
    missing = [f for f in case.get("features", []) if f not in ALB_SUPPORTED]
    if missing:
        return "; ".join(
            f"feature {f} not supported: {ALB_UNSUPPORTED.get(f, 'no reason recorded')}"
            for f in missing
        )
    return None


def run_step(runner: Runner, step: dict[str, Any], generations: dict[str, int]) -> None:
    for p in step.get("patch", []):
        runner.cluster.patch(p["kind"], p.get("namespace", ""), p["name"], p["merge"])
    for r in step.get("replace", []):
        runner.cluster.replace_spec(r["kind"], r.get("namespace", ""), r["name"], r["spec"])
    for f in step.get("fill_endpoints", []):
        ips = runner.cluster.deployment_ips[(f["namespace"], f["deployment"])]
        endpoints = [
            {"addresses": [ip], "conditions": {"ready": True, "serving": True}} for ip in ips
        ]
        runner.cluster.patch("EndpointSlice", f["namespace"], f["slice"], {"endpoints": endpoints})
    for d in step.get("delete", []):
        runner.cluster.delete(d["kind"], d.get("namespace", ""), d["name"])
    runner.reconcile()
    if "gatewayclass" in step:
        doc = runner.doc("GatewayClass", "", "awsgw-alb")
        if step.get("gatewayclass_name"):
            doc = runner.doc("GatewayClass", "", step["gatewayclass_name"])
        conditions_match(
            "GatewayClass",
            step["gatewayclass"].get("conditions", []),
            (doc.get("status") or {}).get("conditions", []),
            doc["metadata"]["generation"],
        )
    for gw in step.get("gateways", []):
        key = f"{gw['namespace']}/{gw['name']}"
        check_gateway(runner, gw, generations.get(key))
    for gw_key in list(generations) + [
        f"{g['namespace']}/{g['name']}" for g in step.get("gateways", [])
    ]:
        ns, _, name = gw_key.partition("/")
        doc = runner.cluster.docs.get(("Gateway", ns, name))
        if doc is not None:
            generations[gw_key] = doc["metadata"]["generation"]
    for route in step.get("routes", []):
        check_route(runner, route)
    for request in step.get("requests", []):
        check_request(runner, request)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_conformance(
    path: Path, monkeypatch: pytest.MonkeyPatch, conformance_results: dict[str, Any]
) -> None:
    case = load_case(path)
    name = case["name"]
    conformance_results[name] = {"features": case.get("features", []), "result": "failed"}
    reason = skip_reason(case)
    if reason:
        conformance_results[name] = {
            **conformance_results[name],
            "result": "skipped",
            "reason": reason,
        }
        pytest.skip(reason)
    if not CONFORMANCE.exists():
        pytest.fail(f"upstream conformance data not found at {CONFORMANCE}")
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    install()
    with mock_aws():
        vpc, _ = make_vpc(None, "conformance")
        runner = Runner(new_cluster(case.get("manifests", [])), "conformance", vpc)
        generations: dict[str, int] = {}
        for step in case.get("steps", []):
            try:
                run_step(runner, step, generations)
            except AssertionError as exc:
                raise AssertionError(f"step {step.get('name', '?')}: {exc}") from exc
    conformance_results[name]["result"] = "passed"


def test_every_unsupported_feature_has_a_reason() -> None:
    features = {f for p in CASES for f in load_case(p).get("features", [])}
    missing = sorted(f for f in features - set(ALB_SUPPORTED) if f not in ALB_UNSUPPORTED)
    assert missing == []


def test_gatewayclass_claims_exactly_the_features_whose_tests_all_pass(
    conformance_results: dict[str, Any],
) -> None:
    """Runs after the cases (file order); meaningful only when all of them ran."""
    if len(conformance_results) < len(CASES):
        pytest.skip("only part of the conformance cases ran")
    from tests.conformance.conftest import supported_features

    claimed = sorted(set(ALB_SUPPORTED) - set(CORE))
    assert supported_features(conformance_results) == claimed

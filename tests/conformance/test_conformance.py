"""The ported upstream conformance tests (cases/*.yaml), each against a fresh moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from moto import mock_aws

from awsgw.core.features import CORE
from awsgw.embedded import make_vpc
from awsgw.testing.moto import install
from tests.conformance.harness import (
    CONFORMANCE,
    PLANES,
    Plane,
    Runner,
    check_connection,
    check_gateway,
    check_listener_set,
    check_request,
    check_route,
    conditions_match,
    https_requests,
    new_cluster,
    substitute_addresses,
)

HERE = Path(__file__).parent
CASE_FILES = sorted((HERE / "cases").glob("*.yaml"))
SKIPS: dict[str, str] = yaml.safe_load((HERE / "skips.yaml").read_text()) or {}


def load_case(path: Path, plane: Plane) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(
        path.read_text().replace("{GATEWAY_CLASS_NAME}", plane.class_name)
    )
    return case


HTTPS = "https"
"""The HTTPS adaptation of a case (``https_adaptation``: the Gateways it moves to HTTPS
listeners): the upstream expectations over TLS, for Route kinds a data plane serves only
there. Reported apart from the upstream tests, never as one of them."""

CASES = [
    (plane, path, variant)
    for plane in PLANES
    for path in CASE_FILES
    if plane.takes(load_case(path, plane).get("features", []))
    for variant in (None, *([HTTPS] if load_case(path, plane).get("https_adaptation") else []))
]


def case_id(plane: Plane, path: Path, variant: str | None) -> str:
    return f"{plane.name}/{path.stem}" + (f"+{variant}" if variant else "")


def skip_reason(case: dict[str, Any], plane: Plane, variant: str | None = None) -> str | None:
    """Why a test is not run: named in skips.yaml (``Name`` for every data plane,
    ``Name@plane`` for one, ``Name+https`` for an adaptation), or needs a feature the data
    plane does not claim (as the upstream suite does for unsupported features)."""
    name = case["name"] + (f"+{variant}" if variant else "")
    for key in (f"{name}@{plane.name}", name):
        if key in SKIPS:
            return str(SKIPS[key])
    claimed = [f for f in case.get("unless_features", []) if f in plane.features]
    if claimed:
        return (
            f"upstream asserts nothing when the implementation claims {', '.join(claimed)}, "
            f"which the {plane.class_name} class does"
        )
    missing = [f for f in case.get("features", []) if f not in plane.features]
    if missing:
        return "; ".join(
            f"feature {f} not supported: {plane.unsupported.get(f, 'no reason recorded')}"
            for f in missing
        )
    return None


def run_step(runner: Runner, step: dict[str, Any], generations: dict[str, int]) -> None:
    for doc in step.get("apply", []):
        runner.cluster.apply(doc)
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
        doc = runner.doc("GatewayClass", "", runner.plane.class_name)
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
    for listener_set in step.get("listenersets", []):
        check_listener_set(runner, listener_set)
    for route in step.get("routes", []):
        check_route(runner, route)
    for request in step.get("requests", []):
        check_request(runner, request)
    for connection in step.get("connections", []):
        check_connection(runner, connection)


@pytest.mark.parametrize(("plane", "path", "variant"), CASES, ids=[case_id(*c) for c in CASES])
def test_conformance(
    plane: Plane,
    path: Path,
    variant: str | None,
    monkeypatch: pytest.MonkeyPatch,
    conformance_results: dict[str, Any],
) -> None:
    case = load_case(path, plane)
    name = case["name"] + (f"+{variant}" if variant else "")
    result: dict[str, Any] = {"plane": plane.name, "name": name,
                              "features": case.get("features", []), "result": "failed"}  # fmt: skip
    if variant:
        result["adaptation"] = variant
    conformance_results[f"{plane.name}/{name}"] = result
    reason = skip_reason(case, plane, variant)
    if reason:
        result.update(result="skipped", reason=reason)
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
        https_gateways = case.get("https_adaptation", []) if variant == HTTPS else []
        cluster = new_cluster(case.get("manifests", []), plane, https_gateways)
        runner = Runner(cluster, "conformance", vpc, plane)
        steps = case.get("steps", [])
        if variant == HTTPS:
            steps = https_requests(steps)
        if plane.network_addresses is not None:
            usable, unusable = plane.network_addresses(runner.aws)
            for key, doc in list(cluster.docs.items()):
                cluster.docs[key] = substitute_addresses(doc, usable, unusable)
            steps = substitute_addresses(steps, usable, unusable)
        generations: dict[str, int] = {}
        for step in steps:
            try:
                run_step(runner, step, generations)
            except AssertionError as exc:
                raise AssertionError(f"step {step.get('name', '?')}: {exc}") from exc
    result["result"] = "passed"


@pytest.mark.parametrize("plane", PLANES, ids=[p.name for p in PLANES])
def test_every_unsupported_feature_has_a_reason(plane: Plane) -> None:
    features = {
        f for p, path, _ in CASES if p is plane for f in load_case(path, p).get("features", [])
    }
    missing = sorted(f for f in features - set(plane.features) if f not in plane.unsupported)
    assert missing == []


@pytest.mark.parametrize("plane", PLANES, ids=[p.name for p in PLANES])
def test_gatewayclass_claims_exactly_the_features_whose_tests_all_pass(
    plane: Plane, conformance_results: dict[str, Any]
) -> None:
    """Runs after the cases (file order); meaningful only when all of them ran."""
    if len(conformance_results) < len(CASES):
        pytest.skip("only part of the conformance cases ran")
    from tests.conformance.conftest import supported_features

    ours = {k: r for k, r in conformance_results.items() if r["plane"] == plane.name}
    claimed = sorted(set(plane.features) - set(CORE))
    assert supported_features(ours) == claimed

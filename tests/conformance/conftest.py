"""``--conformance-report PATH``: write a ConformanceReport-shaped YAML after the run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from awsgw import __version__
from awsgw.core.features import CORE

CORE_FEATURES = set(CORE)
_RESULTS: dict[str, Any] = {}


@pytest.fixture(scope="session")
def conformance_results() -> Iterator[dict[str, Any]]:
    yield _RESULTS


def supported_features(results: dict[str, Any]) -> list[str]:
    """Extended features with at least one passing test and no failing one (a test skipped
    for another feature it needs does not count, as upstream)."""
    passed: set[str] = set()
    failed: set[str] = set()
    for r in results.values():
        for feature in set(r["features"]) - CORE_FEATURES:
            if r["result"] == "passed":
                passed.add(feature)
            elif r["result"] == "failed":
                failed.add(feature)
    return sorted(passed - failed)


PROFILES = (
    # (profile, data plane, the Route kind of its core besides Gateway and ReferenceGrant)
    ("GATEWAY-HTTP", "alb", "HTTPRoute"),
    ("GATEWAY-HTTP", "nlb", "HTTPRoute"),
    ("GATEWAY-TCP", "nlb", "TCPRoute"),
    ("GATEWAY-UDP", "nlb", "UDPRoute"),
    ("GATEWAY-TLS", "nlb", "TLSRoute"),
    ("GATEWAY-GRPC", "alb", "GRPCRoute"),
    ("GATEWAY-GRPC", "nlb", "GRPCRoute"),
)
NAMED_KINDS = ("TCPRoute", "UDPRoute", "TLSRoute", "GRPCRoute")


def route_kinds(features: list[str]) -> set[str]:
    """The Route kinds a test exercises: the L4 ones and GRPCRoute by name, HTTPRoute for
    anything else that is not a Gateway or ReferenceGrant feature."""
    kinds = {k for k in NAMED_KINDS for f in features if f.startswith(k)}
    shared = ("Gateway", "ReferenceGrant", *NAMED_KINDS)
    if any(not f.startswith(shared) for f in features):
        kinds.add("HTTPRoute")
    return kinds


def in_profile(result: dict[str, Any], plane: str, kind: str) -> bool:
    """As upstream: a test counts for a profile when it ran on the profile's data plane and
    exercises the profile's Route kind, or no Route kind at all (the Gateway tests)."""
    kinds = route_kinds(result["features"])
    return result["plane"] == plane and (not kinds or kind in kinds)


def report(results: dict[str, Any]) -> dict[str, Any]:
    def section(keys: list[str]) -> dict[str, Any]:
        def named(outcome: str) -> list[str]:
            return sorted(results[k]["name"] for k in keys if results[k]["result"] == outcome)

        passed, failed = named("passed"), named("failed")
        skipped = sorted(
            ({"name": results[k]["name"], "reason": results[k].get("reason", "")}
             for k in keys if results[k]["result"] == "skipped"),
            key=lambda s: s["name"],
        )  # fmt: skip
        outcome = "success" if not failed and not skipped else ("partial" if passed else "failure")
        return {
            "result": outcome,
            "statistics": {"Passed": len(passed), "Failed": len(failed), "Skipped": len(skipped)},
            "passedTests": passed,
            "failedTests": failed,
            "skippedTests": skipped,
        }

    profiles = []
    for profile, plane, kind in PROFILES:
        mine_all = [k for k, r in results.items() if in_profile(r, plane, kind)]
        keys = [k for k in mine_all if "adaptation" not in results[k]]
        adapted = [k for k in mine_all if "adaptation" in results[k] and kind in
                   route_kinds(results[k]["features"])]  # fmt: skip
        if not keys:
            continue
        core_features = {"Gateway", "ReferenceGrant", kind}
        core = [k for k in keys if set(results[k]["features"]) <= core_features]
        extended = [k for k in keys if k not in core]
        mine = {k: results[k] for k in keys + adapted}
        supported = [f for f in supported_features(mine) if f not in core_features]
        all_extended = sorted(
            {f for k in extended for f in results[k]["features"]} - core_features - CORE_FEATURES
        )
        profiles.append(
            {
                "name": profile,
                "class": f"awsgw-{plane}",
                "core": section(core),
                "extended": {
                    **section(extended),
                    "supportedFeatures": supported,
                    "unsupportedFeatures": [f for f in all_extended if f not in supported],
                },
                **({"adaptations": section(adapted)} if adapted else {}),
            }
        )
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "ConformanceReport",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": "offline",
        "modeDescription": (
            "Offline run: upstream v1.6.1 manifests applied to awsgw; AWS is moto; every HTTP "
            "request is judged from AWS state alone by awsgw's ALB rule evaluator (on NLB "
            "Gateways, the chained ALB's), every TCP, UDP and TLS connection by its NLB "
            "evaluator (listener, target group weights and targets, certificate by SNI), not "
            "by live traffic. GATEWAY-HTTP and GATEWAY-GRPC run on the awsgw-alb and awsgw-nlb "
            "classes, GATEWAY-TCP, GATEWAY-UDP and GATEWAY-TLS on awsgw-nlb. ALB serves gRPC "
            "only over TLS, so the upstream GRPCRoute tests (h2c to an HTTP listener) are "
            "skipped and reported as such; each profile's 'adaptations' are the same tests "
            "with their Gateways' HTTP listeners made HTTPS (never counted as upstream "
            "results; they decide supportedFeatures with the upstream ones)."
        ),
        "implementation": {
            "organization": "awsgw",
            "project": "awsgw",
            "url": "",
            "version": __version__,
            "contact": [],
        },
        "gatewayAPIVersion": "v1.6.1",
        "gatewayAPIChannel": "standard",
        "profiles": profiles,
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = session.config.getoption("--conformance-report", default=None)
    if path and _RESULTS:
        Path(path).write_text(yaml.safe_dump(report(_RESULTS), sort_keys=False))

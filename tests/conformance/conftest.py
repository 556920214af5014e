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


def report(results: dict[str, Any]) -> dict[str, Any]:
    def section(names: list[str]) -> dict[str, Any]:
        passed = sorted(n for n in names if results[n]["result"] == "passed")
        failed = sorted(n for n in names if results[n]["result"] == "failed")
        skipped = sorted(n for n in names if results[n]["result"] == "skipped")
        outcome = "success" if not failed and not skipped else ("partial" if passed else "failure")
        return {
            "result": outcome,
            "statistics": {"Passed": len(passed), "Failed": len(failed), "Skipped": len(skipped)},
            "passedTests": passed,
            "failedTests": failed,
            "skippedTests": [{"name": n, "reason": results[n].get("reason", "")} for n in skipped],
        }

    core = [n for n, r in results.items() if set(r["features"]) <= CORE_FEATURES]
    extended = [n for n in results if n not in core]
    supported = supported_features(results)
    all_extended = sorted({f for n in extended for f in results[n]["features"]} - CORE_FEATURES)
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "ConformanceReport",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": "offline",
        "modeDescription": (
            "Offline run: upstream v1.6.1 manifests applied to awsgw; AWS is moto; every request "
            "is judged from AWS state alone by awsgw's ALB rule evaluator, not by live traffic."
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
        "profiles": [
            {
                "name": "GATEWAY-HTTP",
                "core": section(core),
                "extended": {
                    **section(extended),
                    "supportedFeatures": supported,
                    "unsupportedFeatures": [f for f in all_extended if f not in supported],
                },
            }
        ],
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = session.config.getoption("--conformance-report", default=None)
    if path and _RESULTS:
        Path(path).write_text(yaml.safe_dump(report(_RESULTS), sort_keys=False))

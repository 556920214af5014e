"""`awsgw plan` of the quickstart against an empty embedded AWS, golden: ``plan/quickstart
.txt`` (what people read) and ``plan/quickstart.json`` (what pipelines parse), with the ids
moto picks at random (VPC, subnets) and the status times written as placeholders.
``pytest --update-golden`` rewrites them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_reconcile import QUICKSTART, awsgw, clean_env

GOLDEN = Path(__file__).parent / "plan"
RANDOM = (
    (re.compile(r"\b(vpc|subnet|sg)-[0-9a-f]{8,17}\b"), r"\1-0123456789abcdef0"),
    (re.compile(r'"lastTransitionTime": "[^"]+"'), '"lastTransitionTime": "2026-01-01T00:00:00Z"'),
)


def normal(text: str) -> str:
    for pattern, replacement in RANDOM:
        text = pattern.sub(replacement, text)
    return text


@pytest.mark.parametrize("output", ["text", "json"])
def test_quickstart_plan(request: pytest.FixtureRequest, output: str) -> None:
    done = awsgw("plan", "-f", str(QUICKSTART), "--aws", "embedded", "-o", output, env=clean_env())
    assert done.returncode == 3, done.stderr
    golden = GOLDEN / f"quickstart.{'txt' if output == 'text' else 'json'}"
    text = normal(done.stdout)
    if request.config.getoption("--update-golden"):
        golden.write_text(text)
    assert golden.exists(), f"{golden.name} is missing: run pytest --update-golden"
    assert text == golden.read_text(), f"{golden.name} differs: run pytest --update-golden"

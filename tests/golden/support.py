"""Golden translation tests: manifests in, a provider's plan out as YAML, compared with the
file beside them; ``pytest --update-golden`` rewrites the files (review them as diffs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from awsgw.core.attach import attach
from awsgw.core.model import GatewayModel
from awsgw.core.store import Store
from awsgw.core.translate import build_model
from awsgw.manifests import load
from awsgw.providers.registry import CATALOG
from awsgw.reconcilers.gateways import parse_time

NOW = "2026-06-01T00:00:00Z"
CLUSTER = "golden"


def models(manifests: Path, controller: str) -> dict[str, GatewayModel]:
    """The neutral model of every accepted Gateway of ``controller`` in the files."""
    store = Store.of(load([manifests]))
    attachment = attach(store, CATALOG, parse_time(NOW))
    return {
        key: build_model(gws, attachment, store)
        for key, gws in sorted(attachment.gateways.items())
        if gws.controller == controller and gws.usable
    }


def check(request: pytest.FixtureRequest, golden: Path, produced: dict[str, Any]) -> None:
    text = yaml.safe_dump(produced, sort_keys=False, width=100)
    if request.config.getoption("--update-golden"):
        golden.write_text(text)
    assert golden.exists(), f"{golden.name} is missing: run pytest --update-golden"
    assert text == golden.read_text(), f"{golden.name} differs: run pytest --update-golden"

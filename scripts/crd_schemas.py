"""Regenerate ``awsgw/testing/fakekube/crds.json`` from CustomResourceDefinition manifests.

The fake API server serves the schemas and printer columns of the CRDs it hosts: the Gateway
API standard channel (Apache-2.0, the Kubernetes SIG Network project) and awsgw's own
(``charts/awsgw/crds``). Descriptions are dropped; everything the API server uses is kept.

    python scripts/crd_schemas.py ../shared/gateway-api/v1.6.1/config/crd/standard charts/awsgw/crds
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "awsgw" / "testing" / "fakekube" / "crds.json"


def _strip(node: Any) -> Any:
    """The schema without ``description`` (at every depth; a property named so stays)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                continue
            out[key] = (
                {k: _strip(v) for k, v in value.items()} if key == "properties" else _strip(value)
            )
        return out
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _crd(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]
    return {
        "group": spec["group"],
        "names": spec["names"],
        "scope": spec["scope"],
        "versions": [
            {
                "name": v["name"],
                "served": v["served"],
                "storage": v["storage"],
                "schema": _strip(v["schema"]["openAPIV3Schema"]),
                "additionalPrinterColumns": [
                    {k: c[k] for k in c if k != "description"}
                    for c in v.get("additionalPrinterColumns", [])
                ],
                "subresources": v.get("subresources", {}),
            }
            for v in spec["versions"]
        ],
    }


def main(dirs: list[str]) -> None:
    crds = []
    for d in dirs:
        for path in sorted(Path(d).glob("*.yaml")):
            for doc in yaml.safe_load_all(path.read_text()):
                if doc and doc.get("kind") == "CustomResourceDefinition":
                    crds.append(_crd(doc))
    crds.sort(key=lambda c: (c["group"], c["names"]["plural"]))
    OUT.write_text(json.dumps({"crds": crds}, indent=None, sort_keys=True) + "\n")
    print(f"{OUT}: {len(crds)} CRDs, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])

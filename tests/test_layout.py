"""The package layout is part of the design: small modules, data planes in their own
packages on shared bases (see ARCHITECTURE.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "awsgw"
MAX_LINES = 450


def test_no_module_is_over_450_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in ROOT.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_aws_providers_are_data_plane_packages_on_shared_bases() -> None:
    aws = ROOT / "providers" / "aws"
    modules = sorted(p.name for p in aws.glob("*.py"))
    assert modules == ["__init__.py"], "every AWS module lives in a data plane or a shared base"
    planes = sorted(p.name for p in aws.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert {"common", "elbv2", "alb", "lattice"} <= set(planes)
    for plane in planes:
        if plane != "common":
            assert (aws / plane / "plan").is_dir(), f"{plane}: its pure planning is plan/"

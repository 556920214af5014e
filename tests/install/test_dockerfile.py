"""The Dockerfile, read as text (no Docker engine here): multi-stage, a pinned base tag, runtime
dependencies only, a non-root user the chart agrees with, ``awsgw run`` as entrypoint."""

from __future__ import annotations

import json
import re
import tomllib

from tests.install.chart import ROOT, of_kind, render

DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n\s*", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def instructions(name: str) -> list[str]:
    return [i.split(None, 1)[1] for i in INSTRUCTIONS if i.split(None, 1)[0] == name]


def test_base_image_is_a_pinned_python_311_slim_tag_in_every_stage() -> None:
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.M)
    assert base is not None
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", base[1]), base[1]
    stages = instructions("FROM")
    assert len(stages) == 2 and all(s.startswith("${PYTHON_IMAGE}") for s in stages)


def test_only_runtime_dependencies_are_installed() -> None:
    runs = " ".join(instructions("RUN"))
    installs = [i.strip() for i in re.findall(r"pip install ([^&]+)", runs)]
    assert installs == ["-c constraints.txt ."], installs
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("moto") for d in project["dependencies"])
    copied = " ".join(instructions("COPY"))
    assert "tests" not in copied and "--from=build /opt/awsgw /opt/awsgw" in copied


def test_runs_as_the_non_root_user_the_chart_expects() -> None:
    (user,) = instructions("USER")
    uid, _, gid = user.partition(":")
    pod = of_kind(render({"clusterName": "x"}), "Deployment")[0]["spec"]["template"]["spec"]
    assert int(uid) == pod["securityContext"]["runAsUser"] != 0
    assert int(gid) == pod["securityContext"]["runAsGroup"]


def test_entrypoint_is_awsgw_run_and_the_metrics_port_is_exposed() -> None:
    (entrypoint,) = instructions("ENTRYPOINT")
    assert json.loads(entrypoint) == ["awsgw", "run"]
    assert instructions("EXPOSE") == ["8080"]

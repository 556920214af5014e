"""Session-wide permission checks: what awsgw really did during the whole test run, against
iam/policy.json and the chart's RBAC.

- AWS: every logical AWS call made through an awsgw ``Aws`` session, in this process and in
  every ``awsgw`` subprocess, is appended to one file (``RECORD_AWSGW_AWS_CALLS``, honoured
  by awsgw/providers/aws/session.py). Calls made by test code through such a session are
  left out by their calling module.
- Kubernetes: every request ``awsgw run`` (told apart by its User-Agent) sent to a FakeKube
  is collected when that FakeKube closes.

At the end of the session a call or request the policy or the RBAC does not allow fails the
run; when every test ran and passed, so does a permission nothing used.
"""

from __future__ import annotations

import os
import re
import tempfile
import weakref
from pathlib import Path
from typing import Any

import pytest

from awsgw.providers.aws.common.session import RECORD_CALLS_ENV
from awsgw.testing.fakekube import FakeKube, RequestRecord

CALL_LINE = re.compile(r"^(?P<service>[a-z0-9-]+):(?P<operation>[A-Za-z0-9]+) (?P<caller>\S+)$")
NOT_THE_CONTROLLER = (
    "awsgw.testing",
    "awsgw.embedded",
    "awsgw.explain",
    "awsgw.providers.aws.alb.evaluate",
    "awsgw.providers.aws.lattice.evaluate",
    "awsgw.providers.aws.nlb.evaluate",
)
"""awsgw modules whose AWS calls the deployed controller never makes (test aids, the
embedded AWS, and the request evaluators: ALB's and NLB's behind ``awsgw explain``, VPC
Lattice's a test aid)."""


def controller_operations(lines: list[str]) -> set[str]:
    """``service:Operation`` (IAM prefixes) of the recorded calls made by controller code."""
    from tests.install.iam import operation_name

    found = set()
    for line in lines:
        m = CALL_LINE.match(line.strip())
        if m is None:  # a line cut short by a killed process
            continue
        caller = m["caller"]
        if caller.startswith("awsgw.") and not caller.startswith(NOT_THE_CONTROLLER):
            found.add(operation_name(m["service"], m["operation"]))
    return found


class PermissionChecks:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.calls_file: Path | None = None
        self.kube_requests: list[RequestRecord] = []
        self.deselected = 0
        self.ran = 0
        self.problems: list[str] = []
        self.summary = ""
        self._harvested: weakref.WeakSet[FakeKube] = weakref.WeakSet()
        self._patch = pytest.MonkeyPatch()

    # ------------------------------------------------------------------ recording
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        fd, name = tempfile.mkstemp(prefix="awsgw-aws-calls-", suffix=".txt")
        os.close(fd)
        self.calls_file = Path(name)
        self._patch.setenv(RECORD_CALLS_ENV, name)
        original = FakeKube.close
        checks = self

        def close(kube: FakeKube) -> None:
            if kube not in checks._harvested:
                checks._harvested.add(kube)
                from tests.install.chart import controller_requests

                checks.kube_requests += controller_requests(kube.requests)
            original(kube)

        self._patch.setattr(FakeKube, "close", close)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self.ran += 1

    def _complete_run(self, session: pytest.Session, exitstatus: int) -> bool:
        """Every test of the suite ran, and passed: only then is an unused permission news."""
        opt = self.config.option
        tests = (Path(str(self.config.rootpath)) / "tests").resolve()
        args = [Path(a.split("::")[0]).resolve() for a in self.config.args]
        return (
            exitstatus == 0
            and not self.deselected
            and not getattr(opt, "keyword", "")
            and not getattr(opt, "markexpr", "")
            and not getattr(opt, "lf", False)
            and all(a in (tests, tests.parent) for a in args)
            and session.testscollected > 0
            and self.ran == session.testscollected  # not --collect-only, not stopped early
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._patch.undo()
        if self.calls_file is None:
            return
        lines = self.calls_file.read_text().splitlines()
        self.calls_file.unlink(missing_ok=True)
        if exitstatus not in (0, 1):  # interrupted, internal error, usage error, no tests
            return
        complete = self._complete_run(session, exitstatus)
        operations = controller_operations(lines)
        try:
            self.problems = self._check(operations, complete)
        except Exception as exc:  # the checks must not hide behind an internal error
            self.problems = [f"the permission checks could not run: {exc!r}"]
        self.summary = (
            f"awsgw permissions: {len(operations)} AWS operations and "
            f"{len(self.kube_requests)} Kubernetes requests of the controller checked"
            + (", unused permissions too (complete run)" if complete else "")
        )
        if self.problems:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _check(self, operations: set[str], complete: bool) -> list[str]:
        from tests.install.chart import bound_rules, check_rbac, render
        from tests.install.iam import check_operations, load_policy

        problems = check_operations(load_policy(), operations, complete)
        if self.kube_requests or complete:
            # the sharded e2e run (tests/e2e/test_shards.py) takes the Leases of 6 shards
            docs = render({"clusterName": "e2e", "leaderElection": {"shards": 6}})
            sa = next(d for d in docs if d["kind"] == "ServiceAccount")["metadata"]["name"]
            problems += check_rbac(bound_rules(docs, sa), self.kube_requests, complete)
        return problems

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.problems:
            if self.summary:
                terminalreporter.write_line(self.summary)
            return
        terminalreporter.section("awsgw permissions (iam/policy.json, chart RBAC)", red=True)
        for problem in self.problems:
            terminalreporter.write_line(f"FAILED {problem}", red=True)

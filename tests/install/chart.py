"""The Helm chart as the tests see it: rendered offline with the Helm SDK (PyPI
``helm-python-sdk``, no helm binary), and the RBAC it grants, evaluated the way the API
server's RBAC authorizer does for the requests FakeKube recorded."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from awsgw import __version__
from awsgw.testing.fakekube import RequestRecord

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "awsgw"
NAMESPACE = "kube-system"
"""Where the RBAC checks install the chart: the e2e controllers keep their Lease there."""
RELEASE = "awsgw"
CONTROLLER_AGENT = re.compile(rf"^awsgw/{re.escape(__version__)} \(.+\)$")
"""The User-Agent of ``awsgw run`` (``awsgw/<version> (<identity>)``)."""
DISCOVERY = ("/version", "/api", "/apis", "/healthz", "/livez", "/readyz")
"""Non-resource paths every authenticated user may GET (system:discovery and
system:public-info-viewer)."""


@lru_cache(maxsize=32)
def _render(values_json: str, namespace: str, name: str) -> tuple[tuple[str, str], ...]:
    import helm_python as helm

    with helm.Chart.load(CHART) as chart:
        out = chart.render(json.loads(values_json), name=name, namespace=namespace)
    return tuple(sorted(out.items()))


def render_files(
    values: Mapping[str, Any], namespace: str = NAMESPACE, name: str = RELEASE
) -> dict[str, str]:
    """Template path → rendered text (NOTES.txt included)."""
    return dict(_render(json.dumps(values, sort_keys=True), namespace, name))


def render(
    values: Mapping[str, Any], namespace: str = NAMESPACE, name: str = RELEASE
) -> list[dict[str, Any]]:
    """The manifests a ``helm install`` with these values would apply."""
    docs = []
    for path, text in render_files(values, namespace, name).items():
        if not path.endswith(".txt"):
            docs += [copy.deepcopy(d) for d in yaml.safe_load_all(text) if d]
    return docs


def of_kind(docs: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d.get("kind") == kind]


# ---------------------------------------------------------------------------- RBAC
@dataclass(frozen=True)
class Rule:
    """One PolicyRule, with where it applies: ``namespace`` "" for a ClusterRole bound by a
    ClusterRoleBinding (every namespace and cluster-scoped resources)."""

    role: str
    index: int
    namespace: str
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    resource_names: tuple[str, ...] = ()

    def grants(self, r: RequestRecord) -> bool:
        if self.namespace and r.namespace != self.namespace:
            return False
        resource = f"{r.resource}/{r.subresource}" if r.subresource else r.resource
        if self.resource_names and (not r.name or r.name not in self.resource_names):
            return False  # a create, list or watch has no name resourceNames could allow
        return (
            ("*" in self.api_groups or r.group in self.api_groups)
            and ("*" in self.resources or resource in self.resources)
            and ("*" in self.verbs or r.verb in self.verbs)
        )

    def grants_each(self) -> list[tuple[str, str, str]]:
        """Every (apiGroup, resource, verb) this rule grants: each must be used."""
        return [(g, res, v) for g in self.api_groups for res in self.resources for v in self.verbs]

    def __str__(self) -> str:
        where = f"Role in {self.namespace}" if self.namespace else "ClusterRole"
        return f"{where} {self.role} rule #{self.index}"


def bound_rules(
    docs: Iterable[dict[str, Any]], service_account: str, namespace: str = NAMESPACE
) -> list[Rule]:
    """The rules the chart's bindings give this service account."""
    docs = list(docs)
    subject = {"kind": "ServiceAccount", "name": service_account, "namespace": namespace}

    def binds(binding: dict[str, Any]) -> bool:
        return any({k: s.get(k) for k in subject} == subject for s in binding.get("subjects") or [])

    roles = {(d["kind"], d["metadata"]["name"]): d for d in docs if d["kind"].endswith("Role")}
    rules = []
    for binding in docs:
        if binding["kind"] not in ("ClusterRoleBinding", "RoleBinding") or not binds(binding):
            continue
        ref = binding["roleRef"]
        role = roles[(ref["kind"], ref["name"])]
        scope = binding["metadata"].get("namespace", "") if binding["kind"] == "RoleBinding" else ""
        for i, r in enumerate(role.get("rules") or []):
            rules.append(
                Rule(
                    role["metadata"]["name"],
                    i,
                    scope,
                    tuple(r.get("apiGroups") or ()),
                    tuple(r.get("resources") or ()),
                    tuple(r.get("verbs") or ()),
                    tuple(r.get("resourceNames") or ()),
                )
            )
    return rules


def describe(r: RequestRecord) -> str:
    resource = f"{r.resource}/{r.subresource}" if r.subresource else r.resource
    group = r.group or "core"
    where = f" in {r.namespace}" if r.namespace else ""
    name = f" {r.name}" if r.name else ""
    return f"{r.verb} {group} {resource}{name}{where} ({r.method} {r.path.split('?')[0]})"


def controller_requests(records: Iterable[RequestRecord]) -> list[RequestRecord]:
    return [r for r in records if CONTROLLER_AGENT.match(r.user_agent)]


def check_rbac(rules: list[Rule], records: Iterable[RequestRecord], all_ran: bool) -> list[str]:
    """Problems: a request of the controller no rule allows; on a complete run, a verb on a
    resource some rule grants that no request used."""
    problems = []
    used: set[tuple[Rule, str, str, str]] = set()
    denied: dict[str, int] = {}
    for r in records:
        if not r.resource:  # a non-resource URL
            if not (r.verb == "get" and r.path.split("?")[0].rstrip("/") in DISCOVERY):
                denied[f"{r.method} {r.path}"] = denied.get(f"{r.method} {r.path}", 0) + 1
            continue
        granting = [rule for rule in rules if rule.grants(r)]
        if not granting:
            denied[describe(r)] = denied.get(describe(r), 0) + 1
        resource = f"{r.resource}/{r.subresource}" if r.subresource else r.resource
        for rule in granting:
            used.add((rule, r.group, resource, r.verb))
    problems += [
        f"RBAC denies the controller's {what} (x{n})" for what, n in sorted(denied.items())
    ]
    if all_ran:
        for rule in rules:
            for group, resource, verb in rule.grants_each():
                if not any(
                    u[0] == rule
                    and (group == "*" or u[1] == group)
                    and (resource == "*" or u[2] == resource)
                    and (verb == "*" or u[3] == verb)
                    for u in used
                ):
                    problems.append(
                        f"{rule} grants {verb} on {group or 'core'} {resource}, which the "
                        "controller never used"
                    )
    return problems

"""Fuzzing the path manifests → parse → attach → model → plan → statuses (GatewayClasses,
Gateways, ListenerSets, Routes) with a seeded mutator over the upstream v1.6.1 conformance
manifests (GRPCRoutes and ListenerSets among them): every case either is refused with a
``ManifestError`` naming its document, or goes through every pure stage without an
exception. Set ``AWSGW_FUZZ_CASES`` for a longer run (CI runs the default)."""

from __future__ import annotations

import copy
import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from awsgw.core.attach import attach
from awsgw.core.status import class_statuses, gateway_status, listener_set_status, route_status
from awsgw.core.store import Store
from awsgw.core.translate import build_model
from awsgw.core.verdicts import judge
from awsgw.manifests import ManifestError, parse_document
from awsgw.objects import KubeObject
from awsgw.providers.aws.alb.capabilities import CONTROLLER as ALB_CONTROLLER
from awsgw.providers.aws.alb.plan.compile import compile_alb
from awsgw.providers.aws.lattice.capabilities import CONTROLLER as LATTICE_CONTROLLER
from awsgw.providers.aws.lattice.plan.compile import compile_lattice
from awsgw.providers.registry import CATALOG
from awsgw.reconcilers.gateways import parse_time, reconcile_all
from tests.conformance.harness import CONFORMANCE

CASES = int(os.environ.get("AWSGW_FUZZ_CASES", "3000"))
NOW = "2026-06-01T00:00:00Z"
CLASSES = [
    {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": {"name": name},
        "spec": {"controllerName": controller},
    }
    for name, controller in (
        ("gateway-conformance", ALB_CONTROLLER),
        ("lattice", LATTICE_CONTROLLER),
    )
]
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    70000,
    2**63,
    1.5,
    True,
    "",
    "*",
    "*.",
    "a" * 300,
    "Ω.example.com",
    "/../..",
    "${x}",
    [],
    [None],
    {},
    {"name": None},
    "RegularExpression",
    "Exact",
    "PathPrefix",
    "HTTPS",
    "TLS",
    "UDP",
]


def _documents(path: Path) -> list[dict[str, Any]]:
    text = path.read_text().replace("{GATEWAY_CLASS_NAME}", "gateway-conformance")
    return [
        doc
        for doc in yaml.safe_load_all(text)
        if isinstance(doc, dict) and doc.get("kind") not in ("Deployment", "Pod")
    ]


def corpus() -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The upstream base manifests (namespaces, Services, ...) and each conformance test's
    manifest file, as the documents awsgw reads."""
    base = _documents(CONFORMANCE / "base" / "manifests.yaml")
    files = [_documents(p) for p in sorted(CONFORMANCE.glob("tests/*.yaml"))]
    return base, [f for f in files if f]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


STATUSES: list[Any] = [
    "ready",
    [],
    {"conditions": "none"},
    {"conditions": [None, 3, {"type": None}]},
    {"parents": [None, "x", {"parentRef": "web"}, {"parentRef": {"name": 1}, "conditions": 5}]},
    {"listeners": [None, {"name": None, "conditions": {}}]},
    {"parents": {"controllerName": "awsgw.io/alb"}},
]
"""``status`` a previous writer (any writer) may have left on an object."""


def mutate(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy with one to four random changes: a value replaced by an odd one, a key
    dropped, a list item duplicated, or a subtree moved elsewhere; sometimes an odd
    ``status`` as well."""
    doc = copy.deepcopy(doc)
    if rng.random() < 0.3:
        doc["status"] = copy.deepcopy(rng.choice(STATUSES))
    for _ in range(rng.randint(1, 4)):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = rng.random()
        if action < 0.5:
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action < 0.7 and isinstance(parent, dict):
            del parent[key]
        elif action < 0.85 and isinstance(parent[key], list) and parent[key]:
            parent[key].append(copy.deepcopy(rng.choice(parent[key])))
        else:
            donor = rng.choice(paths)
            value: Any = doc
            for part in donor:
                value = value[part]
            parent[key] = copy.deepcopy(value)
    return doc


def pipeline(docs: list[dict[str, Any]]) -> int:
    """Run every pure stage; the number of documents refused."""
    objects: list[KubeObject] = []
    refused = 0
    for i, doc in enumerate(docs):
        where = f"case document {i + 1}"
        try:
            obj = parse_document(doc, where)
        except ManifestError as exc:
            assert str(exc).startswith(where), exc
            refused += 1
            continue
        if obj is not None:
            obj._order = i
            objects.append(obj)
    store = Store.of(objects)
    attachment = attach(store, CATALOG, parse_time(NOW))
    models = {
        key: build_model(gws, attachment, store)
        for key, gws in attachment.gateways.items()
        if gws.accepted[0]
    }
    lattice = {}
    specs = []
    for key, model in models.items():
        if attachment.gateways[key].controller == LATTICE_CONTROLLER:
            lattice[key] = model
        else:
            specs.append(compile_alb(model, "fuzz"))
    problems = [p for spec in specs for p in spec.findings]
    problems += compile_lattice(lattice, "fuzz", {}).findings
    judgement = judge(attachment, problems)
    class_statuses(attachment, NOW)
    for key, gws in attachment.gateways.items():
        gateway_status(gws, judgement.attached_routes(key), None, NOW)
        for listener_set in gws.sets:
            listener_set_status(listener_set, gws, judgement.attached_routes(key), None, NOW)
    controllers = {ALB_CONTROLLER, LATTICE_CONTROLLER}
    for route in store.routes():
        route_status(route, judgement.parents.get(route.ref, []), controllers, NOW)
    reconcile_all(store, {}, NOW)  # the pass around the stages, with no cloud behind it
    return refused


Corpus = tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]


@pytest.fixture(scope="module")
def documents() -> Corpus:
    base, files = corpus()
    assert len(files) > 100, "the upstream conformance manifests are missing"
    return base, files


def test_the_unmutated_corpus_goes_through_every_stage(documents: Corpus) -> None:
    base, files = documents
    for docs in files:
        assert pipeline(CLASSES + base + docs) == 0


def test_mutated_manifests_never_crash_and_every_refusal_names_its_document(
    documents: Corpus,
) -> None:
    """A case: one test's manifests with one to three of its documents mutated, beside the
    base manifests (a mutated one now and then)."""
    base, files = documents
    rng = random.Random(20261201)
    refused = 0
    for case in range(CASES):
        docs = [*base, *rng.choice(files)]
        for i in rng.sample(range(len(docs)), min(len(docs), rng.randint(1, 3))):
            if i >= len(base) or rng.random() < 0.1:
                docs[i] = mutate(docs[i], rng)
        try:
            refused += pipeline(CLASSES + docs)
        except Exception as exc:  # the failure report: the case that crashed
            raise AssertionError(f"case {case} crashed: {exc!r}\n{yaml.safe_dump(docs)}") from exc
    assert refused > CASES // 10, "the mutator should produce refusals too"


def test_the_corpus_path_is_the_upstream_one() -> None:
    assert Path(CONFORMANCE).name == "conformance" and CONFORMANCE.exists()


CONFIGURED = [
    {"apiVersion": "awsgw.io/v1alpha1", "kind": "LoadBalancerConfiguration",
     "metadata": {"name": "prod", "namespace": "gateway-conformance-infra"},
     "spec": {"scheme": "internet-facing", "ipAddressType": "dualstack",
              "subnets": {"tags": {"tier": "public"}},
              "securityGroups": ["sg-0123456789abcdef0"],
              "attributes": {"idle_timeout.timeout_seconds": "120",
                             "access_logs.s3.enabled": "true", "access_logs.s3.bucket": "b"},
              "tags": {"team": "shop"}, "shieldAdvanced": True,
              "wafv2WebACLArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/1",
              "listeners": [{"port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}]}},
    {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
     "metadata": {"name": "configured", "namespace": "gateway-conformance-infra"},
     "spec": {"gatewayClassName": "gateway-conformance",
              "infrastructure": {"parametersRef": {"group": "awsgw.io",
                                                   "kind": "LoadBalancerConfiguration",
                                                   "name": "prod"}},
              "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"},
                            {"name": "https", "port": 443, "protocol": "HTTPS",
                             "tls": {"options": {"awsgw.io/certificate-discovery": "true"}}}]}},
]  # fmt: skip
"""A Gateway with a configuration setting every field (the mutator's seed)."""


def test_mutated_configurations_never_crash(documents: Corpus) -> None:
    """The configuration or its Gateway mutated: refused with the document named, or the
    Gateway Accepted or InvalidParameters, never an exception."""
    base, _ = documents
    assert pipeline(CLASSES + base + CONFIGURED) == 0
    rng = random.Random(20261202)
    for case in range(CASES // 3):
        docs = [mutate(d, rng) if rng.random() < 0.8 else d for d in CONFIGURED]
        try:
            pipeline(CLASSES + base + docs)
        except Exception as exc:
            raise AssertionError(f"case {case} crashed: {exc!r}\n{yaml.safe_dump(docs)}") from exc

"""The worker's Kubernetes lifecycle around a reconcile, with an in-memory API and a fake
provider: finalizer first, statuses only when changed, Events without floods, deletion in
order, hands off what is not ours or cannot be read."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import pytest
import yaml

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason
from awsgw.core.findings import (
    Announcement,
    Failure,
    GatewayObservation,
    ProblemKind,
    RouteNote,
    RuleProblem,
)
from awsgw.kube.api import KubeApi, NotLeader
from awsgw.kube.cache import Cache
from awsgw.kube.events import EventRecorder
from awsgw.kube.mapping import CLASSES, FULL
from awsgw.kube.resources import BY_KIND, EVENTS, GATEWAYS, HTTP_ROUTES
from awsgw.kube.worker import GatewayWorker, Outcome
from awsgw.kube.writes import FINALIZER, Writer
from awsgw.objects import RouteRef
from awsgw.providers.aws.alb.capabilities import ALB
from awsgw.providers.aws.alb.capabilities import CONTROLLER as ALB_CONTROLLER
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.lattice.capabilities import CONTROLLER as LATTICE_CONTROLLER
from awsgw.providers.base import DataPlane, PassScope, Plan
from tests.clock import Clock
from tests.conftest import MotoVpc
from tests.kube.fakes import MemoryApi
from tests.support import GATEWAY_CLASS, service

WORLD = (
    GATEWAY_CLASS
    + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop, uid: gw-1}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: store, port: 80}]
  - backendRefs: [{name: store, port: 80}]
"""
    + service("shop", "store", 80, ["10.0.0.1"])
)


STORE = RouteRef("HTTPRoute", "shop/store")
FakePlan = Plan[str, None]


class FakeProvider(DataPlane[str, None]):
    """Records calls; sees the API so it can tell whether the finalizer was there first."""

    def __init__(self, api: MemoryApi, controller: str = ALB_CONTROLLER) -> None:
        self.api = api
        self.row = replace(ALB, controller=controller)
        self.calls: list[tuple[Any, ...]] = []
        self.have: set[str] = set()
        self.fail: str | None = None
        self.fail_delete = False
        self.fail_owned = False
        self.fail_collect = False
        self.state = "active"
        self.problem: str | None = None
        self.problem_kind = ProblemKind.UNSUPPORTED
        self.notes: tuple[RouteNote, ...] = ()

    @property
    def capabilities(self) -> Capabilities:
        return self.row

    def read(self, scope: PassScope) -> list[Failure]:
        return []

    def plan(self, scope: PassScope) -> FakePlan:
        found = tuple(
            RuleProblem(key, STORE, 1, self.problem, self.problem_kind)
            for key in scope.gateways
            if self.problem
        )
        return Plan({key: key for key in scope.gateways}, None, found)

    def apply_shared(self, plan: FakePlan) -> list[Failure]:
        return []

    def apply(self, key: str, plan: FakePlan) -> GatewayObservation:
        ns, _, name = key.partition("/")
        doc = self.api.get(GATEWAYS, ns, name) or {}
        self.calls.append(("ensure", key, tuple(doc["metadata"].get("finalizers") or ())))
        if self.fail:
            failure = Failure(f"AWS error: {self.fail}", gateway=key, quota="TooMany" in self.fail)
            return GatewayObservation(key, False, Reason.PENDING, failure.message, failure=failure)
        self.have.add(key)
        if self.state != "active":
            message = "load balancer is provisioning"
            return GatewayObservation(key, False, Reason.PENDING, message)
        if self.notes:  # VPC Lattice: no address, a DNS name per Route
            message = "network joined"
            return GatewayObservation(key, True, Reason.PROGRAMMED, message, routes=self.notes)
        address = "web-1.elb.amazonaws.com"
        return GatewayObservation(key, True, Reason.PROGRAMMED, "active", address)

    def delete(self, key: str, plan: FakePlan) -> None:
        self.calls.append(("delete", key))
        if self.fail_delete:
            raise RuntimeError("DependencyViolation")
        self.have.discard(key)

    def owned(self) -> set[str]:
        if self.fail_owned:
            raise RuntimeError("InternalError: DescribeSecurityGroups")
        return set(self.have)

    def collect(self, plan: FakePlan) -> None:
        self.calls.append(("finish",))
        if self.fail_collect:
            raise RuntimeError("Throttling: ListCertificates")


class World:
    def __init__(self, text: str = WORLD, controller: str = ALB_CONTROLLER) -> None:
        self.api = MemoryApi()
        self.cache = Cache()
        for doc in yaml.safe_load_all(text):
            if doc:
                self.load(doc)
        self.provider = FakeProvider(self.api, controller)
        self.later: list[tuple[str, float]] = []
        recorder = EventRecorder(cast(KubeApi, self.api), ALB_CONTROLLER, "me", 600, Clock())
        self.worker = GatewayWorker(
            self.cache,
            Writer(cast(KubeApi, self.api), self.cache),
            recorder,
            lambda: {controller: self.provider},
            lambda key, delay: self.later.append((key, delay)),
            requeue_pending=15.0,
            now=lambda: "2026-01-01T00:00:00Z",
        )

    def load(self, doc: dict[str, Any]) -> None:
        resource = BY_KIND[doc["kind"]]
        self.cache.upsert(resource, self.api.put(resource, doc))

    def gateway(self) -> dict[str, Any] | None:
        return self.api.get(GATEWAYS, "shop", "web")

    def events(self) -> list[tuple[str, str]]:
        return [
            (e["type"], e["reason"]) for k, e in self.api.objects.items() if k[0] == EVENTS.plural
        ]

    def mark_deleted(self) -> None:
        doc = self.gateway()
        assert doc is not None
        doc["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        self.load(doc)


def test_finalizer_first_then_aws_then_statuses_and_a_programmed_event() -> None:
    w = World()
    assert w.worker.process("shop/web") == Outcome()
    assert w.provider.calls == [("ensure", "shop/web", (FINALIZER,))]
    assert w.api.writes[0] == ("patch", "gateways", "web")
    assert {(verb, res, name.split(".")[0]) for verb, res, name in w.api.writes[1:]} == {
        ("patch", "gateways", "web/status"),
        ("patch", "httproutes", "store/status"),
        ("patch", "gatewayclasses", "alb/status"),
        ("create", "events", "web"),
    }
    gw = w.gateway()
    assert gw is not None and gw["status"]["addresses"][0]["value"].endswith("amazonaws.com")
    assert w.events() == [("Normal", "Programmed")]


def test_a_second_pass_with_nothing_changed_writes_nothing() -> None:
    w = World()
    w.worker.process("shop/web")
    writes = list(w.api.writes)
    assert w.worker.process("shop/web") == Outcome()
    assert w.api.writes == writes


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("Throttling: Rate exceeded", "AWSError"),
        ("An error occurred (RequestLimitExceeded): Request limit exceeded.", "AWSError"),
        ("TooManyLoadBalancers", "QuotaExceeded"),
    ],
)
def test_aws_failures_retry_with_one_warning(error: str, reason: str) -> None:
    w = World()
    w.provider.fail = error
    for _ in range(5):
        assert w.worker.process("shop/web") == Outcome(retry=True)
    assert w.events() == [("Warning", reason)]
    gw = w.gateway()
    assert gw is not None
    programmed = [c for c in gw["status"]["conditions"] if c["type"] == "Programmed"][0]
    assert programmed["status"] == "False" and error in programmed["message"]


def test_rules_past_a_quota_warn_on_the_gateway() -> None:
    w = World()
    w.provider.problem = "port 80 needs 120 ALB rules; the listener quota is 100"
    w.provider.problem_kind = ProblemKind.QUOTA
    w.worker.process("shop/web")
    assert ("Warning", "QuotaExceeded") in w.events()


def test_a_provisioning_load_balancer_is_looked_at_again() -> None:
    w = World()
    w.provider.state = "provisioning"
    assert w.worker.process("shop/web") == Outcome(after=15.0)


@pytest.mark.parametrize("failing", ["fail_delete", "fail_owned"])
def test_deletion_deletes_aws_first_then_the_finalizer(failing: str) -> None:
    w = World()
    w.worker.process("shop/web")
    w.mark_deleted()
    setattr(w.provider, failing, True)
    assert w.worker.process("shop/web") == Outcome(retry=True)
    gw = w.gateway()
    assert gw is not None and FINALIZER in gw["metadata"]["finalizers"], "kept while AWS remains"
    assert ("Warning", "AWSError") in w.events()
    setattr(w.provider, failing, False)
    assert w.worker.process("shop/web") == Outcome()
    assert w.gateway() is None, "finalizer removed: the API deleted the object"
    assert w.provider.calls[-1] == ("delete", "shop/web")
    assert ("Normal", "Deleted") in w.events()


def test_gateways_of_other_controllers_are_left_alone() -> None:
    w = World(WORLD.replace("gatewayClassName: alb", "gatewayClassName: other"))
    assert w.worker.process("shop/web") == Outcome()
    assert w.provider.calls == [] and w.api.writes == []


def test_an_unreadable_gateway_leaves_aws_as_it_is() -> None:
    w = World()
    w.worker.process("shop/web")
    calls = len(w.provider.calls)
    doc = w.gateway()
    assert doc is not None
    doc["spec"]["listeners"][0]["port"] = 70000
    w.load(doc)
    assert w.worker.process("shop/web") == Outcome()
    assert w.worker.process(FULL) == Outcome()
    assert len(w.provider.calls) == calls, "neither ensured nor taken for deleted"
    assert ("shop/web", 0) in w.later, "the full pass queues readable Gateways one by one"


def test_full_pass_adds_finalizers_first_and_collects_garbage() -> None:
    w = World()
    w.provider.have = {"gone/gw"}
    assert w.worker.process(FULL) == Outcome()
    assert w.provider.calls == [
        ("ensure", "shop/web", (FINALIZER,)),
        ("delete", "gone/gw"),
        ("finish",),
    ]


@pytest.mark.parametrize("failing", ["fail_owned", "fail_collect"])
def test_a_cloud_error_while_collecting_garbage_keeps_the_statuses_and_retries(
    failing: str,
) -> None:
    w = World()
    w.provider.have = {"gone/gw"}
    setattr(w.provider, failing, True)
    assert w.worker.process(FULL) == Outcome(retry=True)
    gw = w.gateway()
    assert gw is not None
    programmed = [c for c in gw["status"]["conditions"] if c["type"] == "Programmed"][0]
    assert programmed["status"] == "True", "the pass's statuses are written all the same"
    setattr(w.provider, failing, False)
    assert w.worker.process(FULL) == Outcome()
    assert w.provider.have == {"shop/web"}, "gone/gw is deleted once AWS answers"


def test_class_statuses_need_no_aws() -> None:
    w = World()
    assert w.worker.process(CLASSES) == Outcome()
    assert w.provider.calls == []
    assert w.api.writes == [("patch", "gatewayclasses", "alb/status")]


def test_aws_writes_are_refused_unless_leading(aws_env: MotoVpc) -> None:
    from awsgw.kube.api import NotLeader

    aws = Aws.create(max_attempts=1)
    ec2 = aws.client("ec2")  # created before the guard: it must be guarded too
    leading = {"now": False}
    aws.guard_writes(lambda: leading["now"], lambda op: NotLeader(f"not the leader: {op}"))
    ec2.describe_vpcs()
    with pytest.raises(NotLeader):
        ec2.create_vpc(CidrBlock="10.1.0.0/16")
    with pytest.raises(NotLeader):
        aws.client("elbv2").delete_load_balancer(LoadBalancerArn="arn:x")
    leading["now"] = True
    ec2.create_vpc(CidrBlock="10.1.0.0/16")
    assert ("ec2", "CreateVpc") in aws.counter.calls
    assert aws.counter.calls[("ec2", "CreateVpc")] == 1, "refused calls are not counted"


def test_an_unreadable_gateway_being_deleted_is_still_cleaned_up() -> None:
    w = World()
    w.worker.process("shop/web")
    doc = w.gateway()
    assert doc is not None
    doc["spec"]["listeners"][0]["port"] = 70000
    doc["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    w.load(doc)
    assert w.worker.process("shop/web") == Outcome()
    assert w.provider.calls[-1] == ("delete", "shop/web")
    assert w.gateway() is None, "finalizer removed from the raw document"


DNS = "awsgw.io/lattice-dns"
LATTICE_WORLD = WORLD.replace("controllerName: awsgw.io/alb", "controllerName: awsgw.io/lattice")


def announced(dns: str) -> Announcement:
    return Announcement(DNS, "LatticeService", f"VPC Lattice service DNS name {dns}")


def lattice_world(dns: str = "store-shop-1.7d67968.vpc-lattice-svcs.us-east-1.on.aws") -> World:
    w = World(LATTICE_WORLD, controller=LATTICE_CONTROLLER)
    w.provider.notes = (RouteNote(STORE, f"VPC Lattice service at {dns}", ((DNS, dns),),
                                  announced(dns)),)  # fmt: skip
    return w


def test_a_lattice_gateway_gets_the_finalizer_and_its_routes_their_dns_name_once() -> None:
    w = lattice_world()
    assert w.worker.process("shop/web") == Outcome()
    assert w.provider.calls == [("ensure", "shop/web", (FINALIZER,))]
    route = w.api.get(HTTP_ROUTES, "shop", "store")
    assert route is not None
    assert route["metadata"]["annotations"] == {DNS: w.provider.notes[0].annotations[0][1]}
    assert ("patch", "httproutes", "store") in w.api.writes
    assert sorted(w.events()) == [("Normal", "LatticeService"), ("Normal", "Programmed")]
    note = next(e for k, e in w.api.objects.items() if k[0] == EVENTS.plural
                and e["reason"] == "LatticeService")  # fmt: skip
    assert "vpc-lattice-svcs" in note["note"] and note["regarding"]["kind"] == "HTTPRoute"
    assert note["reportingController"] == LATTICE_CONTROLLER
    writes = list(w.api.writes)
    assert w.worker.process("shop/web") == Outcome()
    assert w.worker.process(FULL) == Outcome()
    assert w.api.writes == writes, "nothing changed: no patch, no Event"


def test_a_new_dns_name_is_written_and_announced_again() -> None:
    w = lattice_world()
    w.worker.process("shop/web")
    w.provider.notes = (RouteNote(STORE, "moved", ((DNS, "new.on.aws"),), announced("new.on.aws")),)
    w.worker.process("shop/web")
    route = w.api.get(HTTP_ROUTES, "shop", "store")
    assert route is not None and route["metadata"]["annotations"][DNS] == "new.on.aws"
    assert w.events().count(("Normal", "LatticeService")) == 2


def test_annotations_are_written_by_the_leader_only() -> None:
    w = lattice_world()
    w.api.may_write = lambda: False
    with pytest.raises(NotLeader):
        w.worker.process("shop/web")
    route = w.api.get(HTTP_ROUTES, "shop", "store")
    assert route is not None and "annotations" not in route["metadata"]

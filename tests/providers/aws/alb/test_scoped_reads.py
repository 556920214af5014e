"""A pass over one Gateway reads that Gateway's ELBv2 resources only: its load balancer by
name, their target groups and tags, whatever else the account holds; it still sees and
repairs drift in them, and still sees a name another owner took."""

from __future__ import annotations

from typing import Any

from awsgw.core.store import Store
from awsgw.providers.aws.alb.capabilities import CONTROLLER
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.reconcilers.gateways import reconcile
from tests.conftest import MotoVpc
from tests.support import (
    GATEWAY_CLASS,
    NLB_CLASS,
    NOW,
    Harness,
    NlbHarness,
    condition,
    deny_get_resources,
    objects,
    service,
)


def world(gateways: int, routes: int = 2, first: int = 0) -> str:
    """``gateways`` ALB Gateways (from ``first`` on), each in its own namespace with
    ``routes`` HTTPRoutes."""
    docs = [GATEWAY_CLASS]
    for g in range(first, gateways):
        ns = f"team{g}"
        docs.append(f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: web, namespace: {ns}}}
spec:
  gatewayClassName: alb
  listeners: [{{name: http, port: 80, protocol: HTTP}}]
""")
        for r in range(routes):
            docs.append(f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: r{r}, namespace: {ns}}}
spec:
  parentRefs: [{{name: web}}]
  rules:
  - matches: [{{path: {{type: PathPrefix, value: /r{r}}}}}]
    backendRefs: [{{name: svc{r}, port: 80}}]
""")
            docs.append(service(ns, f"svc{r}", 80, [f"10.0.{g}.{r + 1}"]))
    return "".join(docs)


class Recorder:
    """Every ELBv2 call with its parameters, in order."""

    def __init__(self, client: Any) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register("provide-client-params.elastic-load-balancing-v2.*", self)

    def __call__(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        self.calls.append((event_name.rsplit(".", 1)[-1], dict(params)))

    def unscoped(self) -> list[tuple[str, dict[str, Any]]]:
        """Describe calls that would list the whole account."""
        return [
            (op, params)
            for op, params in self.calls
            if op in ("DescribeLoadBalancers", "DescribeTargetGroups")
            and not {"Names", "LoadBalancerArn", "TargetGroupArns", "LoadBalancerArns"}
            & set(params)
        ]


def test_a_pass_over_one_gateway_reads_the_same_whatever_else_the_account_holds(
    aws_env: MotoVpc,
) -> None:
    reads = {}
    for size in (2, 6):
        h = Harness(aws_env.cluster, aws_env.vpc_id)
        text = world(size)
        h.run(text)
        recorder = Recorder(h.elbv2)
        result = h.run(text, only="team0/web")
        assert not result.failed, result.failed
        assert h.aws.counter.writes == 0, h.aws.counter.write_calls()
        assert recorder.unscoped() == [], "no account-wide listing on a pass over one Gateway"
        reads[size] = h.aws.counter.reads
        gw = result.statuses[("Gateway", "team0/web")]
        assert condition(gw, "Programmed")["status"] == "True"
    assert reads[2] == reads[6], reads


def test_a_full_pass_still_reads_the_account_once(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(world(3))
    recorder = Recorder(h.elbv2)
    h.run(world(3))
    assert sorted(op for op, _ in recorder.unscoped()) == [
        "DescribeLoadBalancers",
        "DescribeTargetGroups",
    ]


def test_a_pass_over_one_gateway_repairs_drift_in_its_own_resources(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    text = world(2)
    h.run(text)
    lb_arn = h.lb("team1/web")["LoadBalancerArn"]
    listener = h.elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"][0]
    rules = h.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    h.elbv2.delete_rule(RuleArn=next(r["RuleArn"] for r in rules if not r["IsDefault"]))
    result = h.run(text, only="team1/web")
    assert not result.failed, result.failed
    assert h.aws.counter.write_calls() == {"elastic-load-balancing-v2:CreateRule": 1}
    assert h.send("team1/web", "any.example.com", "/r0").status == 200


def test_a_gateway_without_routes_has_a_load_balancer_without_target_groups(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    text = world(1, routes=0)
    h.run(text)
    result = h.run(text, only="team0/web")
    assert not result.failed, result.failed
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_a_target_group_name_another_owner_took_is_seen_on_a_pass_over_one_gateway(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    text = world(1, routes=0)
    h.run(text)
    h.run(world(1, routes=1))  # names its target group, then it is taken away
    name = h.elbv2.describe_target_groups()["TargetGroups"][0]["TargetGroupName"]
    h.run(text)
    h.run(text)  # the full pass collects the unused target group
    assert h.elbv2.describe_target_groups()["TargetGroups"] == []
    h.elbv2.create_target_group(
        Name=name, Protocol="HTTP", Port=8080, VpcId=aws_env.vpc_id, TargetType="ip"
    )
    result = h.run(world(1, routes=1), only="team0/web")
    programmed = condition(result.statuses[("Gateway", "team0/web")], "Programmed")
    assert programmed["status"] == "False"
    assert f"target group {name} exists and is not owned by this cluster" in programmed["message"]
    assert len(h.elbv2.describe_target_groups()["TargetGroups"]) == 1


def test_an_nlb_pass_over_one_gateway_reads_its_own_load_balancers(aws_env: MotoVpc) -> None:
    gateways = "".join(
        f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: edge, namespace: db{g}}}
spec:
  gatewayClassName: nlb
  listeners: [{{name: web, port: 80, protocol: HTTP}}, {{name: pg, port: 5432, protocol: TCP}}]
"""
        for g in range(3)
    )
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    h.run(NLB_CLASS + gateways)
    recorder = Recorder(h.elbv2)
    result = h.run(NLB_CLASS + gateways, only="db1/edge")
    assert not result.failed, result.failed
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()
    assert recorder.unscoped() == []
    named = [p["Names"] for op, p in recorder.calls if op == "DescribeLoadBalancers"]
    assert len(named) == 1 and len(named[0]) == 2, "the NLB and its chained ALB, by name"


def test_a_full_pass_of_one_replica_applies_and_reports_its_own_gateways(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    provider = AlbProvider(h.aws, aws_env.cluster, aws_env.vpc_id, wait_active=5)
    store = Store.of(objects(world(3)))
    result = reconcile(store, {CONTROLLER: provider}, NOW, owns="team1/web".__eq__)
    gateways = {key for kind, key in result.statuses if kind == "Gateway"}
    assert gateways == {"team1/web"}
    assert not any(kind == "GatewayClass" for kind, _ in result.statuses), "SHARED is not ours"
    assert {k for kind, k in result.statuses if kind == "HTTPRoute"} == {"team1/r0", "team1/r1"}
    names = [lb["LoadBalancerName"] for lb in h.elbv2.describe_load_balancers()["LoadBalancers"]]
    assert len(names) == 1
    h.lb("team1/web")


def test_deleting_a_gateway_on_a_pass_over_it_finds_target_groups_no_load_balancer_uses(
    aws_env: MotoVpc,
) -> None:
    """A delete that removed the load balancer and then failed leaves target groups that
    nothing uses: the next pass over the Gateway finds them by tag and deletes them before
    the Gateway's finalizer may go."""
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    kept = _load_balancer_deleted_midway(h)
    result = h.run(GATEWAY_CLASS, only="team0/web")
    assert not result.failed, result.failed
    assert result.deleted == ["team0/web"]
    left = {tg["TargetGroupArn"] for tg in h.elbv2.describe_target_groups()["TargetGroups"]}
    assert left == kept, "team0's target groups are gone, team1's stay"
    assert h.aws.counter.write_calls() == {
        "elastic-load-balancing-v2:DeleteTargetGroup": 2,
        "ec2:DeleteSecurityGroup": 1,
    }


def test_where_reading_by_tag_is_denied_the_full_pass_deletes_what_a_deleted_gateway_left(
    aws_env: MotoVpc, caplog: Any
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    kept = _load_balancer_deleted_midway(h)
    deny_get_resources(h.aws)
    with caplog.at_level("WARNING", logger="awsgw.elbv2"):
        result = h.run(GATEWAY_CLASS, only="team0/web")
    assert not result.failed and result.deleted == ["team0/web"]
    assert len(caplog.records) == 1 and "not readable by tag" in caplog.records[0].getMessage()
    assert len(h.elbv2.describe_target_groups()["TargetGroups"]) == 4
    h.run(world(2, first=1))
    left = {tg["TargetGroupArn"] for tg in h.elbv2.describe_target_groups()["TargetGroups"]}
    assert left == kept


def _load_balancer_deleted_midway(h: Harness) -> set[str]:
    """Two Gateways; team0's load balancer deleted as by a delete that failed after it.
    The ARNs of team1's target groups."""
    h.run(world(2))
    lb_arn = h.lb("team0/web")["LoadBalancerArn"]
    every = {t["TargetGroupArn"] for t in h.elbv2.describe_target_groups()["TargetGroups"]}
    used = h.elbv2.describe_target_groups(LoadBalancerArn=lb_arn)["TargetGroups"]
    kept = every - {t["TargetGroupArn"] for t in used}
    assert len(every) == 4 and len(kept) == 2
    h.elbv2.delete_load_balancer(LoadBalancerArn=lb_arn)
    return kept

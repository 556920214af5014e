"""TargetGroupPolicy on Services (GEP-713 direct policy): its health check and attributes are
on the target groups of the Gateways whose Routes use the Service (judged from AWS), a change
is one ModifyTargetGroup, a protocol version change is a new target group; the status names
each ancestor Gateway with Accepted, Invalid, Conflicted or TargetNotFound."""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import MotoVpc
from tests.providers.aws.alb.test_acm_certificates import ROUTE
from tests.support import GATEWAY_CLASS, Harness, condition

GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
"""


def policy(
    spec: dict[str, Any], name: str = "app", created: str | None = None, section: str = ""
) -> str:
    meta: dict[str, Any] = {"name": name, "namespace": "shop"}
    if created:
        meta["creationTimestamp"] = created
    ref = {"group": "", "kind": "Service", "name": "app"}
    if section:
        ref["sectionName"] = section
    doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "TargetGroupPolicy", "metadata": meta,
           "spec": {"targetRefs": [ref], **spec}}  # fmt: skip
    return "---\n" + yaml.safe_dump(doc)


def target_group(h: Harness) -> dict[str, Any]:
    """The Gateway's one target group (moto does not keep ``LoadBalancerArns`` up to date
    when a rule moves to another target group: read them all)."""
    [tg] = h.elbv2.describe_target_groups()["TargetGroups"]
    return dict(tg)


def ancestors(result: Any, name: str = "app") -> list[dict[str, Any]]:
    return list(result.statuses[("TargetGroupPolicy", f"shop/{name}")]["ancestors"])


HEALTH = {
    "healthCheck": {"path": "/healthz", "intervalSeconds": 10, "healthyThresholdCount": 3,
                    "matcher": {"httpCode": "200-299"}},
    "attributes": {"deregistration_delay.timeout_seconds": "30",
                   "load_balancing.algorithm.type": "least_outstanding_requests"},
}  # fmt: skip


def test_a_policy_shapes_the_target_group_and_reports_its_gateway(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    state = GATEWAY_CLASS + GATEWAY + ROUTE + policy(HEALTH)
    result = h.run(state)
    [ancestor] = ancestors(result)
    assert ancestor["ancestorRef"] == {"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                       "namespace": "shop", "name": "web"}  # fmt: skip
    assert ancestor["controllerName"] == "awsgw.io/alb"
    assert condition(ancestor, "Accepted")["status"] == "True", ancestor
    tg = target_group(h)
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"]) == ("/healthz", 10)
    assert tg["HealthyThresholdCount"] == 3 and tg["Matcher"]["HttpCode"] == "200-299"
    assert tg["HealthCheckTimeoutSeconds"] == 5, "what the policy does not say: ELBv2's default"
    attrs = {a["Key"]: a["Value"] for a in h.elbv2.describe_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}  # fmt: skip
    assert attrs["deregistration_delay.timeout_seconds"] == "30"
    assert attrs["load_balancing.algorithm.type"] == "least_outstanding_requests"
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_a_changed_path_is_one_modify_target_group(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    base = GATEWAY_CLASS + GATEWAY + ROUTE
    h.run(base + policy({"healthCheck": {"path": "/healthz"}}))
    before = target_group(h)["TargetGroupArn"]
    h.run(base + policy({"healthCheck": {"path": "/ready"}}))
    assert h.aws.counter.write_calls() == {"elastic-load-balancing-v2:ModifyTargetGroup": 1}
    tg = target_group(h)
    assert tg["TargetGroupArn"] == before and tg["HealthCheckPath"] == "/ready"
    h.run(base)  # the policy goes: the health check returns to the defaults
    assert target_group(h)["HealthCheckPath"] == "/"
    h.run(base)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_a_protocol_version_change_is_a_new_target_group(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    base = GATEWAY_CLASS + GATEWAY + ROUTE
    h.run(base)
    before = target_group(h)["TargetGroupArn"]
    h.run(base + policy({"protocolVersion": "HTTP2"}))
    tg = target_group(h)
    assert tg["TargetGroupArn"] != before and tg["ProtocolVersion"] == "HTTP2"


def test_https_to_the_targets_is_a_new_target_group_checked_over_https(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    base = GATEWAY_CLASS + GATEWAY + ROUTE
    h.run(base)
    before = target_group(h)["TargetGroupArn"]
    result = h.run(base + policy({"protocol": "HTTPS"}))
    assert condition(ancestors(result)[0], "Accepted")["status"] == "True", ancestors(result)
    tg = target_group(h)
    assert tg["TargetGroupArn"] != before
    assert (tg["Protocol"], tg["HealthCheckProtocol"]) == ("HTTPS", "HTTPS")
    result = h.run(base + policy({"protocol": "TLS"}))
    found = condition(ancestors(result)[0], "Accepted")
    assert found["message"] == "spec.protocol: ALB target groups take HTTP, HTTPS"


def test_the_older_policy_keeps_a_service_and_the_newer_is_conflicted(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    older = policy({"healthCheck": {"path": "/old"}}, "first", "2026-01-01T00:00:00Z")
    newer = policy({"healthCheck": {"path": "/new"}}, "second", "2026-02-01T00:00:00Z")
    result = h.run(GATEWAY_CLASS + GATEWAY + ROUTE + newer + older)
    assert condition(ancestors(result, "first")[0], "Accepted")["status"] == "True"
    lost = condition(ancestors(result, "second")[0], "Accepted")
    assert (lost["status"], lost["reason"]) == ("False", "Conflicted")
    assert "already has TargetGroupPolicy shop/first" in lost["message"]
    assert target_group(h)["HealthCheckPath"] == "/old"


def test_a_missing_port_name_is_target_not_found(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    doc = policy({"healthCheck": {"path": "/x"}}, section="grpc")
    result = h.run(GATEWAY_CLASS + GATEWAY + ROUTE + doc)
    found = condition(ancestors(result)[0], "Accepted")
    assert (found["status"], found["reason"]) == ("False", "TargetNotFound"), found
    assert "has no port named grpc" in found["message"]
    assert target_group(h)["HealthCheckPath"] in (None, "/"), "nothing applied"


def test_an_invalid_policy_names_the_field(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(
        GATEWAY_CLASS + GATEWAY + ROUTE + policy({"healthCheck": {"intervalSeconds": 1}})
    )
    found = condition(ancestors(result)[0], "Accepted")
    assert (found["status"], found["reason"]) == ("False", "Invalid")
    assert found["message"].startswith("spec.healthCheck.intervalSeconds: Input should be")


def nlb_policy(spec: dict[str, Any], service: str = "primary") -> str:
    ref = {"group": "", "kind": "Service", "name": service}
    doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "TargetGroupPolicy",
           "metadata": {"name": "pg", "namespace": "db"},
           "spec": {"targetRefs": [ref], **spec}}  # fmt: skip
    return "---\n" + yaml.safe_dump(doc)


def test_an_nlb_stream_target_group_takes_a_policy(aws_env: MotoVpc) -> None:
    from tests.providers.aws.nlb.test_provider import STATE
    from tests.support import NlbHarness

    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    spec = {"healthCheck": {"protocol": "HTTP", "path": "/ready"},
            "attributes": {"proxy_protocol_v2.enabled": "true"}}  # fmt: skip
    result = h.run(STATE + nlb_policy(spec))
    found = result.statuses[("TargetGroupPolicy", "db/pg")]["ancestors"]
    assert condition(found[0], "Accepted")["status"] == "True", found
    tgs = h.elbv2.describe_target_groups()["TargetGroups"]
    [tg] = [t for t in tgs if t["TargetGroupName"].startswith("tn-primary-")]
    assert (tg["HealthCheckProtocol"], tg["HealthCheckPath"]) == ("HTTP", "/ready")
    assert tg["Matcher"]["HttpCode"] == "200-399", "the NLB default for an HTTP check"
    attrs = {a["Key"]: a["Value"] for a in h.elbv2.describe_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}  # fmt: skip
    assert attrs["proxy_protocol_v2.enabled"] == "true"
    h.run(STATE + nlb_policy(spec))
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_an_attribute_the_target_group_type_lacks_is_refused_on_its_ancestor(
    aws_env: MotoVpc,
) -> None:
    from tests.providers.aws.nlb.test_provider import STATE
    from tests.support import NlbHarness

    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    spec = {"attributes": {"slow_start.duration_seconds": "60"}}
    result = h.run(STATE + nlb_policy(spec))
    [ancestor] = result.statuses[("TargetGroupPolicy", "db/pg")]["ancestors"]
    found = condition(ancestor, "Accepted")
    assert (found["status"], found["reason"]) == ("False", "Invalid")
    assert found["message"] == (
        "spec.attributes[slow_start.duration_seconds]: not an attribute of NLB target groups"
    )
    assert ancestor["controllerName"] == "awsgw.io/nlb"


def node(name: str, instance: str, ready: bool = True, labels: dict[str, str] | None = None) -> str:
    doc = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels or {}},
           "spec": {"providerID": f"aws:///us-east-1a/{instance}"},
           "status": {"conditions": [{"type": "Ready", "status": str(ready)}]}}  # fmt: skip
    return "---\n" + yaml.safe_dump(doc)


NODE_PORT_SERVICE = """
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
"""


def registered(h: Harness, tg: dict[str, Any]) -> set[tuple[str, int]]:
    found = h.elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])
    return {(d["Target"]["Id"], d["Target"]["Port"]) for d in found["TargetHealthDescriptions"]
            if d["TargetHealth"]["State"] != "draining"}  # fmt: skip


def test_instance_targets_are_the_ready_nodes_on_the_node_port(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    ec2 = h.aws.client("ec2")
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=3, MaxCount=3, SubnetId=aws_env.subnet_ids[0])[
        "Instances"]]  # fmt: skip
    route = ROUTE.split("---\napiVersion: v1\nkind: Service")[0]  # the Route without its Service
    nodes = node("a", ids[0]) + node("b", ids[1])
    nodes += node(
        "c", ids[2], labels={"node.kubernetes.io/exclude-from-external-load-balancers": ""}
    )
    state = GATEWAY_CLASS + GATEWAY + route + NODE_PORT_SERVICE + policy({"targetType": "instance"})
    result = h.run(state + nodes)
    assert condition(ancestors(result)[0], "Accepted")["status"] == "True", ancestors(result)
    tg = target_group(h)
    assert tg["TargetType"] == "instance"
    assert registered(h, tg) == {(ids[0], 30080), (ids[1], 30080)}
    h.run(state + node("a", ids[0]) + node("b", ids[1], ready=False))
    assert registered(h, target_group(h)) == {(ids[0], 30080)}, "a node not ready goes"


def test_instance_targets_need_a_node_port_service(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(GATEWAY_CLASS + GATEWAY + ROUTE + policy({"targetType": "instance"}))
    found = condition(ancestors(result)[0], "Accepted")
    assert (found["status"], found["reason"]) == ("False", "Invalid")
    assert "instance targets need a NodePort or LoadBalancer Service" in found["message"]
    assert target_group(h)["TargetType"] == "ip", "the target group stays as it was"

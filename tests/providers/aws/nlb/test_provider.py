"""The NLB data plane end to end against moto: listeners, weighted target groups, TLS,
the chained ALB behind HTTP listeners, the fewest writes, what it never touches."""

from __future__ import annotations

from tests.conftest import MotoVpc
from tests.support import NLB_CLASS, NlbHarness, condition, stream_service, target_ips

GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: db}
spec:
  gatewayClassName: nlb
  listeners:
  - {name: pg, port: 5432, protocol: TCP}
  - {name: dns, port: 53, protocol: UDP}
"""

TCP_ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: pg, namespace: db}
spec:
  parentRefs: [{name: edge, sectionName: pg}]
  rules:
  - backendRefs:
    - {name: primary, port: 5432, weight: 3}
    - {name: replica, port: 5432, weight: 1}
"""

UDP_ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: UDPRoute
metadata: {name: dns, namespace: db}
spec:
  parentRefs: [{name: edge, sectionName: dns}]
  rules:
  - backendRefs: [{name: resolver, port: 53}]
"""

BACKENDS = (
    stream_service("db", "primary", 5432, ["10.0.5.1"])
    + stream_service("db", "replica", 5432, ["10.0.5.2", "10.0.5.3"])
    + stream_service("db", "resolver", 53, ["10.0.6.1"], protocol="UDP", target_port=53)
)
STATE = NLB_CLASS + GATEWAY + TCP_ROUTE + UDP_ROUTE + BACKENDS


def test_gateway_gets_an_nlb_with_tcp_and_udp_listeners(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(STATE)
    gw = result.statuses[("Gateway", "db/edge")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    lb = h.lb("db/edge")
    assert lb["Type"] == "network" and lb["Scheme"] == "internal"
    assert lb["SecurityGroups"], "an NLB's security groups are set at creation"
    assert gw["addresses"] == [{"type": "Hostname", "value": lb["DNSName"]}]
    for route in (("TCPRoute", "db/pg"), ("UDPRoute", "db/dns")):
        parent = result.statuses[route]["parents"][0]
        assert condition(parent, "Accepted")["status"] == "True", parent
    pg = h.connect("db/edge", 5432)
    assert pg.listener == "TCP 5432"
    assert sorted((n[:10], w) for n, w, _ in pg.targets) == [("tn-primary", 3), ("tn-replica", 1)]
    assert target_ips(pg) == {"10.0.5.1:9000", "10.0.5.2:9000", "10.0.5.3:9000"}
    dns = h.connect("db/edge", 53, "UDP")
    assert dns.listener == "UDP 53" and target_ips(dns) == {"10.0.6.1:53"}
    assert h.connect("db/edge", 53, "TCP").refused
    assert not any(
        lb["Type"] == "application" for lb in h.elbv2.describe_load_balancers()["LoadBalancers"]
    )


def test_repeat_run_makes_no_writes(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    h.run(STATE)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_changing_weights_is_one_listener_change(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    h.run(STATE.replace("weight: 3", "weight: 1"))
    assert h.aws.counter.write_calls() == {"elastic-load-balancing-v2:ModifyListener": 1}
    assert {w for _, w, _ in h.connect("db/edge", 5432).targets} == {1}


def test_teardown_leaves_nothing_owned(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    h.run(NLB_CLASS + BACKENDS)
    assert h.owned() == {}
    groups = h.aws.client("ec2").describe_security_groups(
        Filters=[{"Name": "tag:awsgw.io/cluster", "Values": [aws_env.cluster]}]
    )["SecurityGroups"]
    assert groups == []

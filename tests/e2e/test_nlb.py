"""`awsgw run` with an NLB Gateway (examples/nlb): TCP, UDP, TLS Passthrough and HTTP
listeners on one Network Load Balancer, the HTTP one served by a chained ALB, TCPRoute,
UDPRoute and TLSRoute statuses written back, everything removed with the Gateway."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.nlb.evaluate import NlbState
from tests.e2e.conftest import GATEWAY, ROOT, Cluster, condition, eventually

NLB = ROOT / "examples" / "nlb"
EDGE = ("data", "edge")
STREAMS = {"TCPRoute": "postgres", "UDPRoute": "dns-udp", "TLSRoute": "vault"}


def nlb_arn(cluster: Cluster) -> str | None:
    for lb in cluster.aws.elbv2.describe_load_balancers()["LoadBalancers"]:
        if lb["Type"] == "network":
            return str(lb["LoadBalancerArn"])
    return None


def route_parent(cluster: Cluster, kind: str, name: str) -> dict[str, Any] | None:
    route = cluster.kube.get("gateway.networking.k8s.io/v1", kind, "data", name)
    parents = ((route or {}).get("status") or {}).get("parents") or []
    return dict(parents[0]) if parents else None


def test_nlb_gateway_serves_tcp_udp_and_http_on_one_address(cluster: Cluster) -> None:
    ctl = cluster.start()
    eventually(ctl.ready, 10, "caches synced")
    cluster.apply_folder(NLB, "data")
    gw = eventually(lambda: cluster.programmed(*reversed(EDGE)), 30, "Gateway Programmed")
    [address] = gw["status"]["addresses"]
    arn = nlb_arn(cluster)
    assert arn
    [lb] = cluster.aws.elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
    assert address == {"type": "Hostname", "value": lb["DNSName"]}
    assert lb["Scheme"] == "internal"

    for kind, name in STREAMS.items():
        parent = eventually(
            lambda k=kind, n=name: route_parent(cluster, k, n), 10, f"{kind} status"
        )
        assert parent["controllerName"] == "awsgw.io/nlb"
        assert condition(parent, "Accepted")["status"] == "True"
        assert condition(parent, "ResolvedRefs")["status"] == "True"

    state = NlbState(cluster.aws.elbv2, arn)
    dns = state.connect(53, "UDP")
    assert dns.listener == "TCP_UDP 53"
    assert {t for _, _, ts in dns.targets for t in ts} == {"10.0.41.10:53", "10.0.41.11:53"}
    pg = state.connect(5432, "TCP")
    assert sorted(w for _, w, _ in pg.targets) == [10, 90]
    vault = state.connect(8200, "TLS", "vault.example.com")
    assert vault.listener == "TCP 8200" and vault.certificate is None, "passed through"
    web = state.connect(80, "TCP")
    assert web.chained, "port 80 forwards to the chained ALB"
    assert len(cluster.aws.owned()["lbs"]) == 2

    cluster.kube.delete(*GATEWAY, *EDGE)
    eventually(lambda: cluster.gateway(*reversed(EDGE)) is None, 30, "the Gateway to go")
    assert cluster.aws.owned() == {"lbs": [], "tgs": [], "sgs": []}
    assert ctl.stop() == 0

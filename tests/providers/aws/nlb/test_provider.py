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


def _secret(name: str, hosts: list[str]) -> str:
    import yaml

    from tests.certs import self_signed_secret

    return "---\n" + yaml.safe_dump(self_signed_secret("db", name, hosts))


TLS_GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tls, namespace: db}
spec:
  gatewayClassName: nlb
  listeners:
  - name: passthrough
    port: 8443
    protocol: TLS
    hostname: pass.example.com
    tls: {mode: Passthrough}
  - name: terminate
    port: 443
    protocol: TLS
    tls:
      mode: Terminate
      certificateRefs: [{name: a-cert}, {name: b-cert}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: pass, namespace: db}
spec:
  parentRefs: [{name: tls, sectionName: passthrough}]
  hostnames: [pass.example.com]
  rules: [{backendRefs: [{name: primary, port: 5432}]}]
---
apiVersion: gateway.networking.k8s.io/v1alpha3
kind: TLSRoute
metadata: {name: term, namespace: db}
spec:
  parentRefs: [{name: tls, sectionName: terminate}]
  hostnames: [a.example.com, b.example.com]
  rules: [{backendRefs: [{name: replica, port: 5432}]}]
"""


def test_tls_passthrough_and_termination(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    state = (
        NLB_CLASS
        + TLS_GATEWAY
        + BACKENDS
        + _secret("a-cert", ["a.example.com"])
        + _secret("b-cert", ["b.example.com"])
    )
    result = h.run(state)
    gw = result.statuses[("Gateway", "db/tls")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    passthrough = h.connect("db/tls", 8443, "TLS", sni="pass.example.com")
    assert passthrough.listener == "TCP 8443" and passthrough.certificate is None
    assert target_ips(passthrough) == {"10.0.5.1:9000"}
    for name in ("a.example.com", "b.example.com"):
        terminated = h.connect("db/tls", 443, "TLS", sni=name)
        assert terminated.listener == "TLS 443"
        assert terminated.certificate is not None and terminated.certificate.covers(name)
        assert target_ips(terminated) == {"10.0.5.2:9000", "10.0.5.3:9000"}
    assert h.connect("db/tls", 443, "TCP").refused  # no handshake, no connection
    term = result.statuses[("TLSRoute", "db/term")]["parents"][0]
    # an NLB cannot filter by SNI: the Route is told that other names reach it too
    assert "SNI" in condition(term, "Accepted")["message"]
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_tcp_and_udp_on_one_port_share_a_tcp_udp_listener(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    gateway = GATEWAY.replace("port: 5432, protocol: TCP", "port: 53, protocol: TCP")
    tcp = TCP_ROUTE.replace(
        "- {name: primary, port: 5432, weight: 3}\n    - {name: replica, port: 5432, weight: 1}",
        "- {name: resolver, port: 53}",
    )
    result = h.run(NLB_CLASS + gateway + tcp + UDP_ROUTE + BACKENDS)
    gw = result.statuses[("Gateway", "db/edge")]
    assert all(condition(ls, "Programmed")["status"] == "True" for ls in gw["listeners"]), gw
    both = h.connect("db/edge", 53, "UDP")
    assert both.listener == "TCP_UDP 53"
    assert h.connect("db/edge", 53, "TCP").listener == "TCP_UDP 53"
    assert [n[:11] for n, _, _ in both.targets] == ["tn-resolver"]


def test_tcp_and_udp_with_other_backends_leave_the_later_listener_unprogrammed(
    aws_env: MotoVpc,
) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    gateway = GATEWAY.replace("port: 5432, protocol: TCP", "port: 53, protocol: TCP")
    result = h.run(NLB_CLASS + gateway + TCP_ROUTE + UDP_ROUTE + BACKENDS)
    listeners = {ls["name"]: ls for ls in result.statuses[("Gateway", "db/edge")]["listeners"]}
    assert condition(listeners["pg"], "Programmed")["status"] == "True"
    dns = condition(listeners["dns"], "Programmed")
    assert dns["status"] == "False" and "port 53 is taken by listener pg" in dns["message"]
    assert condition(listeners["dns"], "ResolvedRefs")["status"] == "True"
    assert h.connect("db/edge", 53, "TCP").listener == "TCP 53"
    assert h.connect("db/edge", 53, "UDP").refused


def test_only_the_oldest_tcp_route_on_a_listener_is_served(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    older = TCP_ROUTE.replace(
        "metadata: {name: pg, namespace: db}",
        "metadata: {name: pg, namespace: db, creationTimestamp: '2026-01-01T00:00:00Z'}",
    )
    newer = TCP_ROUTE.replace(
        "metadata: {name: pg, namespace: db}",
        "metadata: {name: pg2, namespace: db, creationTimestamp: '2026-01-02T00:00:00Z'}",
    ).replace(
        "- {name: primary, port: 5432, weight: 3}\n    - {name: replica, port: 5432, weight: 1}",
        "- {name: resolver, port: 53}",
    )
    result = h.run(NLB_CLASS + GATEWAY + newer + older + BACKENDS)
    for name in ("db/pg", "db/pg2"):
        assert (
            condition(result.statuses[("TCPRoute", name)]["parents"][0], "Accepted")["status"]
            == "True"
        )
    listeners = {ls["name"]: ls for ls in result.statuses[("Gateway", "db/edge")]["listeners"]}
    assert listeners["pg"]["attachedRoutes"] == 2
    assert "10.0.6.1:53" not in target_ips(h.connect("db/edge", 5432))
    note = condition(result.statuses[("TCPRoute", "db/pg2")]["parents"][0], "Accepted")["message"]
    assert "not served" in note and "db/pg" in note


HTTP_GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mixed, namespace: db}
spec:
  gatewayClassName: nlb
  listeners:
  - {name: pg, port: 5432, protocol: TCP}
  - {name: web, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: pg, namespace: db}
spec:
  parentRefs: [{name: mixed, sectionName: pg}]
  rules: [{backendRefs: [{name: primary, port: 5432}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: site, namespace: db}
spec:
  parentRefs: [{name: mixed, sectionName: web}]
  hostnames: [site.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: replica, port: 5432}]
"""


def test_http_listeners_are_served_by_a_chained_alb(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    state = NLB_CLASS + HTTP_GATEWAY + BACKENDS
    result = h.run(state)
    gw = result.statuses[("Gateway", "db/mixed")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    nlb, alb = h.lb("db/mixed"), h.lb("db/mixed", "application")
    assert gw["addresses"] == [{"type": "Hostname", "value": nlb["DNSName"]}]
    assert alb["Scheme"] == "internal" and alb["SecurityGroups"] == nlb["SecurityGroups"]
    web = h.connect("db/mixed", 80)
    assert web.listener == "TCP 80" and web.chained == alb["LoadBalancerArn"]
    outcome = h.send("db/mixed", "site.example.com", "/api/items")
    assert {t for _, w, ts in outcome.targets if w for t in ts} == {
        "10.0.5.2:9000",
        "10.0.5.3:9000",
    }
    assert h.send("db/mixed", "other.example.com", "/api").status == 404
    assert target_ips(h.connect("db/mixed", 5432)) == {"10.0.5.1:9000"}
    route = result.statuses[("HTTPRoute", "db/site")]["parents"][0]
    assert condition(route, "Accepted")["status"] == "True"
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()
    # the last HTTP listener gone: the chained ALB goes with it
    tcp_only = state.replace("  - {name: web, port: 80, protocol: HTTP}\n", "")
    h.run(tcp_only)
    assert not [
        lb
        for lb in h.elbv2.describe_load_balancers()["LoadBalancers"]
        if lb["Type"] == "application"
    ]
    assert all(tg["TargetType"] == "ip" for tg in h.elbv2.describe_target_groups()["TargetGroups"])
    assert h.connect("db/mixed", 80).refused
    h.run(state)
    h.run(NLB_CLASS + BACKENDS)
    assert h.owned() == {}


def test_an_http_port_removed_goes_in_one_pass(aws_env: MotoVpc) -> None:
    """The NLB listener and the ALB-type target group of the port go before the chained
    ALB's listener: ELBv2 refuses to delete a listener the ALB is registered on."""
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    two = HTTP_GATEWAY.replace(
        "  - {name: web, port: 80, protocol: HTTP}\n",
        "  - {name: web, port: 80, protocol: HTTP}\n  - {name: alt, port: 8080, protocol: HTTP}\n",
    )
    h.run(NLB_CLASS + two + BACKENDS)
    assert h.connect("db/mixed", 8080).chained
    result = h.run(NLB_CLASS + HTTP_GATEWAY + BACKENDS)
    assert result.failed == []
    gw = result.statuses[("Gateway", "db/mixed")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    assert h.connect("db/mixed", 8080).refused
    alb = h.lb("db/mixed", "application")["LoadBalancerArn"]
    ports = [ls["Port"] for ls in h.elbv2.describe_listeners(LoadBalancerArn=alb)["Listeners"]]
    assert ports == [80]


def test_an_https_port_whose_certificates_are_all_refused_gets_no_nlb_listener(
    aws_env: MotoVpc,
) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    https = HTTP_GATEWAY.replace(
        "  - {name: web, port: 80, protocol: HTTP}\n",
        "  - {name: web, port: 80, protocol: HTTP}\n"
        "  - name: secure\n    port: 443\n    protocol: HTTPS\n"
        f"    tls: {{options: {{awsgw.io/certificate-arns: '{arn}'}}}}\n",
    )
    result = h.run(NLB_CLASS + https + BACKENDS)
    assert result.failed == []
    gw = result.statuses[("Gateway", "db/mixed")]
    secure = next(ls for ls in gw["listeners"] if ls["name"] == "secure")
    assert condition(secure, "ResolvedRefs")["reason"] == "InvalidCertificateRef"
    assert condition(gw, "Programmed")["status"] == "True", gw
    assert h.connect("db/mixed", 443).refused and h.connect("db/mixed", 80).chained


def test_tls_listeners_take_a_tls_1_2_or_1_3_policy_also_when_a_port_turns_tls(
    aws_env: MotoVpc,
) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    certs = _secret("a-cert", ["a.example.com"]) + _secret("b-cert", ["b.example.com"])
    passing = TLS_GATEWAY.replace(
        "  - name: terminate\n    port: 443\n", "  - name: terminate\n    port: 4443\n"
    ).replace("    port: 8443\n", "    port: 443\n")
    h.run(NLB_CLASS + passing + BACKENDS + certs)
    assert h.connect("db/tls", 443, "TLS").listener == "TCP 443", "passed through"
    result = h.run(NLB_CLASS + TLS_GATEWAY + BACKENDS + certs)  # 443 now terminates
    assert result.failed == []
    lb = h.lb("db/tls")["LoadBalancerArn"]
    live = {ls["Port"]: ls for ls in h.elbv2.describe_listeners(LoadBalancerArn=lb)["Listeners"]}
    assert live[443]["Protocol"] == "TLS"
    assert live[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"


def test_tls_listeners_sharing_a_port_by_hostname_leave_all_but_the_first_unprogrammed(
    aws_env: MotoVpc,
) -> None:
    """An NLB cannot tell TLS server names apart: never route b's or c's names to a."""
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    names = ("a", "b", "c")
    listeners = "".join(
        f"  - name: {n}\n    port: 443\n    protocol: TLS\n    hostname: {n}.example.com\n"
        "    tls: {mode: Passthrough}\n"
        for n in names
    )
    routes = "".join(
        f"---\napiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\n"
        f"metadata: {{name: {n}, namespace: db}}\nspec:\n"
        f"  parentRefs: [{{name: edge, sectionName: {n}}}]\n"
        f"  rules: [{{backendRefs: [{{name: primary, port: 5432}}]}}]\n"
        for n in names
    )
    gateway = GATEWAY.split("  listeners:\n")[0] + "  listeners:\n" + listeners
    gw = h.run(NLB_CLASS + gateway + routes + BACKENDS).statuses[("Gateway", "db/edge")]
    programmed = {ls["name"]: condition(ls, "Programmed") for ls in gw["listeners"]}
    assert programmed["a"]["status"] == "True"
    for n in ("b", "c"):
        assert programmed[n]["status"] == "False"
        assert "cannot tell listeners apart by hostname" in programmed[n]["message"]


def test_a_udp_listener_keeps_a_port_an_http_listener_also_asks_for(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    shared = HTTP_GATEWAY.replace(
        "  - {name: pg, port: 5432, protocol: TCP}\n",
        "  - {name: pg, port: 5432, protocol: TCP}\n  - {name: dns, port: 80, protocol: UDP}\n",
    )
    dns = UDP_ROUTE.replace("{name: edge, sectionName: dns}", "{name: mixed, sectionName: dns}")
    gw = h.run(NLB_CLASS + shared + dns + BACKENDS).statuses[("Gateway", "db/mixed")]
    listeners = {ls["name"]: ls for ls in gw["listeners"]}
    assert condition(listeners["dns"], "Programmed")["status"] == "True"
    web = condition(listeners["web"], "Programmed")
    assert web["status"] == "False" and "carries no UDP" in web["message"]
    assert h.connect("db/mixed", 80, "UDP").listener == "UDP 80"


def test_foreign_nlb_survives_every_run(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    elbv2 = h.elbv2
    foreign = elbv2.create_load_balancer(
        Name="someone-elses", Subnets=list(aws_env.subnet_ids[:1]), Type="network"
    )["LoadBalancers"][0]
    tg = elbv2.create_target_group(
        Name="foreign-tg", Protocol="TCP", Port=80, VpcId=aws_env.vpc_id, TargetType="ip"
    )["TargetGroups"][0]
    listener = elbv2.create_listener(
        LoadBalancerArn=foreign["LoadBalancerArn"],
        Protocol="TCP",
        Port=5432,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )["Listeners"][0]
    h.run(STATE)
    h.run(NLB_CLASS)
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    assert [lb["LoadBalancerName"] for lb in lbs] == ["someone-elses"]
    live = elbv2.describe_listeners(LoadBalancerArn=foreign["LoadBalancerArn"])["Listeners"]
    assert live == [listener]
    assert [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]] == [
        "foreign-tg"
    ]


def _with_addresses(*ips: str) -> str:
    entries = "".join(f"\n  - {{type: IPAddress, value: {ip}}}" for ip in ips)
    return GATEWAY.replace(
        "  gatewayClassName: nlb\n", f"  gatewayClassName: nlb\n  addresses:{entries}\n"
    )


def test_elastic_ips_in_spec_addresses_are_the_nlbs_addresses(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    ec2 = h.aws.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    state = NLB_CLASS + _with_addresses(eip["PublicIp"]) + TCP_ROUTE + UDP_ROUTE + BACKENDS
    result = h.run(state)
    gw = result.statuses[("Gateway", "db/edge")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    assert gw["addresses"] == [{"type": "IPAddress", "value": eip["PublicIp"]}]
    lb = h.lb("db/edge")
    assert lb["Scheme"] == "internet-facing"
    held = [a for z in lb["AvailabilityZones"] for a in z.get("LoadBalancerAddresses", [])]
    assert [a["AllocationId"] for a in held] == [eip["AllocationId"]]
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_an_address_that_is_no_elastic_ip_of_the_account_is_not_usable(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(NLB_CLASS + _with_addresses("198.51.100.7") + TCP_ROUTE + BACKENDS)
    gw = result.statuses[("Gateway", "db/edge")]
    assert condition(gw, "Accepted")["status"] == "True"
    programmed = condition(gw, "Programmed")
    assert (programmed["status"], programmed["reason"]) == ("False", "AddressNotUsable")
    assert "198.51.100.7" in programmed["message"]
    assert h.owned() == {}, "nothing is created for an address that cannot be had"


def test_an_address_of_another_type_is_refused(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    gateway = GATEWAY.replace(
        "  gatewayClassName: nlb\n",
        "  gatewayClassName: nlb\n  addresses: [{type: Hostname, value: db.example.com}]\n",
    )
    result = h.run(NLB_CLASS + gateway + TCP_ROUTE + BACKENDS)
    accepted = condition(result.statuses[("Gateway", "db/edge")], "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "UnsupportedAddress")


def test_changed_addresses_are_announced_then_the_nlb_is_replaced(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    ec2 = h.aws.client("ec2")
    first, second = ec2.allocate_address(Domain="vpc"), ec2.allocate_address(Domain="vpc")
    h.run(NLB_CLASS + _with_addresses(first["PublicIp"]) + TCP_ROUTE + BACKENDS)
    before = h.lb("db/edge")
    changed = NLB_CLASS + _with_addresses(second["PublicIp"]) + TCP_ROUTE + BACKENDS
    announced = condition(h.run(changed).statuses[("Gateway", "db/edge")], "Programmed")
    assert announced["status"] == "False" and "replaced" in announced["message"]
    assert h.lb("db/edge")["LoadBalancerArn"] == before["LoadBalancerArn"]
    result = h.run(changed)
    gw = result.statuses[("Gateway", "db/edge")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    after = h.lb("db/edge")
    assert after["LoadBalancerArn"] != before["LoadBalancerArn"]
    assert gw["addresses"] == [{"type": "IPAddress", "value": second["PublicIp"]}]
    assert target_ips(h.connect("db/edge", 5432)) == {
        "10.0.5.1:9000",
        "10.0.5.2:9000",
        "10.0.5.3:9000",
    }


def test_addresses_that_cannot_fit_are_refused_before_the_nlb_is_touched(
    aws_env: MotoVpc,
) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    ec2 = h.aws.client("ec2")
    ips = [ec2.allocate_address(Domain="vpc")["PublicIp"] for _ in range(5)]
    h.run(NLB_CLASS + _with_addresses(ips[0]) + TCP_ROUTE + BACKENDS)
    before = h.lb("db/edge")["LoadBalancerArn"]
    for _ in range(2):  # neither announced nor carried out
        gw = h.run(NLB_CLASS + _with_addresses(*ips) + TCP_ROUTE + BACKENDS).statuses[
            ("Gateway", "db/edge")]  # fmt: skip
        programmed = condition(gw, "Programmed")
        assert programmed["status"] == "False" and "5 Elastic IPs for 3" in programmed["message"]
    assert h.lb("db/edge")["LoadBalancerArn"] == before


def test_a_change_taken_back_is_announced_again_when_made_again(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    ec2 = h.aws.client("ec2")
    first, second = (ec2.allocate_address(Domain="vpc")["PublicIp"] for _ in range(2))
    old = NLB_CLASS + _with_addresses(first) + TCP_ROUTE + BACKENDS
    new = NLB_CLASS + _with_addresses(second) + TCP_ROUTE + BACKENDS
    h.run(old)
    before = h.lb("db/edge")["LoadBalancerArn"]
    h.run(new)  # announced
    h.run(old)  # taken back
    gw = h.run(new).statuses[("Gateway", "db/edge")]
    assert "replaced" in condition(gw, "Programmed")["message"], "announced once more"
    assert h.lb("db/edge")["LoadBalancerArn"] == before
    h.run(new)
    assert h.lb("db/edge")["LoadBalancerArn"] != before

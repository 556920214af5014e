"""The ALB provider end to end against moto: what AWS holds, how requests route, how few
writes each change costs, and what it never touches."""

from __future__ import annotations

from awsgw.providers.aws.alb.plan.compile import AlbLimits
from tests.conftest import MotoVpc
from tests.support import GATEWAY_CLASS, Harness, backend_ips, condition, service

GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
"""

ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: web}]
  hostnames: [store.example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /cart}
      headers: [{name: x-canary, value: "yes"}]
    backendRefs: [{name: v2, port: 80}]
  - matches:
    - path: {type: Exact, value: /exact}
    backendRefs: [{name: v2, port: 80}]
  - backendRefs:
    - {name: v1, port: 80, weight: 90}
    - {name: v2, port: 80, weight: 10}
"""

BACKENDS = service("shop", "v1", 80, ["10.0.1.1", "10.0.1.2"]) + service(
    "shop", "v2", 80, ["10.0.2.1"]
)
STATE = GATEWAY_CLASS + GATEWAY + ROUTE + BACKENDS


def test_gateway_gets_an_active_alb_and_programmed_status(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(STATE)
    gw = result.statuses[("Gateway", "shop/web")]
    assert condition(gw, "Programmed")["status"] == "True"
    lb = h.lb("shop/web")
    assert gw["addresses"] == [{"type": "Hostname", "value": lb["DNSName"]}]
    assert lb["Scheme"] == "internal"
    assert len({az["ZoneName"] for az in lb["AvailabilityZones"]}) >= 2
    assert gw["listeners"][0]["attachedRoutes"] == 1
    route = result.statuses[("HTTPRoute", "shop/store")]["parents"][0]
    assert condition(route, "Accepted")["status"] == "True"


def test_requests_route_as_the_spec_says(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    canary = h.send("shop/web", "store.example.com", "/cart/items", headers=(("X-Canary", "yes"),))
    assert backend_ips(canary) == {"10.0.2.1:8080"}
    # PathPrefix matches whole segments only
    no_segment = h.send("shop/web", "store.example.com", "/cartx", headers=(("x-canary", "yes"),))
    assert {(t[0][:5], t[1]) for t in no_segment.targets} == {("tg-v1", 90), ("tg-v2", 10)}
    assert backend_ips(h.send("shop/web", "store.example.com", "/exact")) == {"10.0.2.1:8080"}
    assert h.send("shop/web", "store.example.com", "/exact/").targets[0][1] in (90, 10)
    assert h.send("shop/web", "other.example.com", "/").status == 404


def test_repeated_run_makes_no_aws_writes(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    h.run(STATE)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_changing_one_rule_backend_makes_one_write(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    changed = STATE.replace(
        "    - path: {type: Exact, value: /exact}\n    backendRefs: [{name: v2",
        "    - path: {type: Exact, value: /exact}\n    backendRefs: [{name: v1",
    )
    assert changed != STATE
    h.run(changed)
    assert h.aws.counter.write_calls() == {"elastic-load-balancing-v2:ModifyRule": 1}
    assert backend_ips(h.send("shop/web", "store.example.com", "/exact")) == {
        "10.0.1.1:8080",
        "10.0.1.2:8080",
    }


def test_endpoint_changes_register_and_deregister_targets(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    scaled = STATE.replace("[10.0.1.2]", "[10.0.1.3]")
    h.run(scaled)
    assert h.aws.counter.write_calls() == {
        "elastic-load-balancing-v2:DeregisterTargets": 1,
        "elastic-load-balancing-v2:RegisterTargets": 1,
    }
    assert backend_ips(h.send("shop/web", "store.example.com", "/")) >= {
        "10.0.1.1:8080",
        "10.0.1.3:8080",
    }
    assert "10.0.1.2:8080" not in backend_ips(h.send("shop/web", "store.example.com", "/"))


def test_target_groups_are_shared_per_service_port(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    second = ROUTE.replace("name: store,", "name: store-b,").replace(
        "store.example.com", "b.example.com"
    )
    h.run(STATE + second)
    groups = h.elbv2.describe_target_groups()["TargetGroups"]
    assert len(groups) == 2


def test_deleted_gateway_leaves_nothing_owned_behind(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    result = h.run(GATEWAY_CLASS + BACKENDS)
    assert result.deleted == ["shop/web"]
    assert h.elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert h.elbv2.describe_target_groups()["TargetGroups"] == []
    groups = h.aws.client("ec2").describe_security_groups(
        Filters=[{"Name": "tag-key", "Values": ["awsgw.io/cluster"]}]
    )["SecurityGroups"]
    assert groups == []


def test_foreign_load_balancer_survives_every_run(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    elbv2 = h.elbv2
    foreign = elbv2.create_load_balancer(
        Name="someone-elses", Subnets=list(aws_env.subnet_ids[:2]), Type="application"
    )["LoadBalancers"][0]
    tg = elbv2.create_target_group(
        Name="foreign-tg", Protocol="HTTP", Port=80, VpcId=aws_env.vpc_id, TargetType="ip"
    )["TargetGroups"][0]
    listener = elbv2.create_listener(
        LoadBalancerArn=foreign["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )["Listeners"][0]
    h.run(STATE)
    h.run(GATEWAY_CLASS)
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    assert [lb["LoadBalancerName"] for lb in lbs] == ["someone-elses"]
    assert elbv2.describe_listeners(LoadBalancerArn=foreign["LoadBalancerArn"])["Listeners"] == [
        listener
    ]
    assert [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]] == [
        "foreign-tg"
    ]


def test_other_clusters_resources_are_left_alone(aws_env: MotoVpc) -> None:
    mine = Harness(aws_env.cluster, aws_env.vpc_id)
    other = Harness("other-cluster", aws_env.vpc_id)
    other_state = STATE.replace("name: web, namespace: shop", "name: web2, namespace: shop")
    other_state = other_state.replace("parentRefs: [{name: web}]", "parentRefs: [{name: web2}]")
    # The other cluster's subnets are tagged for "test-cluster" only: let it use any subnet.
    ec2 = mine.aws.client("ec2")
    ec2.create_tags(
        Resources=list(aws_env.subnet_ids),
        Tags=[{"Key": "kubernetes.io/cluster/other-cluster", "Value": "shared"}],
    )
    other.run(other_state)
    mine.run(GATEWAY_CLASS)
    assert len(mine.elbv2.describe_load_balancers()["LoadBalancers"]) == 1
    assert other.aws.counter.writes > 0
    assert mine.aws.counter.writes == 0


def test_invalid_backend_answers_500_and_route_stays_accepted(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    broken = STATE.replace(
        "backendRefs: [{name: v2, port: 80}]\n  - matches:\n    - path: {type: Exact",
        "backendRefs: [{name: missing, port: 80}]\n  - matches:\n    - path: {type: Exact",
    )
    assert broken != STATE
    result = h.run(broken)
    parent = result.statuses[("HTTPRoute", "shop/store")]["parents"][0]
    assert condition(parent, "Accepted")["status"] == "True"
    assert condition(parent, "ResolvedRefs")["reason"] == "BackendNotFound"
    out = h.send("shop/web", "store.example.com", "/cart", headers=(("x-canary", "yes"),))
    assert (out.action, out.status) == ("fixed-response", 500)


def test_listener_isolation_sends_specific_hosts_only_to_their_listener(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    state = (
        GATEWAY_CLASS
        + BACKENDS
        + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  gatewayClassName: alb
  listeners:
  - {name: wild, port: 80, protocol: HTTP, hostname: "*.example.com"}
  - {name: foo, port: 80, protocol: HTTP, hostname: foo.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wild, namespace: shop}
spec:
  parentRefs: [{name: web, sectionName: wild}]
  rules: [{backendRefs: [{name: v1, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: foo, namespace: shop}
spec:
  parentRefs: [{name: web, sectionName: foo}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /foo}}]
    backendRefs: [{name: v2, port: 80}]
"""
    )
    h.run(state)
    assert backend_ips(h.send("shop/web", "foo.example.com", "/foo")) == {"10.0.2.1:8080"}
    assert h.send("shop/web", "foo.example.com", "/other").status == 404
    assert backend_ips(h.send("shop/web", "bar.example.com", "/other")) == {
        "10.0.1.1:8080",
        "10.0.1.2:8080",
    }
    assert h.send("shop/web", "example.com", "/").status == 404


def test_redirect_without_port_uses_well_known_port_of_new_scheme(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    state = (
        GATEWAY_CLASS
        + GATEWAY
        + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: redirect, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules:
  - filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, hostname: secure.example.com, statusCode: 301}
"""
    )
    h.run(state)
    out = h.send("shop/web", "a.example.com", "/x?q=1")
    assert (out.status, out.location) == (301, "https://secure.example.com/x?q=1")


def test_rules_beyond_listener_quota_are_reported_in_route_status(aws_env: MotoVpc) -> None:
    from awsgw.providers.aws.alb.plan.compile import AlbLimits

    h = Harness(aws_env.cluster, aws_env.vpc_id, AlbLimits(rules_per_listener=2))
    result = h.run(STATE)
    parent = result.statuses[("HTTPRoute", "shop/store")]["parents"][0]
    partial = condition(parent, "PartiallyInvalid")
    assert partial["status"] == "True" and "quota" in partial["message"]
    listener = h.listeners("shop/web")[80]
    assert len([r for r in listener.rules if not r["IsDefault"]]) == 2


def test_many_hostnames_split_into_rules_within_condition_limits(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    hosts = [f"h{i}.example.com" for i in range(7)]
    state = STATE.replace("hostnames: [store.example.com]", f"hostnames: [{', '.join(hosts)}]")
    h.run(state)
    rules = [r for r in h.listeners("shop/web")[80].rules if not r["IsDefault"]]
    for rule in rules:
        values = 0
        for c in rule["Conditions"]:
            cfg = next(v for k, v in c.items() if k.endswith("Config"))
            values += len(cfg.get("Values") or cfg.get("RegexValues") or [])
        assert values <= 5
    for host in hosts:
        out = h.send("shop/web", host, "/cart/x", headers=(("x-canary", "yes"),))
        assert backend_ips(out) == {"10.0.2.1:8080"}


def test_gateway_moved_to_another_controllers_class_loses_its_alb(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    nlb_class = GATEWAY_CLASS.replace("name: alb", "name: nlb").replace(
        "awsgw.io/alb", "awsgw.io/nlb"
    )
    moved = STATE.replace("gatewayClassName: alb", "gatewayClassName: nlb") + nlb_class
    result = h.run(moved)
    assert result.deleted == ["shop/web"]
    assert h.elbv2.describe_load_balancers()["LoadBalancers"] == []


def test_route_status_drops_the_parent_entry_of_a_deleted_gateway(aws_env: MotoVpc) -> None:
    from tests.support import objects

    h = Harness(aws_env.cluster, aws_env.vpc_id)
    first = h.run(STATE)
    route_status = first.statuses[("HTTPRoute", "shop/store")]
    foreign = {"parentRef": {"name": "x"}, "controllerName": "example.com/other", "conditions": []}
    route_status["parents"].append(foreign)
    route_doc = next(o for o in objects(ROUTE) if o.kind == "HTTPRoute").raw
    route_doc["status"] = route_status
    import yaml

    result = h.run(GATEWAY_CLASS + BACKENDS + "---\n" + yaml.safe_dump(route_doc))
    assert result.statuses[("HTTPRoute", "shop/store")]["parents"] == [foreign]


def test_host_matches_case_insensitively_with_or_without_a_port(aws_env: MotoVpc) -> None:
    """RFC 9110: host names compare case-insensitively; the spec ignores the Host's port."""
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    for host in ("STORE.Example.com", "store.EXAMPLE.COM:8080", "store.example.com"):
        assert backend_ips(h.send("shop/web", host, "/exact")) == {"10.0.2.1:8080"}, host
    assert h.send("shop/web", "STORE.example.co", "/exact").status == 404


def test_a_full_listener_keeps_the_older_routes_rules(aws_env: MotoVpc) -> None:
    """Two Routes created at once: A (first by namespace/name) with one catch-all rule and
    B needing far more ALB rules than the listener holds. A keeps its place, B's rules are
    taken in its own precedence order while they fit, and each status says what happened."""
    h = Harness(aws_env.cluster, aws_env.vpc_id, AlbLimits(rules_per_listener=10))
    paths = "".join(
        f"\n  - matches: [{{path: {{type: Exact, value: /p{i}}}}}]"
        "\n    backendRefs: [{name: v2, port: 80}]"
        for i in range(8)
    )
    route_a = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: shop, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: web}]
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: v1, port: 80}]}]
"""
    route_b = f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: b, namespace: shop, creationTimestamp: "2026-01-01T00:00:00Z"}}
spec:
  parentRefs: [{{name: web}}]
  hostnames: [b1.example.com, b2.example.com, b3.example.com, b4.example.com]
  rules:{paths}
"""
    result = h.run(GATEWAY_CLASS + GATEWAY + route_a + route_b + BACKENDS)

    assert backend_ips(h.send("shop/web", "a.example.com", "/")) == {
        "10.0.1.1:8080",
        "10.0.1.2:8080",
    }
    a = result.statuses[("HTTPRoute", "shop/a")]["parents"][0]
    assert condition(a, "Accepted")["status"] == "True"
    assert not [c for c in a["conditions"] if c["type"] == "PartiallyInvalid"]
    b = result.statuses[("HTTPRoute", "shop/b")]["parents"][0]
    assert condition(b, "Accepted")["status"] == "True"
    partial = condition(b, "PartiallyInvalid")
    # 4 hostnames = 2 ALB rules per Route rule: 9 places left for B hold its rules 0..3
    assert partial["message"].startswith("Dropped Rule(s) [4, 5, 6, 7]")
    assert "quota" in partial["message"]
    assert backend_ips(h.send("shop/web", "b4.example.com", "/p3")) == {"10.0.2.1:8080"}
    assert h.send("shop/web", "b1.example.com", "/p4").status == 404
    assert len(h.listeners("shop/web")[80].rules) == 1 + 8 + 1  # A, B's 4 rules, default


def test_a_listener_full_with_older_rules_leaves_a_younger_route_unaccepted(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id, AlbLimits(rules_per_listener=3))
    older = ROUTE.replace("name: store,", 'name: store, creationTimestamp: "2026-01-01T00:00:00Z",')
    younger = ROUTE.replace(
        "name: store,", 'name: late, creationTimestamp: "2026-01-02T00:00:00Z",'
    ).replace("store.example.com", "late.example.com")
    result = h.run(STATE.replace(ROUTE, older) + younger)

    store = result.statuses[("HTTPRoute", "shop/store")]["parents"][0]
    assert condition(store, "Accepted")["status"] == "True"
    late = result.statuses[("HTTPRoute", "shop/late")]["parents"][0]
    accepted = condition(late, "Accepted")
    assert accepted["status"] == "False" and "quota" in accepted["message"]
    gw = result.statuses[("Gateway", "shop/web")]
    assert gw["listeners"][0]["attachedRoutes"] == 1

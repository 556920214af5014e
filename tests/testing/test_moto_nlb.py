"""The moto fills for Network Load Balancers, checked against the ELBv2 API reference:
Elastic IPs in subnet mappings, security groups only at creation, NLB listener protocols,
what an NLB listener's forward may be, and the ARNs of each load balancer type."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import MotoVpc


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def nlb(elbv2: Any, env: MotoVpc, **extra: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"Name": "n", "Type": "network", "Scheme": "internal", **extra}
    if "SubnetMappings" not in kwargs:
        kwargs["Subnets"] = list(env.subnet_ids[:1])
    lb: dict[str, Any] = elbv2.create_load_balancer(**kwargs)["LoadBalancers"][0]
    return lb


def group(elbv2: Any, env: MotoVpc, name: str, protocol: str, kind: str = "ip") -> str:
    tg = elbv2.create_target_group(
        Name=name, Protocol=protocol, Port=80, VpcId=env.vpc_id, TargetType=kind
    )["TargetGroups"][0]
    return str(tg["TargetGroupArn"])


def forward(*arns: str, weights: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    groups = [
        {"TargetGroupArn": a, "Weight": weights[i] if weights else 1} for i, a in enumerate(arns)
    ]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def test_elastic_ips_become_the_zones_load_balancer_addresses(aws_env: MotoVpc) -> None:
    elbv2, ec2 = boto3.client("elbv2"), boto3.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    mapping = [{"SubnetId": aws_env.subnet_ids[0], "AllocationId": eip["AllocationId"]}]
    lb = nlb(elbv2, aws_env, Scheme="internet-facing", SubnetMappings=mapping)
    live = elbv2.describe_load_balancers(LoadBalancerArns=[lb["LoadBalancerArn"]])
    zone = live["LoadBalancers"][0]["AvailabilityZones"][0]
    assert zone["LoadBalancerAddresses"] == [
        {"IpAddress": eip["PublicIp"], "AllocationId": eip["AllocationId"]}
    ]
    assert ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0].get(
        "AssociationId"
    )
    # in use: another NLB cannot have it; freed when the NLB is deleted
    with pytest.raises(ClientError) as exc:
        nlb(elbv2, aws_env, Name="other", Scheme="internet-facing", SubnetMappings=mapping)
    assert code(exc) == "InvalidConfigurationRequest"
    elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    address = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert not address.get("AssociationId")


def test_elastic_ips_are_refused_on_an_internal_nlb_and_when_unknown(aws_env: MotoVpc) -> None:
    elbv2, ec2 = boto3.client("elbv2"), boto3.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    mapping = [{"SubnetId": aws_env.subnet_ids[0], "AllocationId": eip["AllocationId"]}]
    with pytest.raises(ClientError) as exc:
        nlb(elbv2, aws_env, SubnetMappings=mapping)
    assert code(exc) == "InvalidConfigurationRequest"
    unknown = [{"SubnetId": aws_env.subnet_ids[0], "AllocationId": "eipalloc-0000000000000000"}]
    with pytest.raises(ClientError) as exc:
        nlb(elbv2, aws_env, Scheme="internet-facing", SubnetMappings=unknown)
    assert code(exc) == "AllocationIdNotFound"


def test_a_repeated_create_with_elastic_ips_is_idempotent(aws_env: MotoVpc) -> None:
    elbv2, ec2 = boto3.client("elbv2"), boto3.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    mapping = [{"SubnetId": aws_env.subnet_ids[0], "AllocationId": eip["AllocationId"]}]
    first = nlb(elbv2, aws_env, Scheme="internet-facing", SubnetMappings=mapping)
    again = nlb(elbv2, aws_env, Scheme="internet-facing", SubnetMappings=mapping)
    assert again["LoadBalancerArn"] == first["LoadBalancerArn"]


def test_network_load_balancers_and_their_listeners_have_net_arns(aws_env: MotoVpc) -> None:
    elbv2 = boto3.client("elbv2")
    lb = nlb(elbv2, aws_env)
    assert ":loadbalancer/net/n/" in lb["LoadBalancerArn"]
    tg = group(elbv2, aws_env, "t", "TCP")
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=5432, DefaultActions=forward(tg)
    )["Listeners"][0]
    assert ":listener/net/n/" in listener["ListenerArn"]
    again = nlb(elbv2, aws_env)
    assert again["LoadBalancerArn"] == lb["LoadBalancerArn"]
    alb = elbv2.create_load_balancer(Name="a", Subnets=list(aws_env.subnet_ids[:2]))
    assert ":loadbalancer/app/a/" in alb["LoadBalancers"][0]["LoadBalancerArn"]


def test_an_nlb_created_without_security_groups_cannot_get_any(aws_env: MotoVpc) -> None:
    elbv2, ec2 = boto3.client("elbv2"), boto3.client("ec2")
    sg = ec2.create_security_group(GroupName="g", Description="g", VpcId=aws_env.vpc_id)
    lb = nlb(elbv2, aws_env)
    with pytest.raises(ClientError) as exc:
        elbv2.set_security_groups(
            LoadBalancerArn=lb["LoadBalancerArn"], SecurityGroups=[sg["GroupId"]]
        )
    assert code(exc) == "InvalidConfigurationRequest"
    with_group = nlb(elbv2, aws_env, Name="n2", SecurityGroups=[sg["GroupId"]])
    elbv2.set_security_groups(
        LoadBalancerArn=with_group["LoadBalancerArn"], SecurityGroups=[sg["GroupId"]]
    )


def test_nlb_listener_protocol_changes_among_the_nlb_protocols(aws_env: MotoVpc) -> None:
    elbv2 = boto3.client("elbv2")
    lb = nlb(elbv2, aws_env)
    both = group(elbv2, aws_env, "both", "TCP_UDP")
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="UDP", Port=53,
        DefaultActions=forward(both),
    )["Listeners"][0]  # fmt: skip
    elbv2.modify_listener(ListenerArn=listener["ListenerArn"], Protocol="TCP_UDP")
    live = elbv2.describe_listeners(ListenerArns=[listener["ListenerArn"]])["Listeners"][0]
    assert live["Protocol"] == "TCP_UDP"
    with pytest.raises(ClientError) as exc:
        elbv2.modify_listener(ListenerArn=listener["ListenerArn"], Protocol="HTTP")
    assert code(exc) == "UnsupportedProtocol"


@pytest.mark.parametrize(
    ("listener", "target", "ok"),
    [
        ("TCP", "TCP", True),
        ("TCP", "TCP_UDP", True),
        ("TCP", "UDP", False),
        ("UDP", "UDP", True),
        ("UDP", "TCP", False),
        ("TCP_UDP", "TCP_UDP", True),
        ("TCP_UDP", "TCP", False),
    ],
)
def test_nlb_listeners_forward_only_to_target_groups_of_a_fitting_protocol(
    aws_env: MotoVpc, listener: str, target: str, ok: bool
) -> None:
    elbv2 = boto3.client("elbv2")
    lb = nlb(elbv2, aws_env)
    arn = group(elbv2, aws_env, "g", target)
    create = {
        "LoadBalancerArn": lb["LoadBalancerArn"],
        "Protocol": listener,
        "Port": 99,
        "DefaultActions": forward(arn),
    }
    if ok:
        elbv2.create_listener(**create)
    else:
        with pytest.raises(ClientError) as exc:
            elbv2.create_listener(**create)
        assert code(exc) == "ValidationError"


def test_nlb_forwards_take_up_to_five_weighted_groups_of_weights_0_to_999(
    aws_env: MotoVpc,
) -> None:
    elbv2 = boto3.client("elbv2")
    lb = nlb(elbv2, aws_env)
    arns = [group(elbv2, aws_env, f"g{i}", "TCP") for i in range(6)]
    base = {"LoadBalancerArn": lb["LoadBalancerArn"], "Protocol": "TCP"}
    elbv2.create_listener(
        **base, Port=1, DefaultActions=forward(*arns[:5], weights=(0, 1, 2, 3, 999))
    )
    for port, actions in (
        (2, forward(*arns)),
        (3, forward(arns[0], arns[1], weights=(1, 1000))),
        (4, [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]),
    ):
        with pytest.raises(ClientError) as exc:
            elbv2.create_listener(**base, Port=port, DefaultActions=actions)
        assert code(exc) == "ValidationError"


def test_an_alb_target_group_is_the_one_group_of_a_tcp_listener(aws_env: MotoVpc) -> None:
    elbv2 = boto3.client("elbv2")
    lb = nlb(elbv2, aws_env)
    alb = group(elbv2, aws_env, "alb", "TCP", kind="alb")
    ip = group(elbv2, aws_env, "ip", "TCP")
    base = {"LoadBalancerArn": lb["LoadBalancerArn"], "Protocol": "TCP"}
    elbv2.create_listener(**base, Port=80, DefaultActions=forward(alb))
    with pytest.raises(ClientError):
        elbv2.create_listener(**base, Port=81, DefaultActions=forward(alb, ip))
    listener = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    with pytest.raises(ClientError):
        elbv2.modify_listener(ListenerArn=listener["ListenerArn"], DefaultActions=forward(alb, ip))


def test_an_alb_is_registered_only_on_a_port_it_listens_on(aws_env: MotoVpc) -> None:
    elbv2 = boto3.client("elbv2")
    alb = elbv2.create_load_balancer(Name="a", Subnets=list(aws_env.subnet_ids[:2]))
    alb_arn = alb["LoadBalancers"][0]["LoadBalancerArn"]
    tg = group(elbv2, aws_env, "to-alb", "TCP", kind="alb")
    with pytest.raises(ClientError) as exc:
        elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": alb_arn, "Port": 80}])
    assert code(exc) == "ValidationError"
    fixed = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
    listener = elbv2.create_listener(
        LoadBalancerArn=alb_arn, Protocol="HTTP", Port=80, DefaultActions=fixed
    )["Listeners"][0]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": alb_arn, "Port": 80}])
    with pytest.raises(ClientError) as exc:
        elbv2.delete_listener(ListenerArn=listener["ListenerArn"])
    assert code(exc) == "ResourceInUse", "the NLB still hands connections to it"
    elbv2.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": alb_arn, "Port": 80}])
    elbv2.delete_listener(ListenerArn=listener["ListenerArn"])


def test_a_change_to_tls_needs_a_security_policy(aws_env: MotoVpc) -> None:
    elbv2, acm = boto3.client("elbv2"), boto3.client("acm")
    from tests.certs import self_signed_pem

    cert, key = self_signed_pem(("a.example.com",))
    arn = acm.import_certificate(Certificate=cert.encode(), PrivateKey=key.encode())
    lb = nlb(elbv2, aws_env)
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=443,
        DefaultActions=forward(group(elbv2, aws_env, "t", "TCP")),
    )["Listeners"][0]  # fmt: skip
    change = {"ListenerArn": listener["ListenerArn"], "Protocol": "TLS",
              "Certificates": [{"CertificateArn": arn["CertificateArn"]}]}  # fmt: skip
    with pytest.raises(ClientError) as exc:
        elbv2.modify_listener(**change)
    assert code(exc) == "ValidationError"
    elbv2.modify_listener(**change, SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06")

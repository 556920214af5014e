"""The moto fill for ModifyListener keeps SNI certificates, as ELBv2 does."""

from __future__ import annotations

import boto3

from tests.certs import self_signed_pem
from tests.conftest import MotoVpc


def imported(acm: object, host: str) -> str:
    cert, key = self_signed_pem((host,))
    arn: str = acm.import_certificate(Certificate=cert.encode(), PrivateKey=key.encode())[  # type: ignore[attr-defined]
        "CertificateArn"
    ]
    return arn


def test_modify_listener_replaces_only_the_default_certificate(aws_env: MotoVpc) -> None:
    acm = boto3.client("acm")
    elbv2 = boto3.client("elbv2")
    first, sni, second = (imported(acm, h) for h in ("a.example", "b.example", "c.example"))
    lb = elbv2.create_load_balancer(Name="certs", Subnets=list(aws_env.subnet_ids[:2]))
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancers"][0]["LoadBalancerArn"],
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": first}],
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Listeners"][0]["ListenerArn"]
    elbv2.add_listener_certificates(ListenerArn=listener, Certificates=[{"CertificateArn": sni}])
    elbv2.modify_listener(ListenerArn=listener, Certificates=[{"CertificateArn": second}])
    listed = elbv2.describe_listener_certificates(ListenerArn=listener)["Certificates"]
    assert {(c["CertificateArn"], c["IsDefault"]) for c in listed} == {
        (second, True),
        (sni, False),
    }

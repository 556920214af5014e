"""The moto VPC Lattice fills behave as the VPC Lattice API reference says, in ``mock_aws()``
and in a moto server (``awsgw.embedded.moto_server``), also after ``/moto-api/reset``."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from awsgw.testing import moto_lattice

FIXED_404 = {"fixedResponse": {"statusCode": 404}}
PREFIX = {"httpMatch": {"pathMatch": {"match": {"prefix": "/"}, "caseSensitive": True}}}


def code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    error = exc.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


def service(c: Any, name: str = "svc-one") -> dict[str, Any]:
    created: dict[str, Any] = c.create_service(name=name)
    return created


def group(c: Any, name: str = "group-one") -> dict[str, Any]:
    config = {"port": 8080, "protocol": "HTTP", "vpcIdentifier": "vpc-1"}
    created: dict[str, Any] = c.create_target_group(name=name, type="IP", config=config)
    return created


def listener(c: Any, svc: dict[str, Any], port: int = 80, name: str = "http-80") -> dict[str, Any]:
    created: dict[str, Any] = c.create_listener(
        serviceIdentifier=svc["id"], name=name, protocol="HTTP", port=port, defaultAction=FIXED_404
    )
    return created


def forward(tg: dict[str, Any], weight: int = 1) -> dict[str, Any]:
    return {"forward": {"targetGroups": [{"targetGroupIdentifier": tg["id"], "weight": weight}]}}


def rule(
    c: Any, svc: dict[str, Any], ls: dict[str, Any], priority: int, **kw: Any
) -> dict[str, Any]:
    created: dict[str, Any] = c.create_rule(
        serviceIdentifier=svc["id"],
        listenerIdentifier=ls["id"],
        name=kw.pop("name", f"rule-{priority}"),
        priority=priority,
        match=kw.pop("match", PREFIX),
        action=kw.pop("action", FIXED_404),
        **kw,
    )
    return created


def test_unknown_identifiers_are_404_resource_not_found(client: Any) -> None:
    for call, kwargs in [
        (client.get_service, {"serviceIdentifier": "svc-0123456789abcdef0"}),
        (client.delete_service, {"serviceIdentifier": "svc-0123456789abcdef0"}),
        (client.delete_target_group, {"targetGroupIdentifier": "tg-0123456789abcdef0"}),
        (
            client.get_service_network_vpc_association,
            {"serviceNetworkVpcAssociationIdentifier": "snva-0123456789abcdef0"},
        ),
    ]:
        with pytest.raises(ClientError) as exc:
            call(**kwargs)
        assert code(exc) == ("ResourceNotFoundException", 404)


def test_duplicate_names_are_conflicts(client: Any) -> None:
    svc = service(client)
    group(client)
    client.create_service_network(name="net-one")
    ls = listener(client, svc)
    rule(client, svc, ls, 1, name="same")
    for call in (
        lambda: service(client),
        lambda: group(client),
        lambda: client.create_service_network(name="net-one"),
        lambda: listener(client, svc, port=81),
        lambda: listener(client, svc, port=80, name="other"),
        lambda: rule(client, svc, ls, 2, name="same"),
        lambda: rule(client, svc, ls, 1, name="another"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert code(exc) == ("ConflictException", 409)


def test_rules_get_update_list_and_delete(client: Any) -> None:
    svc, tg = service(client), group(client)
    ls = listener(client, svc)
    created = rule(client, svc, ls, 5, action=forward(tg), tags={"k": "v"})
    ids = {"serviceIdentifier": svc["id"], "listenerIdentifier": ls["id"]}
    got = client.get_rule(ruleIdentifier=created["id"], **ids)
    assert (got["priority"], got["action"], got["isDefault"]) == (5, forward(tg), False)
    assert got["arn"].endswith(f"/listener/{ls['id']}/rule/{created['id']}")
    client.update_rule(ruleIdentifier=created["id"], priority=7, action=FIXED_404, **ids)
    assert client.get_rule(ruleIdentifier=created["id"], **ids)["action"] == FIXED_404
    items = client.list_rules(**ids)["items"]
    assert [(r.get("priority"), r["isDefault"]) for r in items] == [(7, False), (None, True)]
    default = next(r for r in items if r["isDefault"])
    with pytest.raises(ClientError) as exc:
        client.delete_rule(ruleIdentifier=default["id"], **ids)
    assert code(exc)[0] == "ValidationException"
    client.delete_rule(ruleIdentifier=created["id"], **ids)
    with pytest.raises(ClientError) as exc:
        client.get_rule(ruleIdentifier=created["id"], **ids)
    assert code(exc) == ("ResourceNotFoundException", 404)


def test_batch_update_may_swap_priorities_but_never_duplicate_them(client: Any) -> None:
    svc = service(client)
    ls = listener(client, svc)
    first, second = rule(client, svc, ls, 1), rule(client, svc, ls, 2)
    ids = {"serviceIdentifier": svc["id"], "listenerIdentifier": ls["id"]}
    done = client.batch_update_rule(
        rules=[
            {"ruleIdentifier": first["id"], "priority": 2},
            {"ruleIdentifier": second["id"], "priority": 1},
        ],
        **ids,
    )
    assert len(done["successful"]) == 2 and done["unsuccessful"] == []
    assert client.get_rule(ruleIdentifier=first["id"], **ids)["priority"] == 2
    with pytest.raises(ClientError) as exc:
        client.batch_update_rule(rules=[{"ruleIdentifier": first["id"], "priority": 1}], **ids)
    assert code(exc) == ("ConflictException", 409)
    with pytest.raises(ClientError) as exc:
        client.update_rule(ruleIdentifier=first["id"], priority=1, **ids)
    assert code(exc) == ("ConflictException", 409)


def test_quotas_two_listeners_and_ten_rules(client: Any) -> None:
    svc = service(client)
    ls = listener(client, svc)
    listener(client, svc, port=81, name="http-81")
    with pytest.raises(ClientError) as exc:
        listener(client, svc, port=82, name="http-82")
    assert code(exc) == ("ServiceQuotaExceededException", 402)
    for p in range(1, 11):
        rule(client, svc, ls, p)
    with pytest.raises(ClientError) as exc:
        rule(client, svc, ls, 11)
    assert code(exc) == ("ServiceQuotaExceededException", 402)


def test_fixed_responses_answer_only_404_or_500(client: Any) -> None:
    svc = service(client)
    ls = listener(client, svc)
    rule(client, svc, ls, 1, action={"fixedResponse": {"statusCode": 500}})
    with pytest.raises(ClientError) as exc:
        rule(client, svc, ls, 2, action={"fixedResponse": {"statusCode": 200}})
    assert code(exc)[0] == "ValidationException"


def test_target_group_in_use_cannot_be_deleted(client: Any) -> None:
    svc, tg = service(client), group(client)
    ls = listener(client, svc)
    created = rule(client, svc, ls, 1, action=forward(tg))
    summary = client.list_target_groups()["items"][0]
    assert summary["serviceArns"] == [svc["arn"]]
    with pytest.raises(ClientError) as exc:
        client.delete_target_group(targetGroupIdentifier=tg["id"])
    assert code(exc) == ("ConflictException", 409)
    ids = {"serviceIdentifier": svc["id"], "listenerIdentifier": ls["id"]}
    client.delete_rule(ruleIdentifier=created["id"], **ids)
    client.update_listener(defaultAction=forward(tg), **ids)  # a default action uses it too
    with pytest.raises(ClientError):
        client.delete_target_group(targetGroupIdentifier=tg["id"])
    client.delete_listener(**ids)
    assert client.get_target_group(targetGroupIdentifier=tg["id"])["serviceArns"] == []
    client.delete_target_group(targetGroupIdentifier=tg["id"])
    assert client.list_target_groups()["items"] == []


def test_targets_register_list_and_drain(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    tg = group(client)
    targets = [{"id": "10.0.0.1", "port": 80}, {"id": "10.0.0.2"}]
    client.register_targets(targetGroupIdentifier=tg["id"], targets=targets)
    listed = client.list_targets(targetGroupIdentifier=tg["id"])["items"]
    assert {(t["id"], t["port"], t["status"]) for t in listed} == {
        ("10.0.0.1", 80, "HEALTHY"),
        ("10.0.0.2", 8080, "HEALTHY"),  # the group's port by default
    }
    monkeypatch.setattr(moto_lattice, "DRAIN_SECONDS", 300.0)
    client.deregister_targets(
        targetGroupIdentifier=tg["id"], targets=[{"id": "10.0.0.1", "port": 80}]
    )
    listed = client.list_targets(targetGroupIdentifier=tg["id"])["items"]
    assert ("10.0.0.1", "DRAINING") in {(t["id"], t["status"]) for t in listed}
    monkeypatch.setattr(moto_lattice, "DRAIN_SECONDS", 0.0)
    client.deregister_targets(
        targetGroupIdentifier=tg["id"], targets=[{"id": "10.0.0.2", "port": 8080}]
    )
    assert [t["id"] for t in client.list_targets(targetGroupIdentifier=tg["id"])["items"]] == [
        "10.0.0.1"
    ]
    gone = client.deregister_targets(targetGroupIdentifier=tg["id"], targets=[{"id": "10.9.9.9"}])
    assert gone["unsuccessful"][0]["id"] == "10.9.9.9"


def test_update_target_group_health_check(client: Any) -> None:
    tg = group(client)
    updated = client.update_target_group(
        targetGroupIdentifier=tg["id"], healthCheck={"enabled": True, "path": "/healthz"}
    )
    assert updated["config"]["healthCheck"] == {"enabled": True, "path": "/healthz"}


def test_service_in_a_network_cannot_be_deleted_and_takes_its_listeners(client: Any) -> None:
    svc = service(client)
    ls = listener(client, svc)
    rule(client, svc, ls, 1)
    net = client.create_service_network(name="net-one")
    link = client.create_service_network_service_association(
        serviceIdentifier=svc["id"], serviceNetworkIdentifier=net["id"]
    )
    with pytest.raises(ClientError) as exc:
        client.create_service_network_service_association(
            serviceIdentifier=svc["arn"], serviceNetworkIdentifier=net["arn"]
        )
    assert code(exc) == ("ConflictException", 409)
    for call in (
        lambda: client.delete_service(serviceIdentifier=svc["id"]),
        lambda: client.delete_service_network(serviceNetworkIdentifier=net["id"]),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert code(exc) == ("ConflictException", 409)
    client.delete_service_network_service_association(
        serviceNetworkServiceAssociationIdentifier=link["id"]
    )
    assert client.delete_service(serviceIdentifier=svc["id"])["status"] == "DELETE_IN_PROGRESS"
    with pytest.raises(ClientError) as exc:
        client.get_listener(serviceIdentifier=svc["id"], listenerIdentifier=ls["id"])
    assert code(exc) == ("ResourceNotFoundException", 404)
    client.delete_service_network(serviceNetworkIdentifier=net["id"])
    assert client.list_service_networks()["items"] == []


def test_update_service_and_service_network(client: Any) -> None:
    svc = service(client)
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    assert (
        client.update_service(serviceIdentifier=svc["id"], certificateArn=arn)["certificateArn"]
        == arn
    )
    assert client.get_service(serviceIdentifier=svc["arn"])["certificateArn"] == arn
    net = client.create_service_network(name="net-one")
    updated = client.update_service_network(serviceNetworkIdentifier=net["id"], authType="AWS_IAM")
    assert updated["authType"] == "AWS_IAM"


def test_vpc_associations_one_network_per_vpc_and_security_groups(client: Any) -> None:
    net, other = (client.create_service_network(name=n) for n in ("net-one", "net-two"))
    link = client.create_service_network_vpc_association(
        serviceNetworkIdentifier=net["id"], vpcIdentifier="vpc-1", securityGroupIds=["sg-11111111"]
    )
    with pytest.raises(ClientError) as exc:
        client.create_service_network_vpc_association(
            serviceNetworkIdentifier=other["id"], vpcIdentifier="vpc-1"
        )
    assert code(exc) == ("ConflictException", 409)
    ident = {"serviceNetworkVpcAssociationIdentifier": link["id"]}
    client.update_service_network_vpc_association(securityGroupIds=["sg-22222222"], **ident)
    got = client.get_service_network_vpc_association(**ident)
    assert (got["securityGroupIds"], got["vpcId"], got["status"]) == (
        ["sg-22222222"],
        "vpc-1",
        "ACTIVE",
    )
    client.delete_service_network_vpc_association(**ident)
    with pytest.raises(ClientError) as exc:
        client.get_service_network_vpc_association(**ident)
    assert code(exc) == ("ResourceNotFoundException", 404)
    client.create_service_network_vpc_association(
        serviceNetworkIdentifier=other["id"], vpcIdentifier="vpc-1"
    )


def test_listener_ports_default_by_protocol(client: Any) -> None:
    svc = service(client)
    http = client.create_listener(
        serviceIdentifier=svc["id"], name="plain", protocol="HTTP", defaultAction=FIXED_404
    )
    https = client.create_listener(
        serviceIdentifier=svc["id"], name="secure", protocol="HTTPS", defaultAction=FIXED_404
    )
    assert (http["port"], https["port"]) == (80, 443)


def test_tls_listeners_need_a_custom_domain_tcp_groups_and_no_rules(client: Any) -> None:
    """ "TLS listeners for VPC Lattice services": the service must have a custom domain, the
    default action must forward to a TCP target group, and the only rule is the default;
    HTTP listeners do not forward to TCP groups."""
    tcp = client.create_target_group(
        name="tcp-one",
        type="IP",
        config={"port": 8200, "protocol": "TCP", "vpcIdentifier": "vpc-1"},
    )
    http = group(client)

    def tls(svc: dict[str, Any], action: dict[str, Any], name: str = "tls-443") -> Any:
        return client.create_listener(
            serviceIdentifier=svc["id"], name=name, protocol="TLS_PASSTHROUGH", port=443,
            defaultAction=action,
        )  # fmt: skip

    plain = service(client)
    with pytest.raises(ClientError) as exc:
        tls(plain, forward(tcp))
    assert code(exc) == ("ValidationException", 400)
    named = client.create_service(name="svc-two", customDomainName="vault.example.com")
    for action in (FIXED_404, forward(http)):
        with pytest.raises(ClientError) as exc:
            tls(named, action)
        assert code(exc)[0] == "ValidationException"
    ls = tls(named, forward(tcp))
    with pytest.raises(ClientError) as exc:
        rule(client, named, ls, 1, action=forward(tcp))
    assert code(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        client.update_listener(
            serviceIdentifier=named["id"], listenerIdentifier=ls["id"], defaultAction=FIXED_404
        )
    assert code(exc)[0] == "ValidationException"
    web = listener(client, plain)
    with pytest.raises(ClientError) as exc:
        rule(client, plain, web, 1, action=forward(tcp))
    assert code(exc)[0] == "ValidationException"

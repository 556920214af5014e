"""Network Load Balancer behaviour moto 5.2.5 lacks, filled to the ELBv2 API reference.

- Elastic IPs in ``SubnetMappings`` (CreateLoadBalancer): AWS gives each zone of the NLB its
  ``LoadBalancerAddresses`` (``IpAddress``, ``AllocationId``) and associates the address;
  it refuses Elastic IPs on an internal load balancer, unknown allocations and addresses
  already associated. moto drops the allocations and associates nothing.
- Security groups (SetSecurityGroups): an NLB created without security groups cannot get
  any later ("NLB security groups must be set at creation"); moto accepts them.
- Listener protocols (ModifyListener): an NLB listener may become ``TCP``, ``UDP``,
  ``TCP_UDP`` or ``TLS``; moto refuses all but ``TCP``.
- NLB default actions (CreateListener, ModifyListener): ``forward`` only; 1 to 5 target
  groups (weighted target groups on NLB, November 2025), weights 0–999; every target
  group's protocol fits the listener's (TCP: TCP or TCP_UDP; UDP: UDP or TCP_UDP;
  TCP_UDP: TCP_UDP; TLS: TCP or TLS); an ``alb``-type target group only on a TCP
  listener, alone. moto checks none of it.
- ALB-type target groups (RegisterTargets, DeleteListener): the ALB registered must have a
  listener on the target group's port (``ValidationError``), and an ALB listener whose port
  an ALB-type target group registers the ALB on cannot be deleted (``ResourceInUse``).
- Protocol changes to TLS or HTTPS (ModifyListener): "you must add the security policy and
  default certificate properties"; moto takes them without.
- ARNs: a network load balancer's ARN is ``loadbalancer/net/<name>/<id>`` and its
  listeners' ``listener/net/...`` (IAM policies tell the two types apart by it); moto
  writes ``app`` for every type.
"""

from __future__ import annotations

import threading
from typing import Any

from awsgw.providers.aws.elbv2.plan.forward import forwarded

_installed = False
_creating = threading.local()
"""The type of the load balancer this thread is creating (for its ARN)."""

FITS: dict[str, frozenset[str]] = {
    "TCP": frozenset({"TCP", "TCP_UDP"}),
    "UDP": frozenset({"UDP", "TCP_UDP"}),
    "TCP_UDP": frozenset({"TCP_UDP"}),
    "TLS": frozenset({"TCP", "TLS"}),
}
"""NLB listener protocol → the target group protocols it may forward to."""
NLB_PROTOCOLS = ("TCP", "UDP", "TCP_UDP", "TLS")
MAX_GROUPS = 5
MAX_WEIGHT = 999


def check_nlb_actions(
    protocol: str, actions: list[dict[str, Any]], groups: dict[str, tuple[str, str]]
) -> str | None:
    """What AWS says about an NLB listener's default actions (None: nothing);
    ``groups``: target group ARN → (protocol, target type)."""
    if len(actions) != 1 or actions[0].get("Type") != "forward":
        return "A Network Load Balancer listener supports one action, of type forward"
    pairs = forwarded(actions[0])
    if not 1 <= len(pairs) <= MAX_GROUPS:
        return f"A forward action takes 1 to {MAX_GROUPS} target groups"
    for arn, weight in pairs:
        if not 0 <= weight <= MAX_WEIGHT:
            return f"Target group weights must be between 0 and {MAX_WEIGHT}"
        if arn not in groups:
            continue  # moto reports an unknown target group itself
        tg_protocol, target_type = groups[arn]
        if tg_protocol not in FITS.get(protocol, frozenset()):
            return (
                f"Listener protocol '{protocol}' is not supported with a target group "
                f"with the protocol '{tg_protocol}'"
            )
        if target_type == "alb" and (protocol != "TCP" or len(pairs) > 1):
            return "A target group of type alb can only be the one target group of a TCP listener"
    return None


def install() -> None:
    """Patch moto's ELBv2 backend in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.elbv2 import models, utils
    from moto.elbv2.exceptions import ELBClientError

    backend = models.ELBv2Backend
    create_load_balancer = backend.create_load_balancer

    def typed_arn(account_id: str, lb_id: str, name: str, region_name: str) -> str:
        arn = utils.make_arn_for_load_balancer(account_id, lb_id, name, region_name)
        if getattr(_creating, "type", None) == "network":
            arn = arn.replace(":loadbalancer/app/", ":loadbalancer/net/", 1)
        return arn

    delete_load_balancer = backend.delete_load_balancer
    set_security_groups = backend.set_security_groups
    create_listener = backend.create_listener
    register_targets = backend.register_targets
    delete_listener = backend.delete_listener
    modify_listener = backend.modify_listener

    def groups_of(self: Any) -> dict[str, tuple[str, str]]:
        return {arn: (tg.protocol, tg.target_type) for arn, tg in self.target_groups.items()}

    def eip(self: Any, allocation: str) -> Any:
        for address in self.ec2_backend.addresses:
            if address.allocation_id == allocation:
                return address
        raise ELBClientError("AllocationIdNotFound", f"Elastic IP {allocation} not found")

    def typed(self: Any, *args: Any, **kwargs: Any) -> Any:
        _creating.type = kwargs.get("loadbalancer_type")
        try:
            return with_addresses(self, *args, **kwargs)
        finally:
            _creating.type = None

    def with_addresses(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("name") or args[0]
        if any(lb.name == name for lb in self.load_balancers.values()):
            return create_load_balancer(self, *args, **kwargs)  # a repeat: idempotency decides
        mappings = kwargs.get("subnet_mappings") or []
        scheme = kwargs.get("scheme") or "internet-facing"
        allocations = {m["SubnetId"]: m["AllocationId"] for m in mappings if m.get("AllocationId")}
        if allocations and scheme == "internal":
            raise ELBClientError(
                "InvalidConfigurationRequest",
                "Elastic IP addresses cannot be assigned to an internal load balancer",
            )
        addresses = {subnet: eip(self, a) for subnet, a in allocations.items()}
        for address in addresses.values():
            if address.association_id:
                raise ELBClientError(
                    "InvalidConfigurationRequest",
                    f"Elastic IP {address.allocation_id} is already associated",
                )
        lb = create_load_balancer(self, *args, **kwargs)
        lb.eips = addresses  # type: ignore[attr-defined]
        for address in addresses.values():
            address.association_id = f"eipassoc-{lb.arn[-17:]}"
        return lb

    def release_addresses(self: Any, arn: str) -> None:
        lb = self.load_balancers.get(arn)
        for address in getattr(lb, "eips", {}).values():
            address.association_id = None
        delete_load_balancer(self, arn)

    class ZoneWithAddresses:
        def __init__(self, subnet: Any, address: Any) -> None:
            self.subnet_id = subnet.id
            self.zone_name = subnet.availability_zone
            if address is not None:
                self.load_balancer_addresses = [
                    {"IpAddress": address.public_ip, "AllocationId": address.allocation_id}
                ]

    def availability_zones(lb: Any) -> list[Any]:
        eips = getattr(lb, "eips", {})
        return [ZoneWithAddresses(s, eips.get(s.id)) for s in lb.subnets]

    def security_groups_at_creation(self: Any, arn: str, sec_groups: list[str]) -> None:
        lb = self.load_balancers.get(arn)
        if lb is not None and lb.type == "network" and not lb.security_groups and sec_groups:
            raise ELBClientError(
                "InvalidConfigurationRequest",
                "A Network Load Balancer created without security groups cannot have any",
            )
        set_security_groups(self, arn, sec_groups)

    def checked_listener(
        self: Any,
        load_balancer_arn: str,
        protocol: str,
        port: str,
        ssl_policy: str,
        certificate: str | None,
        actions: list[dict[str, Any]],
        alpn_policy: list[str] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> Any:
        lb = self.load_balancers.get(load_balancer_arn)
        if lb is not None and lb.type == "network":
            problem = check_nlb_actions(protocol, actions, groups_of(self))
            if problem:
                raise ELBClientError("ValidationError", problem)
        return create_listener(
            self, load_balancer_arn, protocol, port, ssl_policy, certificate, actions,
            alpn_policy, tags,
        )  # fmt: skip

    def checked_modify(
        self: Any,
        arn: str,
        port: str | None = None,
        protocol: str | None = None,
        ssl_policy: str | None = None,
        certificates: list[dict[str, Any]] | None = None,
        actions: list[dict[str, Any]] | None = None,
    ) -> Any:
        listener = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])[0]
        tls = ("HTTPS", "TLS")
        if protocol in tls and listener.protocol not in tls and not ssl_policy:
            raise ELBClientError(
                "ValidationError",
                f"A security policy must be specified when changing the protocol to {protocol}",
            )
        lb = self.load_balancers.get(listener.load_balancer_arn)
        if lb is None or lb.type != "network":
            return modify_listener(self, arn, port, protocol, ssl_policy, certificates, actions)
        if protocol is not None and protocol not in NLB_PROTOCOLS:
            raise ELBClientError("UnsupportedProtocol", f"Protocol {protocol} is not supported")
        effective = protocol or listener.protocol
        live = [a.data for a in listener.default_actions]
        problem = check_nlb_actions(effective, actions or live, groups_of(self))
        if problem:
            raise ELBClientError("ValidationError", problem)
        if effective == "TLS" and not (certificates or listener.certificate):
            raise ELBClientError(
                "CertificateNotFound", "A TLS listener needs a default certificate"
            )
        result = modify_listener(self, arn, port, None, ssl_policy, certificates, actions)
        if protocol is not None:
            listener.protocol = protocol
        if effective == "TLS" and certificates:
            listener.certificate = certificates[0]["CertificateArn"]
        return result

    def alb_targets_listen(self: Any, target_group_arn: str, instances: list[Any]) -> None:
        tg = self.target_groups.get(target_group_arn)
        if tg is not None and tg.target_type == "alb":
            for target in instances:
                alb = self.load_balancers.get(target["Id"])
                port = int(target.get("Port") or tg.port)
                if alb is not None and port not in {int(ls.port) for ls in alb.listeners.values()}:
                    raise ELBClientError(
                        "ValidationError",
                        "If the target type is ALB, the target must have at least one listener "
                        "that matches the target group port or any specified port overrides",
                    )
        register_targets(self, target_group_arn, instances)

    def listener_not_in_use(self: Any, listener_arn: str) -> Any:
        for lb in self.load_balancers.values():
            listener = lb.listeners.get(listener_arn)
            if listener is None:
                continue
            for tg in self.target_groups.values():
                target = tg.targets.get(lb.arn) if tg.target_type == "alb" else None
                if target is not None and int(target["Port"]) == int(listener.port):
                    raise ELBClientError(
                        "ResourceInUse",
                        f"Listener port '{listener.port}' is in use by registered target "
                        f"'{lb.arn}' and cannot be removed.",
                    )
        return delete_listener(self, listener_arn)

    vars(models)["make_arn_for_load_balancer"] = typed_arn
    backend.register_targets = alb_targets_listen  # type: ignore[method-assign]
    backend.delete_listener = listener_not_in_use  # type: ignore[method-assign]  # what create_load_balancer calls
    backend.create_load_balancer = typed  # type: ignore[method-assign]
    backend.delete_load_balancer = release_addresses  # type: ignore[method-assign]
    backend.set_security_groups = security_groups_at_creation  # type: ignore[method-assign]
    backend.create_listener = checked_listener  # type: ignore[method-assign]
    backend.modify_listener = checked_modify  # type: ignore[method-assign]
    models.FakeLoadBalancer.availability_zones = property(availability_zones)  # type: ignore[method-assign,assignment]
    _installed = True

"""VPC Lattice gaps of moto 5.2.5, filled faithfully to the VPC Lattice API reference.

Operations moto lacks, added: Update/DeleteService, Update/DeleteServiceNetwork,
DeleteServiceNetworkServiceAssociation, Get/Update/DeleteServiceNetworkVpcAssociation,
Update/DeleteListener, Get/List/Update/Delete/BatchUpdateRule, Update/DeleteTargetGroup,
Register/DeregisterTargets, ListTargets; CreateRule replaced (moto mangles its ARN, checks nothing).

Behaviour, as the API reference and user guide state it:

- identifiers are IDs or ARNs; an unknown one is ``ResourceNotFoundException`` (HTTP 404);
- names are unique (services, service networks, target groups per account; listeners per
  service; rules per listener), as are listener ports and rule priorities:
  ``ConflictException`` (409);
- deleting something in use is a ``ConflictException``: a service network with service or
  VPC associations, a service associated with a service network, a target group that a
  listener's default action or a rule forwards to;
- a VPC joins one service network through an association (``ConflictException``);
- quotas (``ServiceQuotaExceededException``, 402): 2 listeners per service, 10 rules per
  listener, 1000 targets per target group;
- a listener lists its default rule (``isDefault``), which cannot be updated or deleted;
- a deleted listener or service takes its rules (and listeners) with it;
- deregistered targets are ``DRAINING`` for ``DRAIN_SECONDS`` (default 0: gone at once);
- target group summaries carry the ``serviceArns`` that forward to them;
- listener actions as ``moto_lattice_actions`` states them: fixed responses 404 or 500
  only, TLS listeners (``ValidationException``).

Target groups and their targets are filled in ``moto_lattice_targets``.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from awsgw.testing import moto_lattice_targets
from awsgw.testing.moto_lattice_actions import NO_DOMAIN, NO_RULES, TLS_PASSTHROUGH, action_problem
from awsgw.testing.moto_lattice_targets import Kit

DRAIN_SECONDS = 0.0
"""Seconds a deregistered target stays DRAINING (tests may raise it)."""
LISTENERS_PER_SERVICE = 2
RULES_PER_LISTENER = 10
NAME = r"(?!-)(?!.*--)[a-z0-9-]*[a-z0-9]"

_installed = False


@dataclass
class Rule:
    """A listener rule (moto's own model builds a wrong ARN)."""

    arn: str
    id: str
    name: str
    priority: int
    match: dict[str, Any]
    action: dict[str, Any]
    listener_id: str
    service_id: str
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    def view(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "id": self.id,
            "name": self.name,
            "priority": self.priority,
            "match": self.match,
            "action": self.action,
            "isDefault": False,
            "createdAt": self.created_at,
            "lastUpdatedAt": self.updated_at,
        }


def _short_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:17]}"


def install() -> None:  # noqa: C901  (one closure per patched operation)
    """Patch moto's VPC Lattice backend and responses in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult
    from moto.vpclattice import exceptions
    from moto.vpclattice.models import VPCLatticeBackend as B
    from moto.vpclattice.responses import VPCLatticeResponse as R

    def error(kind: str, status: int) -> Callable[[str], Exception]:
        def make(message: str) -> Exception:
            exc = JsonRESTError(kind, message)
            exc.code = status
            return exc

        return make

    exceptions.ResourceNotFoundException.code = 404
    not_found = exceptions.ResourceNotFoundException
    invalid = exceptions.ValidationException
    conflict = error("ConflictException", 409)
    over_quota = error("ServiceQuotaExceededException", 402)

    def on(cls: Any, name: str | None = None) -> Callable[[Any], Any]:
        """Register a function as the method ``name`` (default: its own) of ``cls``."""

        def register(fn: Any) -> Any:
            setattr(cls, name or fn.__name__, fn)
            return fn

        return register

    def pick(view: dict[str, Any], *keys: str) -> dict[str, Any]:
        return {k: view.get(k) for k in keys}

    def drop(b: Any, coll: dict[str, Any], item: Any) -> None:
        del coll[item.id]
        b.tagger.delete_all_tags_for_resource(item.arn)

    # ------------------------------------------------------------------ lookups
    def find(coll: dict[str, Any], ident: str, what: str) -> Any:
        found = coll.get(unquote(ident or "").rsplit("/", 1)[-1])
        if found is None:
            raise not_found(f"{what} {ident} not found")
        return found

    # moto calls these with keyword arguments: keep its parameter names
    B.get_service = lambda self, service_identifier: find(  # type: ignore[method-assign]
        self.services, service_identifier, "Service"
    )
    B.get_service_network = lambda self, service_network_identifier: find(  # type: ignore[method-assign]
        self.service_networks, service_network_identifier, "Service network"
    )
    B.get_target_group = lambda self, target_group_identifier: find(  # type: ignore[method-assign]
        self.target_groups, target_group_identifier, "Target group"
    )

    @on(B)
    def get_listener(self: Any, service_identifier: str, listener_identifier: str) -> Any:
        service = self.get_service(service_identifier)
        listener = find(self.listeners, listener_identifier, "Listener")
        if listener.service_identifier != service.id:
            raise not_found(f"Listener {listener_identifier} not found in {service.id}")
        return listener

    def find_rule(self: Any, service: str, listener: str, rule: str) -> Rule:
        ls = get_listener(self, service, listener)
        found = find(self.rules, rule, "Rule")
        if not isinstance(found, Rule) or found.listener_id != ls.id:
            raise not_found(f"Rule {rule} not found in listener {ls.id}")
        return found

    def rules_of(self: Any, listener_id: str) -> list[Rule]:
        rules = [r for r in self.rules.values() if isinstance(r, Rule)]
        return sorted((r for r in rules if r.listener_id == listener_id), key=lambda r: r.priority)

    def forwards_to(action: dict[str, Any] | None) -> set[str]:
        groups = ((action or {}).get("forward") or {}).get("targetGroups") or []
        return {unquote(g["targetGroupIdentifier"]).rsplit("/", 1)[-1] for g in groups}

    def service_arns(self: Any, tg_id: str) -> list[str]:
        listeners = self.listeners.values()
        users = {
            ls.service_identifier for ls in listeners if tg_id in forwards_to(ls.default_action)
        }
        rules = [r for r in self.rules.values() if isinstance(r, Rule)]
        users |= {r.service_id for r in rules if tg_id in forwards_to(r.action)}
        return sorted(self.services[s].arn for s in users if s in self.services)

    def check_name(name: str, what: str) -> None:
        if not re.fullmatch(NAME, name or ""):
            raise invalid(f"Invalid {what} name {name!r}")

    def check_action(self: Any, action: dict[str, Any], protocol: str | None = None) -> None:
        groups = [self.get_target_group(tg).config or {} for tg in forwards_to(action)]
        problem = action_problem(protocol, action, [str(g.get("protocol")) for g in groups])
        if problem:
            raise invalid(problem)

    # ------------------------------------------------------------------ creates, checked
    original = {n: getattr(B, n) for n in dir(B) if n.startswith("create_")}

    def unique(method: str, coll: str, what: str) -> None:
        def create(self: Any, **kw: Any) -> Any:
            check_name(kw["name"], what)
            if any(r.name == kw["name"] for r in getattr(self, coll).values()):
                raise conflict(f"{what} {kw['name']} already exists")
            return original[method](self, **kw)

        setattr(B, method, create)

    unique("create_service", "services", "Service")
    unique("create_service_network", "service_networks", "Service network")
    unique("create_target_group", "target_groups", "Target group")

    @on(B)
    def create_listener(self: Any, **kw: Any) -> Any:
        service = self.get_service(kw["service_identifier"])
        kw["service_identifier"] = service.id
        kw["port"] = kw.get("port") or {"HTTP": 80}.get(kw.get("protocol", ""), 443)
        have = [ls for ls in self.listeners.values() if ls.service_identifier == service.id]
        if any(ls.name == kw["name"] or ls.port == kw["port"] for ls in have):
            raise conflict(f"Listener name or port already used in {service.id}")
        if len(have) >= LISTENERS_PER_SERVICE:
            raise over_quota("Listeners per service quota reached")
        if kw.get("protocol") == TLS_PASSTHROUGH and not service.custom_domain_name:
            raise invalid(NO_DOMAIN)
        check_action(self, kw.get("default_action") or {}, kw.get("protocol"))
        listener = original["create_listener"](self, **kw)
        listener.default_rule_id = _short_id("rule")
        return listener

    @on(B, "create_service_network_service_association")
    def create_snsa(self: Any, **kw: Any) -> Any:
        sn = self.get_service_network(kw["service_network_identifier"])
        svc = self.get_service(kw["service_identifier"])
        kw.update(service_network_identifier=sn.id, service_identifier=svc.id)
        for a in self.service_network_service_associations.values():
            if a.service_network_id == sn.id and a.service_id == svc.id:
                raise conflict(f"Service {svc.id} is already associated with {sn.id}")
        return original["create_service_network_service_association"](self, **kw)

    @on(B, "create_service_network_vpc_association")
    def create_snva(self: Any, **kw: Any) -> Any:
        self.get_service_network(kw["service_network_identifier"])
        for a in self.service_network_vpc_associations.values():
            if a.vpc_id == kw["vpc_identifier"]:
                raise conflict(f"VPC {a.vpc_id} is associated with {a.service_network_id}")
        return original["create_service_network_vpc_association"](self, **kw)

    # ------------------------------------------------------------------ responses
    def param(self: Any, name: str, default: Any = None) -> Any:
        value = self._get_param(name, default)
        return unquote(value) if isinstance(value, str) else value

    def ok(result: dict[str, Any]) -> Any:
        return ActionResult({k: v for k, v in result.items() if v is not None})

    def backend(self: Any) -> Any:
        return self.backend

    @on(R)
    def delete_service(self: Any) -> Any:
        b = backend(self)
        svc = b.get_service(param(self, "serviceIdentifier"))
        if any(a.service_id == svc.id for a in b.service_network_service_associations.values()):
            raise conflict(f"Service {svc.id} is associated with a service network")
        for ls in [ls for ls in b.listeners.values() if ls.service_identifier == svc.id]:
            drop_listener(b, ls)
        drop(b, b.services, svc)
        return ok({"arn": svc.arn, "id": svc.id, "name": svc.name, "status": "DELETE_IN_PROGRESS"})

    @on(R)
    def update_service(self: Any) -> Any:
        svc = backend(self).get_service(param(self, "serviceIdentifier"))
        svc.auth_type = param(self, "authType", svc.auth_type)
        svc.certificate_arn = param(self, "certificateArn", svc.certificate_arn)
        return ok(pick(svc.to_dict(), "arn", "authType", "certificateArn", "id", "name"))

    @on(R)
    def update_service_network(self: Any) -> Any:
        sn = backend(self).get_service_network(param(self, "serviceNetworkIdentifier"))
        sn.auth_type = param(self, "authType")
        return ok({"arn": sn.arn, "authType": sn.auth_type, "id": sn.id, "name": sn.name})

    @on(R)
    def delete_service_network(self: Any) -> Any:
        b = backend(self)
        sn = b.get_service_network(param(self, "serviceNetworkIdentifier"))
        links = [*b.service_network_service_associations.values()]
        links += b.service_network_vpc_associations.values()
        if any(a.service_network_id == sn.id for a in links):
            raise conflict(f"Service network {sn.id} has associations")
        drop(b, b.service_networks, sn)
        return ok({})

    @on(R, "delete_service_network_service_association")
    def delete_snsa(self: Any) -> Any:
        b = backend(self)
        ident = param(self, "serviceNetworkServiceAssociationIdentifier")
        assoc = find(b.service_network_service_associations, ident, "Association")
        drop(b, b.service_network_service_associations, assoc)
        return ok({"arn": assoc.arn, "id": assoc.id, "status": "DELETE_IN_PROGRESS"})

    def snva(self: Any) -> Any:
        ident = param(self, "serviceNetworkVpcAssociationIdentifier")
        return find(backend(self).service_network_vpc_associations, ident, "Association")

    @on(R, "get_service_network_vpc_association")
    def get_snva(self: Any) -> Any:
        view = snva(self).to_dict()
        return ok({**view, "createdAt": None, "lastUpdatedAt": None})

    @on(R, "update_service_network_vpc_association")
    def update_snva(self: Any) -> Any:
        assoc = snva(self)
        groups = param(self, "securityGroupIds") or []
        if not groups:
            raise invalid("An association keeps at least one security group once it has one")
        assoc.security_group_ids = groups
        return ok(pick(assoc.to_dict(), "arn", "createdBy", "id", "securityGroupIds", "status"))

    @on(R, "delete_service_network_vpc_association")
    def delete_snva(self: Any) -> Any:
        b, assoc = backend(self), snva(self)
        drop(b, b.service_network_vpc_associations, assoc)
        return ok({"arn": assoc.arn, "id": assoc.id, "status": "DELETE_IN_PROGRESS"})

    def listener_of(self: Any) -> Any:
        ids = (param(self, "serviceIdentifier"), param(self, "listenerIdentifier"))
        return get_listener(backend(self), *ids)

    @on(R)
    def update_listener(self: Any) -> Any:
        ls = listener_of(self)
        action = param(self, "defaultAction")
        check_action(backend(self), action, ls.protocol)
        ls.default_action = action
        keys = ("arn", "defaultAction", "id", "name", "port", "protocol", "serviceArn", "serviceId")
        return ok(pick(ls.to_dict(), *keys))

    def drop_listener(b: Any, ls: Any) -> None:
        for rule in rules_of(b, ls.id):
            drop(b, b.rules, rule)
        drop(b, b.listeners, ls)

    @on(R)
    def delete_listener(self: Any) -> Any:
        drop_listener(backend(self), listener_of(self))
        return ok({})

    def default_rule(ls: Any) -> dict[str, Any]:
        rule_id = getattr(ls, "default_rule_id", None) or _short_id("rule")
        ls.default_rule_id = rule_id
        return {"arn": f"{ls.arn}/rule/{rule_id}", "id": rule_id, "isDefault": True}

    def check_priority(b: Any, listener_id: str, priority: int, rule_id: str | None) -> None:
        for other in rules_of(b, listener_id):
            if other.priority == priority and other.id != rule_id:
                raise conflict(f"Priority {priority} is already used by {other.id}")

    @on(R)
    def create_rule(self: Any) -> Any:
        b, ls = backend(self), listener_of(self)
        name, priority = param(self, "name"), int(param(self, "priority"))
        check_name(name, "rule")
        have = rules_of(b, ls.id)
        if any(r.name == name for r in have):
            raise conflict(f"Rule {name} already exists in listener {ls.id}")
        if ls.protocol == TLS_PASSTHROUGH:
            raise invalid(NO_RULES)
        check_priority(b, ls.id, priority, None)
        if len(have) >= RULES_PER_LISTENER:
            raise over_quota("Rules per listener quota reached")
        action = param(self, "action")
        check_action(b, action, ls.protocol)
        rule_id = _short_id("rule")
        arn = f"{ls.arn}/rule/{rule_id}"
        match = param(self, "match")
        rule = Rule(arn, rule_id, name, priority, match, action, ls.id, ls.service_identifier)
        b.rules[rule_id] = rule
        b.tag_resource(arn, param(self, "tags") or {})
        return ok(pick(rule.view(), "arn", "id", "name", "priority", "match", "action"))

    def rule_ids(self: Any) -> tuple[str, str, str]:
        names = ("serviceIdentifier", "listenerIdentifier", "ruleIdentifier")
        return param(self, names[0]), param(self, names[1]), param(self, names[2])

    @on(R)
    def get_rule(self: Any) -> Any:
        sid, lid, rid = rule_ids(self)
        ls = get_listener(backend(self), sid, lid)
        default = default_rule(ls)
        if rid.rsplit("/", 1)[-1] == default["id"]:
            return ok({**default, "action": ls.default_action, "match": None})
        return ok(find_rule(backend(self), sid, lid, rid).view())

    @on(R)
    def list_rules(self: Any) -> Any:
        b, ls = backend(self), listener_of(self)
        keys = ("arn", "id", "name", "priority", "isDefault", "createdAt", "lastUpdatedAt")
        items = [pick(r.view(), *keys) for r in rules_of(b, ls.id)]
        return ok({"items": [*items, default_rule(ls)]})

    def change_rule(b: Any, rule: Rule, change: dict[str, Any]) -> None:
        if change.get("action") is not None:
            check_action(b, change["action"])
            rule.action = change["action"]
        if change.get("match") is not None:
            rule.match = change["match"]
        if change.get("priority") is not None:
            rule.priority = int(change["priority"])
        rule.updated_at = time.time()

    @on(R)
    def update_rule(self: Any) -> Any:
        sid, lid, rid = rule_ids(self)
        b = backend(self)
        ls = get_listener(b, sid, lid)
        if rid.rsplit("/", 1)[-1] == default_rule(ls)["id"]:
            raise invalid("The default rule cannot be updated; update the listener")
        rule = find_rule(b, sid, lid, rid)
        change = {k: param(self, k) for k in ("action", "match", "priority")}
        if change["priority"] is not None:
            check_priority(b, ls.id, int(change["priority"]), rule.id)
        change_rule(b, rule, change)
        return ok(rule.view())

    @on(R)
    def batch_update_rule(self: Any) -> Any:
        b, ls = backend(self), listener_of(self)
        sid = ls.service_identifier
        done, failed, planned = [], [], {r.id: r.priority for r in rules_of(b, ls.id)}
        for change in param(self, "rules"):
            try:
                rule = find_rule(b, sid, ls.id, change["ruleIdentifier"])
                if change.get("action") is not None:
                    check_action(b, change["action"])
            except JsonRESTError as exc:
                code = exc.error_type if hasattr(exc, "error_type") else "ValidationException"
                failed.append({"ruleIdentifier": change["ruleIdentifier"], "failureCode": code})
                continue
            if change.get("priority") is not None:
                planned[rule.id] = int(change["priority"])
            done.append((rule, change))
        if len(set(planned.values())) != len(planned):
            raise conflict("Rule priorities would not be unique")
        for rule, change in done:
            change_rule(b, rule, change)
        return ok({"successful": [r.view() for r, _ in done], "unsuccessful": failed})

    @on(R)
    def delete_rule(self: Any) -> Any:
        sid, lid, rid = rule_ids(self)
        b = backend(self)
        if rid.rsplit("/", 1)[-1] == default_rule(get_listener(b, sid, lid))["id"]:
            raise invalid("The default rule cannot be deleted")
        drop(b, b.rules, find_rule(b, sid, lid, rid))
        return ok({})

    moto_lattice_targets.install(Kit(param, ok, pick, drop, conflict, over_quota, service_arns))
    _installed = True

"""Evaluate a request (or a TLS connection) against live VPC Lattice state, the way Lattice
routes it.

Reads only AWS (services, their network associations, listeners, rules, target groups and
targets), never the compiler's internals, so it judges what was really programmed.

- A client in a VPC reaches a service by its DNS name (or custom domain) only when the VPC
  and the service are associated with one same service network.
- The listener is the service's listener on the request's port. Its rules run lowest
  priority first, the default action last; a rule's conditions all hold (AND).
- ``pathMatch``: ``exact`` equals the path, ``prefix`` starts it (the query never counts);
  ``caseSensitive`` defaults to false. ``method`` equals the method. Each ``headerMatches``
  entry needs a header of that name (names ignore case) whose value is ``exact``, starts
  with ``prefix`` or ``contains`` the value; ``caseSensitive`` defaults to false.
- ``forward`` splits by weight over target groups; their registered, not draining targets
  serve (503 when none does); ``fixedResponse`` answers its status code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.lattice.inventory import pages


@dataclass
class LatticeOutcome:
    """Where a request ends: the rule (``default``, or ``none`` when unreachable)."""

    rule: str
    action: str  # forward | fixed-response | unreachable
    status: int
    targets: list[tuple[str, int, list[str]]] = field(default_factory=list)
    """forward: (target group name, weight, ["ip:port", ...])."""


def _same(want: str, got: str, case_sensitive: bool) -> tuple[str, str]:
    return (want, got) if case_sensitive else (want.lower(), got.lower())


def path_matches(spec: dict[str, Any], path: str) -> bool:
    kind, value = next(iter(spec["match"].items()))
    want, got = _same(value, path, bool(spec.get("caseSensitive", False)))
    return got == want if kind == "exact" else got.startswith(want)


def header_matches(spec: dict[str, Any], headers: tuple[tuple[str, str], ...]) -> bool:
    kind, value = next(iter(spec["match"].items()))
    sensitive = bool(spec.get("caseSensitive", False))
    for name, sent in headers:
        if name.lower() != spec["name"].lower():
            continue
        want, got = _same(value, sent, sensitive)
        if (
            (kind == "exact" and got == want)
            or (kind == "prefix" and got.startswith(want))
            or (kind == "contains" and want in got)
        ):
            return True
    return False


def rule_matches(match: dict[str, Any] | None, req: Request) -> bool:
    http = (match or {}).get("httpMatch") or {}
    if "pathMatch" in http and not path_matches(http["pathMatch"], req.path_only):
        return False
    if http.get("method") and http["method"] != req.method:
        return False
    return all(header_matches(h, req.headers) for h in http.get("headerMatches") or [])


@dataclass
class LiveListener:
    port: int
    rules: list[dict[str, Any]]
    """Rules lowest priority first, then the default action as ``{"action": ...}``."""
    groups: dict[str, tuple[str, list[str]]]
    """Target group id → (name, ["ip:port", ...] serving)."""
    protocol: str = "HTTP"
    """``HTTP``, ``HTTPS`` or ``TLS_PASSTHROUGH``."""

    def evaluate(self, req: Request) -> LatticeOutcome:
        for rule in self.rules:
            if rule.get("isDefault") or rule_matches(rule.get("match"), req):
                return self._act(rule.get("name") or "default", rule.get("action") or {})
        return LatticeOutcome("none", "none", 404)

    def _act(self, name: str, action: dict[str, Any]) -> LatticeOutcome:
        if "fixedResponse" in action:
            return LatticeOutcome(
                name, "fixed-response", int(action["fixedResponse"]["statusCode"])
            )
        targets = []
        for g in (action.get("forward") or {}).get("targetGroups") or []:
            ident = g["targetGroupIdentifier"].rsplit("/", 1)[-1]
            group_name, serving = self.groups.get(ident, (ident, []))
            targets.append((group_name, int(g.get("weight", 1)), serving))
        live = [t for t in targets if t[1] > 0 and t[2]]
        return LatticeOutcome(name, "forward", 200 if live else 503, targets)


def _group(client: Any, ident: str) -> tuple[str, list[str]]:
    tg = client.get_target_group(targetGroupIdentifier=ident)
    found = pages(client, "list_targets", targetGroupIdentifier=tg["id"])
    return tg["name"], sorted(
        f"{t['id']}:{t['port']}" for t in found if t.get("status") != "DRAINING"
    )


def load_listeners(client: Any, service_id: str) -> dict[int, LiveListener]:
    """Every listener of a service with its rules and serving targets."""
    out = {}
    for ls in pages(client, "list_listeners", serviceIdentifier=service_id):
        ids = {"serviceIdentifier": service_id, "listenerIdentifier": ls["id"]}
        rules = [
            client.get_rule(ruleIdentifier=r["id"], **ids)
            for r in pages(client, "list_rules", **ids)
            if not r.get("isDefault")
        ]
        rules.sort(key=lambda r: int(r["priority"]))
        listener = client.get_listener(**ids)
        rules.append({"isDefault": True, "action": listener.get("defaultAction")})
        groups = {
            g["targetGroupIdentifier"].rsplit("/", 1)[-1]
            for r in rules
            for g in ((r.get("action") or {}).get("forward") or {}).get("targetGroups") or []
        }
        out[int(ls["port"])] = LiveListener(
            int(ls["port"]),
            rules,
            {g: _group(client, g) for g in sorted(groups)},
            str(listener.get("protocol") or ls.get("protocol") or "HTTP"),
        )
    return out


def find_service(client: Any, host: str) -> dict[str, Any] | None:
    """The service whose DNS name or custom domain is the Host (its port ignored)."""
    name = host.split(":", 1)[0].lower()
    for svc in pages(client, "list_services"):
        dns = ((svc.get("dnsEntry") or {}).get("domainName") or "").lower()
        if name in (dns, (svc.get("customDomainName") or "").lower()):
            return svc
    return None


def reachable(client: Any, vpc: str, service_id: str) -> bool:
    """Do the VPC and the service share an (active) service network?"""
    joined = {
        a["serviceNetworkId"]
        for a in pages(client, "list_service_network_vpc_associations", vpcIdentifier=vpc)
        if a.get("status", "ACTIVE") == "ACTIVE"
    }
    links = pages(client, "list_service_network_service_associations", serviceIdentifier=service_id)
    return any(a.get("serviceNetworkId") in joined for a in links)


def send(client: Any, vpc: str, req: Request) -> LatticeOutcome:
    """A request from a client in ``vpc``, end to end."""
    svc = find_service(client, req.host)
    if svc is None or not reachable(client, vpc, svc["id"]):
        return LatticeOutcome("none", "unreachable", 0)
    listener = load_listeners(client, svc["id"]).get(req.port)
    if listener is None:
        return LatticeOutcome("none", "unreachable", 0)
    return listener.evaluate(req)


def connect(client: Any, vpc: str, sni: str, port: int) -> LatticeOutcome:
    """A TLS connection from a client in ``vpc`` sending server name ``sni``: the service
    whose custom domain it is, its ``TLS_PASSTHROUGH`` listener on the port, the default
    forward (a TLS listener has no other rule)."""
    svc = next(
        (s for s in pages(client, "list_services")
         if (s.get("customDomainName") or "").lower() == sni.lower()),
        None,
    )  # fmt: skip
    if svc is None or not reachable(client, vpc, svc["id"]):
        return LatticeOutcome("none", "unreachable", 0)
    listener = load_listeners(client, svc["id"]).get(port)
    if listener is None or listener.protocol != "TLS_PASSTHROUGH":
        return LatticeOutcome("none", "unreachable", 0)
    return listener.evaluate(Request(host=sni, port=port, scheme="https"))

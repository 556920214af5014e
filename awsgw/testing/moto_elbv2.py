"""ELBv2 gaps of moto 5.2.5, filled faithfully to the ELBv2 API reference.

Rule ``Transforms`` (CreateRule/ModifyRule ``Transforms``, ModifyRule ``ResetTransforms``,
DescribeRules ``Transforms``), which moto drops: stored and returned; at most one transform
of each type, each with one rewrite (``ValidationError`` otherwise).

``RegexValues`` in host-header, path-pattern and http-header conditions, which moto refuses
("A condition value must be specified"): accepted when ``Values`` is absent, each regex at
most 128 characters; both at once is a ``ValidationError``.

``ModifyListener`` with ``Certificates`` replaces the default certificate only; the SNI
certificates added with ``AddListenerCertificates`` stay (moto drops them all).

``SetRulePriorities`` is one change: "You can reorder the rules as long as there are no
priority conflicts in the new order", so a priority held by a rule that the same call moves
away is free (moto refuses it with ``PriorityInUse``).

``CreateTargetGroup`` with ``ProtocolVersion: GRPC`` and no health check path or matcher
takes the gRPC defaults of the API reference (path ``/AWS.ALB/healthcheck`` — the
reference's rendering, "/Amazon Web Services.ALB/healthcheck", is its name substitution —
and ``GrpcCode`` 12); moto gives it the HTTP ones (``/``, ``HttpCode`` 200).

Limits moto does not enforce, as the AWS documentation states them ("Listener rules for
your Application Load Balancer" and "Quotas for your Application Load Balancers"):

- at most 3 match evaluations per condition and 5 per rule (``ValidationError``);
- at most one host-header, path-pattern, http-request-method and source-ip condition per
  rule (``ValidationError``);
- at most 100 rules per listener, the default action excluded (``TooManyRules``);
- forward weights 0–999 and at most 5 target groups per forward action
  (``ValidationError``).
"""

from __future__ import annotations

from typing import Any

RULES_PER_LISTENER = 100
GRPC_HEALTH_PATH = "/AWS.ALB/healthcheck"
GRPC_HEALTHY_CODE = "12"
VALUES_PER_RULE = 5
VALUES_PER_CONDITION = 3
SINGLE_FIELDS = ("host-header", "path-pattern", "http-request-method", "source-ip")
CONFIG_KEYS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "source-ip": "SourceIpConfig",
    "http-header": "HttpHeaderConfig",
    "query-string": "QueryStringConfig",
}

_installed = False


REGEX_FIELDS = ("host-header", "path-pattern", "http-header")
REGEX_LENGTH = 128
TRANSFORM_KEYS = {
    "url-rewrite": "UrlRewriteConfig",
    "host-header-rewrite": "HostHeaderRewriteConfig",
}


def condition_values(condition: dict[str, Any]) -> int:
    """Match evaluations of one rule condition, as ELBv2 counts them."""
    config = condition.get(CONFIG_KEYS.get(condition.get("Field", ""), ""), {})
    values = config.get("Values") or config.get("RegexValues") or condition.get("Values") or []
    return len(values)


def check_regex_values(condition: dict[str, Any]) -> str | None:
    """The error for a condition's RegexValues, or None (also when it has none)."""
    config = condition.get(CONFIG_KEYS.get(condition.get("Field", ""), ""), {}) or {}
    regexes = config.get("RegexValues")
    if not regexes:
        return None
    if config.get("Values") or condition.get("Values"):
        return "You cannot specify both Values and RegexValues for a condition"
    for regex in regexes:
        if len(regex) > REGEX_LENGTH:
            return f"A regex value is too long; the limit is '{REGEX_LENGTH}'"
    return None


def check_transforms(transforms: list[dict[str, Any]]) -> str | None:
    kinds = [t.get("Type") for t in transforms]
    for kind in kinds:
        if kind not in TRANSFORM_KEYS:
            return f"Transform type '{kind}' is not valid"
        if kinds.count(kind) > 1:
            return f"A rule can only have one '{kind}' transform"
    for t in transforms:
        rewrites = (t.get(TRANSFORM_KEYS[t["Type"]]) or {}).get("Rewrites") or []
        if len(rewrites) != 1:
            return f"A '{t['Type']}' transform needs exactly one rewrite"
        if any(not r.get("Regex") or "Replace" not in r for r in rewrites):
            return "A rewrite needs Regex and Replace"
    return None


def check_conditions(conditions: list[dict[str, Any]]) -> str | None:
    """The ELBv2 error message for a rule's conditions, or None when AWS would take them."""
    total = 0
    fields = [c.get("Field") for c in conditions]
    for single in SINGLE_FIELDS:
        if fields.count(single) > 1:
            return f"A rule can only have one '{single}' condition"
    for condition in conditions:
        n = condition_values(condition)
        if n > VALUES_PER_CONDITION:
            return (
                f"A condition of field '{condition.get('Field')}' can only have "
                f"'{VALUES_PER_CONDITION}' values"
            )
        total += n
    if total > VALUES_PER_RULE:
        return f"A rule can only have '{VALUES_PER_RULE}' condition values"
    return None


def check_actions(actions: list[dict[str, Any]]) -> str | None:
    for action in actions:
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
        if len(groups) > 5:
            return "A forward action can only have '5' target groups"
        for g in groups:
            if not 0 <= int(g.get("Weight", 1)) <= 999:
                return "Target group weights must be between 0 and 999"
    return None


def install() -> None:
    """Patch moto in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.core.responses import ActionResult
    from moto.elbv2 import models, responses
    from moto.elbv2.exceptions import (
        DuplicatePriorityError,
        ELBClientError,
        PriorityInUseError,
        RuleNotFoundError,
    )

    backend = models.ELBv2Backend
    original_validate = backend._validate_conditions
    original_create = backend.create_rule
    original_modify = backend.modify_rule

    def _validate_conditions(self: Any, conditions: list[dict[str, Any]]) -> None:
        plain = []
        for condition in conditions:
            problem = check_regex_values(condition)
            if problem:
                raise ELBClientError("ValidationError", problem)
            key = CONFIG_KEYS.get(condition.get("Field", ""), "")
            if condition.get(key, {}).get("RegexValues"):
                continue  # moto would ask for Values
            plain.append(condition)
        original_validate(self, plain)
        problem = check_conditions(conditions)
        if problem:
            raise ELBClientError("ValidationError", problem)

    def _with_transforms(self: Any, rule: Any) -> Any:
        params = self._get_params()
        transforms = params.get("Transforms")
        if transforms is not None:
            problem = check_transforms(transforms)
            if problem:
                raise ELBClientError("ValidationError", problem)
            rule.transforms = transforms
        elif params.get("ResetTransforms"):
            rule.transforms = []
        return ActionResult({"Rules": [rule]})

    def response_create_rule(self: Any) -> Any:
        params = self._get_params()
        problem = check_transforms(params.get("Transforms") or [])
        if problem:
            raise ELBClientError("ValidationError", problem)
        rule = self.elbv2_backend.create_rule(
            listener_arn=params["ListenerArn"],
            conditions=params["Conditions"],
            priority=params["Priority"],
            actions=params["Actions"],
            tags=params.get("Tags"),
        )
        return _with_transforms(self, rule)

    def response_modify_rule(self: Any) -> Any:
        params = self._get_params()
        problem = check_transforms(params.get("Transforms") or [])
        if problem:
            raise ELBClientError("ValidationError", problem)
        rule = self.elbv2_backend.modify_rule(
            rule_arn=params["RuleArn"],
            conditions=params.get("Conditions", []),
            actions=params.get("Actions", []),
        )
        return _with_transforms(self, rule)

    def set_rule_priorities(self: Any, rule_priorities: list[dict[str, Any]]) -> list[Any]:
        priorities = [int(rp["Priority"]) for rp in rule_priorities]
        for priority in set(priorities):
            if priorities.count(priority) > 1:
                raise DuplicatePriorityError(str(priority))
        moving = {rp["RuleArn"] for rp in rule_priorities}
        rules = []
        for rp in rule_priorities:
            found = self.describe_rules(listener_arn=None, rule_arns=[rp["RuleArn"]])
            if not found:
                raise RuleNotFoundError()
            rule = found[0]
            listener = self.describe_listeners(None, [rule.listener_arn])[0]
            for other in listener.rules.values():
                if other.arn not in moving and other.priority == int(rp["Priority"]):
                    raise PriorityInUseError()
            rules.append(rule)
        for rule, rp in zip(rules, rule_priorities, strict=True):
            rule.priority = int(rp["Priority"])
        return rules

    original_modify_listener = backend.modify_listener

    def modify_listener(self: Any, arn: str, *args: Any, **kwargs: Any) -> Any:
        listener = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])[0]
        before = list(listener.certificates or [])
        old_default = before[0] if before else None
        result = original_modify_listener(self, arn, *args, **kwargs)
        certificates = kwargs.get("certificates") or (args[3] if len(args) > 3 else None)
        if certificates:
            new_default = certificates[0]["CertificateArn"]
            sni = [c for c in before if c not in (old_default, new_default)]
            listener.certificates = [new_default, *sni]
        return result

    backend.modify_listener = modify_listener  # type: ignore[method-assign]
    backend.set_rule_priorities = set_rule_priorities  # type: ignore[method-assign]
    responses.ELBV2Response.create_rule = response_create_rule  # type: ignore[method-assign]
    responses.ELBV2Response.modify_rule = response_modify_rule  # type: ignore[method-assign]

    def create_rule(
        self: Any, listener_arn: str, conditions: Any, priority: Any, actions: Any, tags: Any = None
    ) -> Any:
        problem = check_actions(actions)
        if problem:
            raise ELBClientError("ValidationError", problem)
        listeners = self.describe_listeners(None, [listener_arn])
        if listeners and len(listeners[0]._non_default_rules) >= RULES_PER_LISTENER:
            raise ELBClientError(
                "TooManyRules", "The maximum number of rules on listener has been reached"
            )
        return original_create(self, listener_arn, conditions, priority, actions, tags)

    def modify_rule(self: Any, rule_arn: str, conditions: Any, actions: Any) -> Any:
        problem = check_actions(actions or [])
        if problem:
            raise ELBClientError("ValidationError", problem)
        return original_modify(self, rule_arn, conditions, actions)

    original_create_target_group = backend.create_target_group

    def create_target_group(self: Any, name: str, **kwargs: Any) -> Any:
        if kwargs.get("protocol_version") == "GRPC":
            kwargs["healthcheck_path"] = kwargs.get("healthcheck_path") or GRPC_HEALTH_PATH
            kwargs["matcher"] = kwargs.get("matcher") or {"GrpcCode": GRPC_HEALTHY_CODE}
        return original_create_target_group(self, name, **kwargs)

    backend.create_target_group = create_target_group  # type: ignore[method-assign]
    backend._validate_conditions = _validate_conditions  # type: ignore[method-assign]
    backend.create_rule = create_rule  # type: ignore[method-assign]
    backend.modify_rule = modify_rule  # type: ignore[method-assign]
    _installed = True

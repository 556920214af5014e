"""Where moto is weaker than AWS, fill the gap here, in one place.

``install()`` patches moto in the current process, so ``mock_aws()``, the embedded AWS and
any harness's own moto server in this process gain the fills. It is idempotent.

ELBv2 limits moto 5.2.5 does not enforce, enforced here as the AWS documentation states
them ("Listener rules for your Application Load Balancer" and "Quotas for your Application
Load Balancers"):

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


def condition_values(condition: dict[str, Any]) -> int:
    """Match evaluations of one rule condition, as ELBv2 counts them."""
    config = condition.get(CONFIG_KEYS.get(condition.get("Field", ""), ""), {})
    values = config.get("Values") or condition.get("Values") or []
    return len(values)


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
    from moto.elbv2 import models
    from moto.elbv2.exceptions import ELBClientError

    backend = models.ELBv2Backend
    original_validate = backend._validate_conditions
    original_create = backend.create_rule
    original_modify = backend.modify_rule

    def _validate_conditions(self: Any, conditions: list[dict[str, Any]]) -> None:
        original_validate(self, conditions)
        problem = check_conditions(conditions)
        if problem:
            raise ELBClientError("ValidationError", problem)

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

    backend._validate_conditions = _validate_conditions  # type: ignore[method-assign]
    backend.create_rule = create_rule  # type: ignore[method-assign]
    backend.modify_rule = modify_rule  # type: ignore[method-assign]
    _installed = True

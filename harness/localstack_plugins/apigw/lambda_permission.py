"""Whether a function's resource policy lets API Gateway invoke it (behaviour.md "Lambda authorizer": an authorizer that
cannot be invoked -> 500; the HTTP API troubleshooting page: a proxy integration without `lambda add-permission` for
`apigateway.amazonaws.com` -> 500, and the access log says the permission is missing). Pure functions over the policy
document GetPolicy returns.

API Gateway invokes as the service principal `apigateway.amazonaws.com` with `AWS:SourceArn` = the authorizer's ARN
(`arn:aws:execute-api:<region>:<account>:<api>/authorizers/<id>`, documented) or the route's (`<api>/<stage>/<route>`,
see `aws_unverified.py`) and `AWS:SourceAccount` = the API's account. A statement allows when its principal, action,
resource and every condition match; a condition operator or key not understood here does not match (never fails open);
a matching Deny wins over any Allow.
"""

from __future__ import annotations

import fnmatch
from typing import Any

APIGATEWAY_PRINCIPAL = "apigateway.amazonaws.com"
_INVOKE_ACTIONS = {"lambda:invokefunction", "lambda:*", "*"}
_OPERATORS = {"arnlike": fnmatch.fnmatchcase, "stringlike": fnmatch.fnmatchcase,
              "arnequals": str.__eq__, "stringequals": str.__eq__}


def authorizer_source_arn(region: str, account_id: str, api_id: str, authorizer_id: str) -> str:
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/authorizers/{authorizer_id}"


def route_source_arn(region: str, account_id: str, api_id: str, stage: str, route_key: str) -> str:
    """`<api>/<stage>/$default` for the `$default` route, else `<api>/<stage>/<METHOD><path>` (e.g. `POST/avatars/key_upload`)."""
    method, _, path = route_key.partition(" ")
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method}{path}"


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _principal_matches(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return any(p in ("*", APIGATEWAY_PRINCIPAL) for p in _listed(principal.get("Service"))) or "*" in _listed(principal.get("AWS"))


def _resource_matches(resources: Any, function_arn: str) -> bool:
    unqualified = ":".join(function_arn.split(":")[:7])
    return any(fnmatch.fnmatchcase(function_arn, pattern) or fnmatch.fnmatchcase(unqualified, pattern) for pattern in _listed(resources))


def _conditions_hold(conditions: dict, facts: dict[str, str]) -> bool:
    for operator, tests in conditions.items():
        compare = _OPERATORS.get(operator.lower())
        if compare is None or not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            actual = facts.get(key.lower())
            if actual is None or not any(compare(actual, pattern) for pattern in _listed(expected)):
                return False
    return True


def invoke_allowed(policy: dict | None, function_arn: str, source_arn: str, source_account: str) -> bool:
    """True when the function's resource policy lets API Gateway invoke it for `source_arn` (no policy: False)."""
    facts = {"aws:sourcearn": source_arn, "aws:sourceaccount": source_account}
    effects = set()
    for statement in (policy or {}).get("Statement", []):
        if not isinstance(statement, dict):
            continue
        if (_principal_matches(statement.get("Principal"))
                and any(action.lower() in _INVOKE_ACTIONS for action in _listed(statement.get("Action")))
                and _resource_matches(statement.get("Resource", "*"), function_arn)
                and _conditions_hold(statement.get("Condition") or {}, facts)):
            effects.add(statement.get("Effect"))
    return "Allow" in effects and "Deny" not in effects

"""Lambda authorizer decisions for HTTP APIs (behaviour.md "Lambda authorizer"), as pure functions.

- identity sources missing or empty -> 401 {"message":"Unauthorized"}; the authorizer is not invoked;
- the function's answer, by payload format: simple responses `{"isAuthorized": bool, "context": {...}}`
  (2.0 with EnableSimpleResponses) or an IAM policy (`principalId`, `policyDocument`, `context`);
- `isAuthorized: false` or a Deny (explicit, or no Allow matching the route ARN) -> 403 {"message":"Forbidden"};
- a function error (throw, init failure, timeout) or an answer of the wrong shape -> 500; never an allow;
- allowed -> the context reaches the integration at `requestContext.authorizer.lambda`;
- caching: results kept `AuthorizerResultTtlInSeconds` (0..3600) per identity-source values.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from harness.localstack_plugins.apigw.aws_unverified import AUTHORIZER_BAD_RESPONSE, AUTHORIZER_FUNCTION_ERROR, SIMPLE_RESPONSE_WITHOUT_IS_AUTHORIZED
from harness.localstack_plugins.apigw.gateway_responses import FORBIDDEN, INTERNAL_SERVER_ERROR, GatewayResponse
from harness.localstack_plugins.apigw.lambda_invocation import function_error_text

MAX_TTL_SECONDS = 3600


@dataclass(frozen=True)
class LambdaAuthorizerConfig:
    identity_sources: tuple[str, ...] = ("$request.header.Authorization",)
    payload_format_version: str = "2.0"
    enable_simple_responses: bool = False
    result_ttl_seconds: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.result_ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"AuthorizerResultTtlInSeconds must be 0..{MAX_TTL_SECONDS}, got {self.result_ttl_seconds}")
        if self.enable_simple_responses and self.payload_format_version != "2.0":
            raise ValueError("EnableSimpleResponses requires AuthorizerPayloadFormatVersion 2.0")


@dataclass(frozen=True)
class RequestFacts:
    """What identity sources can refer to: lower-case header names, query string, context, stage variables."""

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    context: dict[str, str] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthorizerDecision:
    allowed: bool
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # why, in words; for a 500, what `$context.authorizer.error` says
    principal_id: str = ""  # an IAM policy answer's principalId (`$context.authorizer.principalId`)

    @classmethod
    def deny(cls, answer: GatewayResponse, reason: str) -> "AuthorizerDecision":
        return cls(False, answer.status, answer.document, {}, reason)


def identity_values(sources: tuple[str, ...], facts: RequestFacts) -> list[str] | None:
    """The values of every identity source, or None when one is missing or empty (-> 401)."""
    values = []
    for source in sources:
        kind, _, name = source.rpartition(".")
        table = {
            "$request.header": {k.lower(): v for k, v in facts.headers.items()},
            "$request.querystring": facts.query,
            "$context": facts.context,
            "$stageVariables": facts.stage_variables,
        }.get(kind)
        key = name.lower() if kind == "$request.header" else name
        value = table.get(key) if table is not None else None
        if not value:
            return None
        values.append(value)
    return values


def decide(config: LambdaAuthorizerConfig, answer: Any, function_error: bool, route_arn: str) -> AuthorizerDecision:
    """The gateway's decision from what the authorizer function returned."""
    if function_error:
        return AuthorizerDecision.deny(INTERNAL_SERVER_ERROR, AUTHORIZER_FUNCTION_ERROR + function_error_text(answer))
    if config.enable_simple_responses:
        return _decide_simple(answer)
    return _decide_policy(answer, route_arn)


def _decide_simple(answer: Any) -> AuthorizerDecision:
    if not isinstance(answer, dict) or "isAuthorized" not in answer:
        return AuthorizerDecision.deny(INTERNAL_SERVER_ERROR, AUTHORIZER_BAD_RESPONSE + SIMPLE_RESPONSE_WITHOUT_IS_AUTHORIZED)
    if not isinstance(answer["isAuthorized"], bool):
        return AuthorizerDecision.deny(INTERNAL_SERVER_ERROR, AUTHORIZER_BAD_RESPONSE + f"'isAuthorized' is not a boolean: {answer['isAuthorized']!r}")
    context = answer.get("context") or {}
    if not isinstance(context, dict):
        return AuthorizerDecision.deny(INTERNAL_SERVER_ERROR, AUTHORIZER_BAD_RESPONSE + f"'context' is not an object: {context!r}")
    if not answer["isAuthorized"]:
        return AuthorizerDecision.deny(FORBIDDEN, "isAuthorized is false")
    return AuthorizerDecision(True, context=context, reason="isAuthorized is true")


def _decide_policy(answer: Any, route_arn: str) -> AuthorizerDecision:
    document = answer.get("policyDocument") if isinstance(answer, dict) else None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(answer, dict) or "principalId" not in answer or not isinstance(statements, list):
        return AuthorizerDecision.deny(INTERNAL_SERVER_ERROR, AUTHORIZER_BAD_RESPONSE + f"Not an IAM policy response (principalId, policyDocument): {answer!r}")
    effect = policy_effect(statements, route_arn)
    if effect != "Allow":
        return AuthorizerDecision.deny(FORBIDDEN, f"policy {effect or 'has no statement for'} {route_arn}")
    return AuthorizerDecision(True, context=answer.get("context") or {}, reason=f"policy allows {route_arn}",
                              principal_id=str(answer["principalId"]))


def policy_effect(statements: list[dict], route_arn: str) -> str | None:
    """"Deny" if any matching statement denies, else "Allow" if one allows, else None (implicit deny)."""
    effects = set()
    for statement in statements:
        if statement.get("Action") not in ("execute-api:Invoke", ["execute-api:Invoke"], "*", ["*"]):
            continue
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatch.fnmatchcase(route_arn, pattern) for pattern in resources):
            effects.add(statement.get("Effect"))
    if "Deny" in effects:
        return "Deny"
    return "Allow" if "Allow" in effects else None


class AuthorizerCache:
    """Decisions per identity-source values, each kept for the TTL (shared across routes)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], tuple[float, AuthorizerDecision]] = {}

    def get(self, values: list[str], now: float) -> AuthorizerDecision | None:
        entry = self._entries.get(tuple(values))
        if entry is None or entry[0] <= now:
            return None
        return entry[1]

    def put(self, values: list[str], decision: AuthorizerDecision, ttl_seconds: int, now: float) -> None:
        if ttl_seconds > 0 and decision.status != INTERNAL_SERVER_ERROR.status:  # errors are not cached
            self._entries[tuple(values)] = (now + ttl_seconds, decision)

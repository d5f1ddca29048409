"""Lambda authorizer decisions (behaviour.md "Lambda authorizer"): never fail open."""

from __future__ import annotations

import pytest

from harness.localstack_plugins.apigw.lambda_authorizer import (
    AuthorizerCache, LambdaAuthorizerConfig, RequestFacts, decide, identity_values, policy_effect,
)

ROUTE_ARN = "arn:aws:execute-api:us-east-1:000000000000:abc123/$default/POST/avatars/key_upload"
SIMPLE = LambdaAuthorizerConfig(enable_simple_responses=True)
POLICY = LambdaAuthorizerConfig()


def policy(effect: str, resource: str = ROUTE_ARN) -> dict:
    return {"principalId": "user", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": [resource]}]}, "context": {"sub": "s-1"}}


@pytest.mark.parametrize("headers", [{}, {"authorization": ""}])
def test_missing_or_empty_identity_source_means_401_without_invoking(headers):
    assert identity_values(("$request.header.Authorization",), RequestFacts(headers=headers)) is None


def test_identity_sources_from_header_query_and_context():
    facts = RequestFacts(headers={"Authorization": "Bearer x"}, query={"token": "t"}, context={"routeKey": "POST /a"})
    sources = ("$request.header.authorization", "$request.querystring.token", "$context.routeKey")
    assert identity_values(sources, facts) == ["Bearer x", "t", "POST /a"]  # raw: nothing strips "Bearer "


def test_simple_response_allow_passes_context():
    decision = decide(SIMPLE, {"isAuthorized": True, "context": {"sub": "s-1"}}, False, ROUTE_ARN)
    assert decision.allowed and decision.context == {"sub": "s-1"}


@pytest.mark.parametrize("answer, function_error, status", [
    ({"isAuthorized": False}, False, 403),
    ({"isAuthorized": "true"}, False, 500),  # not a boolean: invalid format, never an allow
    ({"authorized": True}, False, 500),
    (None, False, 500),
    ({"errorType": "Runtime.ImportModuleError"}, True, 500),
    ({"isAuthorized": True, "context": "sub"}, False, 500),
])
def test_simple_response_denials(answer, function_error, status):
    decision = decide(SIMPLE, answer, function_error, ROUTE_ARN)
    assert not decision.allowed and decision.status == status
    assert decision.body == {403: {"message": "Forbidden"}, 500: {"message": "Internal Server Error"}}[status]


def test_iam_policy_allow_deny_and_no_match():
    assert decide(POLICY, policy("Allow"), False, ROUTE_ARN).allowed
    assert decide(POLICY, policy("Allow", "arn:aws:execute-api:us-east-1:000000000000:abc123/*"), False, ROUTE_ARN).allowed
    assert decide(POLICY, policy("Deny"), False, ROUTE_ARN).status == 403
    assert decide(POLICY, policy("Allow", ROUTE_ARN.replace("POST", "GET")), False, ROUTE_ARN).status == 403
    assert decide(POLICY, {"isAuthorized": True}, False, ROUTE_ARN).status == 500  # simple shape when policy expected


def test_explicit_deny_wins_over_allow():
    statements = policy("Allow")["policyDocument"]["Statement"] + policy("Deny", "arn:aws:execute-api:*")["policyDocument"]["Statement"]
    assert policy_effect(statements, ROUTE_ARN) == "Deny"


def test_cache_keeps_decisions_per_identity_for_the_ttl():
    cache = AuthorizerCache()
    allow = decide(SIMPLE, {"isAuthorized": True}, False, ROUTE_ARN)
    cache.put(["Bearer a"], allow, ttl_seconds=300, now=1000)
    assert cache.get(["Bearer a"], now=1299) is allow
    assert cache.get(["Bearer a"], now=1300) is None
    assert cache.get(["Bearer b"], now=1001) is None
    cache.put(["Bearer c"], decide(SIMPLE, None, True, ROUTE_ARN), ttl_seconds=300, now=1000)
    assert cache.get(["Bearer c"], now=1001) is None  # errors are not cached
    cache.put(["Bearer d"], allow, ttl_seconds=0, now=1000)
    assert cache.get(["Bearer d"], now=1000) is None  # TTL 0: caching off


@pytest.mark.parametrize("kwargs", [{"result_ttl_seconds": 3601}, {"result_ttl_seconds": -1},
                                    {"enable_simple_responses": True, "payload_format_version": "1.0"}])
def test_invalid_authorizer_configuration_is_refused(kwargs):
    with pytest.raises(ValueError):
        LambdaAuthorizerConfig(**kwargs)

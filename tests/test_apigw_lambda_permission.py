"""The function resource policy check API Gateway makes before invoking (behaviour.md "Lambda authorizer": cannot be invoked -> 500)."""

from __future__ import annotations

import pytest

from harness.localstack_plugins.apigw.lambda_permission import authorizer_source_arn, invoke_allowed, route_source_arn

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:CruddurApiGatewayLambdaAuthorizer"
SOURCE = authorizer_source_arn("us-east-1", "000000000000", "abc", "auth1")


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**overrides) -> dict:
    statement = {"Sid": "apigateway-abc", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                 "Action": "lambda:InvokeFunction", "Resource": FUNCTION,
                 "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:000000000000:abc/*"}}}
    statement.update(overrides)
    return statement


def test_source_arns_as_documented():
    assert SOURCE == "arn:aws:execute-api:us-east-1:000000000000:abc/authorizers/auth1"
    assert route_source_arn("us-east-1", "0", "abc", "$default", "$default") == "arn:aws:execute-api:us-east-1:0:abc/$default/$default"
    assert route_source_arn("us-east-1", "0", "abc", "$default", "POST /avatars/key_upload").endswith("abc/$default/POST/avatars/key_upload")


def test_the_permission_the_harness_adds_allows_the_api():
    assert invoke_allowed(policy(allow()), FUNCTION, SOURCE, "000000000000")


@pytest.mark.parametrize("policy_document", [
    None,  # GetPolicy: no policy at all
    policy(allow(Principal={"Service": "s3.amazonaws.com"})),
    policy(allow(Condition={"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:000000000000:other/*"}})),
    policy(allow(Action="lambda:GetFunction")),
    policy(allow(Condition={"NumericLessThan": {"AWS:SourceArn": "1"}})),  # not understood: does not hold
    policy(allow(), allow(Effect="Deny")),
], ids=["no-policy", "other-principal", "other-api", "other-action", "unknown-operator", "deny-wins"])
def test_anything_else_refuses(policy_document):
    assert not invoke_allowed(policy_document, FUNCTION, SOURCE, "000000000000")


def test_source_account_condition():
    document = policy(allow(Condition={"StringEquals": {"AWS:SourceAccount": "000000000000"}}))
    assert invoke_allowed(document, FUNCTION, SOURCE, "000000000000")
    assert not invoke_allowed(document, FUNCTION, SOURCE, "111111111111")

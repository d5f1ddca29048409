"""The gateway's own answers have one home and AWS's exact bytes, on every path (gateway_responses.py)."""

from __future__ import annotations

import pytest

from harness.localstack_plugins.apigw.gateway import guarded, handle
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest
from tests.test_apigw_gateway import AUTHORIZER_ARN, ENDPOINT, UPLOAD_ARN, cruddur_api, post
from tests.test_apigw_gateway import functions, pool, services  # noqa: F401 - fixtures

FORBIDDEN = b'{"message":"Forbidden"}'
UNAUTHORIZED = b'{"message":"Unauthorized"}'
INTERNAL = b'{"message":"Internal Server Error"}'
NOT_FOUND = b'{"message":"Not Found"}'


@pytest.mark.parametrize("answer, error, body", [
    ({"isAuthorized": False}, False, FORBIDDEN),  # was {"message": "Forbidden"}, with a space
    ({"isAuthorized": "yes"}, False, INTERNAL),
    ({"errorMessage": "boom"}, True, INTERNAL),
])
def test_lambda_authorizer_answers_are_byte_exact(functions, services, answer, error, body):
    functions.answers[AUTHORIZER_ARN] = (answer, error)
    response = handle(cruddur_api(), "$default", post(), ENDPOINT, services)
    assert response.body == body and response.headers["content-type"] == "application/json"


def test_missing_identity_source_jwt_refusal_404_and_integration_error_are_byte_exact(functions, services, pool):
    assert handle(cruddur_api(), "$default", post(token=None), ENDPOINT, services).body == UNAUTHORIZED
    jwt_refusal = handle(cruddur_api(authorization="JWT", pool=pool), "$default", post(token="Bearer x"), ENDPOINT, services)
    assert jwt_refusal.body == UNAUTHORIZED and jwt_refusal.headers["www-authenticate"].startswith("Bearer ")
    assert handle(cruddur_api(), "$default", HttpRequest("GET", "/nothing"), ENDPOINT, services).body == NOT_FOUND
    functions.answers[UPLOAD_ARN] = ({"errorMessage": "KeyError: 'UPLOADS_BUCKET_NAME'"}, True)
    assert handle(cruddur_api(), "$default", post(), ENDPOINT, services).body == INTERNAL


def test_a_gateway_failure_is_aws_500_without_the_exception_text():
    logged: list[str] = []

    def failing():
        raise TypeError("unhashable type: 'dict'")

    response = guarded(failing, logged.append)
    assert (response.status, response.body) == (500, INTERNAL)
    assert "unhashable type" in logged[0]  # the reason goes to the log only

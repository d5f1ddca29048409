"""HTTP API quotas (behaviour.md "HTTP API quotas and headers"): past them the function is never reached."""

from __future__ import annotations

import json

import pytest

from harness.localstack_plugins.apigw import quotas
from harness.localstack_plugins.apigw.gateway import handle
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest
from tests.test_apigw_gateway import AUTHORIZER_ARN, ENDPOINT, UPLOAD_ARN, cruddur_api
from tests.test_apigw_gateway import functions, pool, services  # noqa: F401 - fixtures

MB = 1024 * 1024


def post(body: bytes = b"{}", extra_headers: list[tuple[str, str]] = ()) -> HttpRequest:
    return HttpRequest("POST", "/avatars/key_upload", "", [("authorization", "Bearer t"), ("content-type", "application/octet-stream"),
                                                          *extra_headers], body)


@pytest.mark.aws_unverified
@pytest.mark.parametrize("request_, status", [
    (post(b"x" * (10 * MB + 1)), 413),  # an 11 MB body reached the function
    (post(extra_headers=[("x-big", "y" * 20 * 1024)]), 431),  # a 20 KB header reached the function
])
def test_past_the_gateway_quotas_nothing_is_invoked(functions, services, request_, status):
    response = handle(cruddur_api(), "$default", request_, ENDPOINT, services)
    assert response.status == status and functions.calls == []


@pytest.mark.aws_unverified
def test_past_lambdas_6_mb_the_function_is_not_invoked(functions, services):
    """5 MB of binary body is 6.7 MB of base64 in the event: under the gateway's 10 MB, over Lambda's 6 MB."""
    response = handle(cruddur_api(), "$default", post(b"\0" * 5 * MB), ENDPOINT, services)
    assert (response.status, response.body) == (413, b'{"message": "Request Too Long"}')
    assert functions.called(AUTHORIZER_ARN) and not functions.called(UPLOAD_ARN)


@pytest.mark.aws_unverified
def test_a_function_response_over_6_mb_is_a_500(functions, services):
    functions.answers[UPLOAD_ARN] = ({"statusCode": 200, "body": "x" * (6 * MB + 1)}, False)
    response = handle(cruddur_api(), "$default", post(), ENDPOINT, services)
    assert (response.status, json.loads(response.body)) == (500, {"message": "Internal Server Error"})


def test_just_under_the_limits_is_served(functions, services):
    line = len("POST /avatars/key_upload HTTP/1.1") + len("Bearer t") + len("application/octet-stream")
    assert handle(cruddur_api(), "$default", post(extra_headers=[("x-fill", "y" * (10240 - line))]), ENDPOINT, services).status == 200
    assert quotas.request_line_and_header_values_size(post(extra_headers=[("x-fill", "y" * (10240 - line))])) == 10240

"""Two Authorization headers: one rule for both authorizer kinds (behaviour.md "HTTP API quotas and headers":
duplicates reach a payload 2.0 Lambda comma-joined; an identity source reads the same joined value)."""

from __future__ import annotations

from harness.localstack_plugins.apigw.gateway import handle
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest
from tests.test_apigw_gateway import AUTHORIZER_ARN, ENDPOINT, UPLOAD_ARN, cruddur_api
from tests.test_apigw_gateway import functions, pool, services  # noqa: F401 - fixtures


def twice(first: str, second: str) -> HttpRequest:
    return HttpRequest("POST", "/avatars/key_upload", "", [("content-type", "application/json"), ("Authorization", first),
                                                          ("authorization", second)], b'{"extension": "jpg"}')


def test_the_lambda_authorizer_and_the_function_see_the_joined_value(functions, services):
    handle(cruddur_api(), "$default", twice("Bearer a", "Bearer b"), ENDPOINT, services)
    (authorizer_event,) = functions.called(AUTHORIZER_ARN)
    assert authorizer_event["identitySource"] == ["Bearer a,Bearer b"]
    assert authorizer_event["headers"]["authorization"] == "Bearer a,Bearer b"
    (event,) = functions.called(UPLOAD_ARN)
    assert event["headers"]["authorization"] == "Bearer a,Bearer b"


def test_the_jwt_authorizer_reads_the_same_joined_value_so_a_valid_token_next_to_another_is_refused(functions, services, pool):
    """Was: the JWT authorizer took the last header, so `garbage` then a valid token was allowed."""
    api = cruddur_api(authorization="JWT", pool=pool)
    valid = "Bearer " + pool.access_token()
    for first, second in ((valid, "Bearer garbage"), ("Bearer garbage", valid), (valid, valid)):
        response = handle(api, "$default", twice(first, second), ENDPOINT, services)
        assert response.status == 401, (first[:12], second[:12])
    assert functions.called(UPLOAD_ARN) == []

"""The whole HTTP API request flow with fake functions (behaviour.md: routing, CORS, authorizers, payload 2.0)."""

from __future__ import annotations

import json

import pytest

from harness.localstack_plugins.apigw.access_log import REQUEST_ID_HEADER, RequestRecord
from harness.localstack_plugins.apigw.aws_unverified import AUTHORIZER_NOT_PERMITTED
from harness.localstack_plugins.apigw.cors import CorsConfiguration
from harness.localstack_plugins.apigw.gateway import Endpoint, GatewayServices, handle
from harness.localstack_plugins.apigw.http_api import Authorizer, HttpApi, Integration
from harness.localstack_plugins.apigw.jwt_authorizer import JwtAuthorizerConfig
from harness.localstack_plugins.apigw.lambda_invocation import Invocation
from harness.localstack_plugins.apigw.lambda_authorizer import LambdaAuthorizerConfig
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest
from harness.localstack_plugins.apigw.routing import Route
from harness.library.identity import Clock, FakeCognitoUserPool

ORIGIN = "https://3000-cruddur.gitpod.io"
ENDPOINT = Endpoint("000000000000", "us-east-1", "abc.execute-api.localhost.localstack.cloud")
UPLOAD_ARN = "arn:aws:lambda:us-east-1:000000000000:function:CruddurAvatarUpload"
AUTHORIZER_ARN = "arn:aws:lambda:us-east-1:000000000000:function:CruddurApiGatewayLambdaAuthorizer"


class FakeFunctions:
    """Records every invocation; answers with what the test configured per function."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.source_arns: list[str] = []
        self.answers: dict[str, tuple[object, bool]] = {
            UPLOAD_ARN: ({"statusCode": 200, "headers": {"access-control-allow-origin": "*"}, "body": json.dumps({"url": "u"})}, False),
            AUTHORIZER_ARN: ({"isAuthorized": True, "context": {"sub": "sub-1"}}, False),
        }

    def invoke(self, arn: str, payload: bytes, source_arn: str) -> Invocation:
        self.calls.append((arn, json.loads(payload)))
        self.source_arns.append(source_arn)
        answer, error = self.answers[arn]
        return Invocation(json.dumps(answer).encode(), error, request_id=f"lambda-request-{len(self.calls)}")

    def called(self, arn: str) -> list[dict]:
        return [event for called_arn, event in self.calls if called_arn == arn]


@pytest.fixture
def functions() -> FakeFunctions:
    return FakeFunctions()


@pytest.fixture
def pool() -> FakeCognitoUserPool:
    return FakeCognitoUserPool(clock=Clock(1_800_000_000))


@pytest.fixture
def services(functions, pool) -> GatewayServices:
    return GatewayServices(invoke=functions.invoke, jwks_for_issuer=lambda issuer: pool.jwks() if issuer == pool.issuer else {},
                           now=lambda: float(pool.clock.now()))


def cruddur_api(authorization: str = "CUSTOM", cors: bool = True, ttl: int = 0, pool: FakeCognitoUserPool | None = None) -> HttpApi:
    authorizers = {
        "lam": Authorizer("lam", "REQUEST", AUTHORIZER_ARN, lambda_config=LambdaAuthorizerConfig(enable_simple_responses=True, result_ttl_seconds=ttl)),
    }
    if pool is not None:
        authorizers["jwt"] = Authorizer("jwt", "JWT", jwt_config=JwtAuthorizerConfig(pool.issuer, (pool.client_id,)))
    routes = [
        Route("POST /avatars/key_upload", {"authorization_type": authorization, "authorizer_id": "jwt" if authorization == "JWT" else "lam",
                                           "integration_id": "upload"}),
        Route("OPTIONS /{proxy+}", {"integration_id": "upload"}),
    ]
    return HttpApi("abc", routes, {"upload": Integration("upload", "AWS_PROXY", UPLOAD_ARN)}, authorizers, {"$default": {}},
                   CorsConfiguration(allow_origins=(ORIGIN,), allow_methods=("POST", "OPTIONS"), allow_headers=("authorization", "content-type"))
                   if cors else None)


def post(token: str | None = "Bearer t", origin: str | None = ORIGIN) -> HttpRequest:
    headers = [("content-type", "application/json")]
    headers += [("authorization", token)] if token is not None else []
    headers += [("origin", origin)] if origin else []
    return HttpRequest("POST", "/avatars/key_upload", "", headers, b'{"extension": "jpg"}')


def test_preflight_is_answered_by_the_gateway_without_route_or_authorizer(functions, services):
    request = HttpRequest("OPTIONS", "/avatars/key_upload", "", [("origin", ORIGIN), ("access-control-request-method", "POST"),
                                                                 ("access-control-request-headers", "authorization,content-type")])
    response = handle(cruddur_api(), "$default", request, ENDPOINT, services)
    assert response.status == 204 and response.headers["access-control-allow-origin"] == ORIGIN
    assert functions.calls == []


def test_authorized_post_reaches_the_upload_lambda_with_the_authorizer_context(functions, services):
    response = handle(cruddur_api(), "$default", post(), ENDPOINT, services)
    assert response.status == 200 and json.loads(response.body) == {"url": "u"}
    (authorizer_event,) = functions.called(AUTHORIZER_ARN)
    assert authorizer_event["type"] == "REQUEST" and authorizer_event["identitySource"] == ["Bearer t"]  # raw, Bearer kept
    assert authorizer_event["routeArn"] == "arn:aws:execute-api:us-east-1:000000000000:abc/$default/POST/avatars/key_upload"
    (event,) = functions.called(UPLOAD_ARN)
    assert event["requestContext"]["authorizer"] == {"lambda": {"sub": "sub-1"}}
    assert event["routeKey"] == "POST /avatars/key_upload" and event["body"] == '{"extension": "jpg"}'
    assert response.headers["access-control-allow-origin"] == ORIGIN  # the Lambda's "*" was replaced (bug 4)


def test_missing_token_is_401_and_the_authorizer_is_not_invoked(functions, services):
    response = handle(cruddur_api(), "$default", post(token=None), ENDPOINT, services)
    assert (response.status, json.loads(response.body)) == (401, {"message": "Unauthorized"})
    assert functions.calls == []


@pytest.mark.parametrize("answer, error, status", [
    ({"isAuthorized": False}, False, 403),
    ({"errorType": "Runtime.ImportModuleError"}, True, 500),
    ({"isAuthorized": "yes"}, False, 500),
])
def test_authorizer_refusals(functions, services, answer, error, status):
    functions.answers[AUTHORIZER_ARN] = (answer, error)
    response = handle(cruddur_api(), "$default", post(), ENDPOINT, services)
    assert response.status == status
    assert functions.called(UPLOAD_ARN) == []  # never fails open
    assert response.headers["access-control-allow-origin"] == ORIGIN  # the configured CORS headers still apply


def test_authorizer_cache_reuses_a_decision_until_the_ttl_ends_bug_15(functions, services, pool):
    api = cruddur_api(ttl=300)
    for _ in range(3):
        handle(api, "$default", post(), ENDPOINT, services)
    assert len(functions.called(AUTHORIZER_ARN)) == 1
    pool.clock.advance(300)
    handle(api, "$default", post(), ENDPOINT, services)
    assert len(functions.called(AUTHORIZER_ARN)) == 2


def test_unknown_route_is_404(services):
    response = handle(cruddur_api(), "$default", HttpRequest("GET", "/nothing"), ENDPOINT, services)
    assert (response.status, json.loads(response.body)) == (404, {"message": "Not Found"})


def test_catch_all_with_authorizer_and_no_cors_config_gives_preflight_401_bug_5(functions, services):
    api = cruddur_api(cors=False)
    api.routes[:] = [Route("ANY /{proxy+}", {"authorization_type": "CUSTOM", "authorizer_id": "lam", "integration_id": "upload"})]
    request = HttpRequest("OPTIONS", "/avatars/key_upload", "", [("origin", ORIGIN), ("access-control-request-method", "POST")])
    assert handle(api, "$default", request, ENDPOINT, services).status == 401


def test_jwt_authorizer_accepts_a_cognito_access_token_and_passes_claims(functions, services, pool):
    api = cruddur_api(authorization="JWT", pool=pool)
    response = handle(api, "$default", post(token="Bearer " + pool.access_token(sub="sub-9")), ENDPOINT, services)
    assert response.status == 200
    (event,) = functions.called(UPLOAD_ARN)
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "sub-9"


@pytest.mark.parametrize("name", ["expired", "wrong-key", "alg-none", "hs256-with-public-key", "wrong-issuer"])
def test_jwt_authorizer_refuses_bad_tokens_with_www_authenticate(functions, services, pool, name):
    api = cruddur_api(authorization="JWT", pool=pool)
    response = handle(api, "$default", post(token="Bearer " + pool.bad_tokens()[name]), ENDPOINT, services)
    assert response.status == 401 and "www-authenticate" in response.headers
    assert functions.called(UPLOAD_ARN) == []


def test_route_without_integration_is_500_not_an_open_door(functions, services):
    api = cruddur_api()
    api.integrations.clear()
    assert handle(api, "$default", post(), ENDPOINT, services).status == 500


# behaviour.md "HTTP API access logging": what the gateway records for the `$context` variables.

def handled(api: HttpApi, services: GatewayServices, request: HttpRequest | None = None) -> tuple:
    record = RequestRecord.begin(request or post(), api_id=api.api_id, stage="$default", account_id=ENDPOINT.account_id,
                                 domain_name=ENDPOINT.domain_name, now=services.now())
    return handle(api, "$default", request or post(), ENDPOINT, services, record), record


def test_request_id_is_the_header_and_the_events_request_id(functions, services):
    response, record = handled(cruddur_api(), services)
    (event,) = functions.called(UPLOAD_ARN)
    assert response.headers[REQUEST_ID_HEADER] == record.request_id == event["requestContext"]["requestId"]
    assert (record.route_key, record.status, record.authorizer_status, record.integration_status) == ("POST /avatars/key_upload", 200, 200, 200)
    assert record.authorizer_context == {"sub": "sub-1"} and record.integration_request_id == "lambda-request-2"
    assert functions.source_arns == ["arn:aws:execute-api:us-east-1:000000000000:abc/authorizers/lam",
                                     "arn:aws:execute-api:us-east-1:000000000000:abc/$default/POST/avatars/key_upload"]


@pytest.mark.parametrize("answer, error, authorizer_error", [
    ({"errorType": "KeyError", "errorMessage": "'USER_POOL_ID'"}, True, "The Lambda Authorizer function returned an error: KeyError: 'USER_POOL_ID'"),
    ({"context": {}}, False, "doesn't match the format that API Gateway expects. Simple response did not include 'isAuthorized'"),
    ({"isAuthorized": "true"}, False, "'isAuthorized' is not a boolean: 'true'"),
])
def test_authorizer_errors_are_in_the_record(functions, services, answer, error, authorizer_error):
    functions.answers[AUTHORIZER_ARN] = (answer, error)
    response, record = handled(cruddur_api(), services)
    assert (response.status, record.authorizer_status, record.error_message) == (500, 500, "Internal Server Error")
    assert authorizer_error in record.authorizer_error
    assert response.headers[REQUEST_ID_HEADER] == record.request_id


def test_an_authorizer_refusal_is_a_403_without_an_error(functions, services):
    functions.answers[AUTHORIZER_ARN] = ({"isAuthorized": False}, False)
    _, record = handled(cruddur_api(), services)
    assert (record.authorizer_status, record.authorizer_error, record.error_message) == (403, "", "Forbidden")


def test_authorizer_without_invoke_permission_is_500_and_says_so(functions, services):
    services.invoke = lambda arn, payload, source_arn: Invocation(status=None, not_permitted=True)
    response, record = handled(cruddur_api(), services)
    assert response.status == 500 and record.authorizer_error == AUTHORIZER_NOT_PERMITTED
    assert record.integration_status is None


def test_integration_function_error_is_in_the_record_bug_8(functions, services):
    functions.answers[UPLOAD_ARN] = ({"errorType": "KeyError", "errorMessage": "'UPLOADS_BUCKET_NAME'"}, True)
    response, record = handled(cruddur_api(), services)
    assert response.status == 500
    assert record.integration_error == "The Lambda function returned the following error: KeyError: 'UPLOADS_BUCKET_NAME'"
    assert (record.integration_service_status, record.integration_status, record.error_response_type) == (200, None, "INTEGRATION_FAILURE")


def test_a_response_without_status_code_is_inferred_and_has_no_function_status_bug_7(functions, services):
    functions.answers[UPLOAD_ARN] = ({"status_code": 200, "body": "{}"}, False)
    response, record = handled(cruddur_api(), services)
    assert (response.status, record.integration_status, record.integration_error, record.error_message) == (200, None, "", "")


def test_jwt_failing_check_is_the_authorizer_error(functions, services, pool):
    api = cruddur_api(authorization="JWT", pool=pool)
    response, record = handled(api, services, post(token="Bearer " + pool.bad_tokens()["expired"]))
    assert (response.status, record.authorizer_status, record.authorizer_error) == (401, 401, "the token has expired")
    assert record.error_message == "Unauthorized"


def test_no_route_is_recorded_as_not_found(services):
    response, record = handled(cruddur_api(), services, HttpRequest("GET", "/nothing"))
    assert (record.route_key, record.status, record.error_message) == ("", 404, "Not Found")
    assert REQUEST_ID_HEADER in response.headers

"""The HTTP API data plane in LocalStack over real HTTP: path form, host form, stages, 404, CORS."""

from __future__ import annotations

import pytest

from harness.library.access_logs import access_log_line
from harness.library.http import http
from harness.library.lambda_functions import allow_apigateway_invoke, delete_log_group, ensure_log_group
from harness.library.packaging import zip_files

ECHO = (
    "import json\n"
    "def handler(event, context):\n"
    "    return {'statusCode': 200, 'headers': {'content-type': 'application/json'},\n"
    "            'body': json.dumps({'routeKey': event['routeKey'], 'rawPath': event['rawPath'], 'stage': event['requestContext']['stage']})}\n"
)


@pytest.fixture
def echo_api(aws_client, lambda_function_factory):
    function = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files({"app.py": ECHO})})
    client = aws_client.apigatewayv2
    api = client.create_api(Name="echo", ProtocolType="HTTP", CorsConfiguration={
        "AllowOrigins": ["https://3000-cruddur.gitpod.io"], "AllowMethods": ["POST"], "AllowHeaders": ["authorization"]})
    allow_apigateway_invoke(aws_client.lambda_, function["FunctionName"], api["ApiId"], aws_client.region, "000000000000")
    integration = client.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY",
                                            IntegrationUri=function["FunctionArn"], PayloadFormatVersion="2.0")
    client.create_route(ApiId=api["ApiId"], RouteKey="POST /avatars/key_upload", Target=f"integrations/{integration['IntegrationId']}")
    client.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    yield api
    client.delete_api(ApiId=api["ApiId"])


def test_path_form_endpoint_reaches_the_lambda(echo_api):
    answer = http("POST", f"{echo_api['ApiEndpoint']}/avatars/key_upload", body=b"{}")
    assert answer.status == 200 and answer.json() == {"routeKey": "POST /avatars/key_upload", "rawPath": "/avatars/key_upload", "stage": "$default"}


def test_host_form_endpoint_reaches_the_lambda(echo_api, localstack_engine):
    host = f"{echo_api['ApiId']}.execute-api.localhost.localstack.cloud:{localstack_engine.port}"
    answer = http("POST", f"{localstack_engine.endpoint_url}/avatars/key_upload", {"Host": host}, b"{}")
    assert answer.status == 200 and answer.json()["routeKey"] == "POST /avatars/key_upload"


def test_named_stage_is_selected_by_the_first_segment(aws_client, echo_api):
    aws_client.apigatewayv2.create_stage(ApiId=echo_api["ApiId"], StageName="dev", AutoDeploy=True)
    answer = http("POST", f"{echo_api['ApiEndpoint']}/dev/avatars/key_upload", body=b"{}")
    assert answer.status == 200 and answer.json()["stage"] == "dev"


def test_unknown_route_api_and_missing_stage_are_404(aws_client, echo_api, localstack_engine):
    answer = http("GET", f"{echo_api['ApiEndpoint']}/nothing")
    assert (answer.status, answer.json()) == (404, {"message": "Not Found"})
    assert http("GET", f"{localstack_engine.endpoint_url}/_aws/execute-api/nosuchapi/x").status == 404
    aws_client.apigatewayv2.delete_stage(ApiId=echo_api["ApiId"], StageName="$default")
    assert http("POST", f"{echo_api['ApiEndpoint']}/avatars/key_upload", body=b"{}").status == 404


def test_cors_preflight_and_response_headers_over_http(echo_api):
    origin = "https://3000-cruddur.gitpod.io"
    answer = http("OPTIONS", f"{echo_api['ApiEndpoint']}/avatars/key_upload",
                  {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
    assert answer.status == 204 and answer.headers["access-control-allow-origin"] == origin
    answer = http("POST", f"{echo_api['ApiEndpoint']}/avatars/key_upload", {"Origin": origin}, b"{}")
    assert answer.status == 200 and answer.headers["access-control-allow-origin"] == origin


# behaviour.md "HTTP API access logging": one line per request in the stage's log group.
ACCESS_LOG_GROUP = "/aws/apigateway/echo"
CLF = ('$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" '
       '$context.status $context.responseLength $context.requestId $context.integrationErrorMessage')


@pytest.fixture
def logged_echo_api(aws_client, echo_api):
    ensure_log_group(aws_client.logs, ACCESS_LOG_GROUP)
    aws_client.apigatewayv2.update_stage(ApiId=echo_api["ApiId"], StageName="$default", AccessLogSettings={
        "DestinationArn": f"arn:aws:logs:{aws_client.region}:000000000000:log-group:{ACCESS_LOG_GROUP}", "Format": CLF})
    yield echo_api
    delete_log_group(aws_client.logs, ACCESS_LOG_GROUP)


def test_each_request_gets_a_clf_line_found_by_its_apigw_requestid(aws_client, logged_echo_api):
    answers = [http("POST", f"{logged_echo_api['ApiEndpoint']}/avatars/key_upload", body=b"{}"),
               http("GET", f"{logged_echo_api['ApiEndpoint']}/nothing")]
    lines = [access_log_line(aws_client.logs, ACCESS_LOG_GROUP, a.headers["apigw-requestid"], int(a.sent_at * 1000) - 1000, 10)
             for a in answers]
    assert '"POST POST /avatars/key_upload HTTP/1.1" 200 ' in lines[0] and lines[0].endswith(" -")
    assert '"GET - HTTP/1.1" 404 ' in lines[1]
    assert len({a.headers["apigw-requestid"] for a in answers}) == 2


def test_a_function_api_gateway_may_not_invoke_is_500_and_the_log_says_why(aws_client, logged_echo_api, lambda_function_factory):
    """AWS troubleshooting page: without `lambda add-permission` for apigateway.amazonaws.com, 500 and the access log's
    $context.integrationErrorMessage names the missing permission."""
    client, api_id = aws_client.apigatewayv2, logged_echo_api["ApiId"]
    function = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files({"app.py": ECHO})})
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function["FunctionArn"],
                                            PayloadFormatVersion="2.0")
    client.create_route(ApiId=api_id, RouteKey="GET /unpermitted", Target=f"integrations/{integration['IntegrationId']}")
    answer = http("GET", f"{logged_echo_api['ApiEndpoint']}/unpermitted")
    assert (answer.status, answer.json()) == (500, {"message": "Internal Server Error"})
    line = access_log_line(aws_client.logs, ACCESS_LOG_GROUP, answer.headers["apigw-requestid"], int(answer.sent_at * 1000) - 1000, 10)
    assert "doesn't have permissions to call the integration" in line
    allow_apigateway_invoke(aws_client.lambda_, function["FunctionName"], api_id, aws_client.region, "000000000000")
    assert http("GET", f"{logged_echo_api['ApiEndpoint']}/unpermitted").status == 200


def test_an_alias_integration_needs_the_alias_own_permission(aws_client, echo_api, lambda_function_factory):
    """Lambda resource policies are per qualifier (AWS Lambda `AddPermission`: `Qualifier` grants on that version or
    alias only): the unqualified function's grant does not let API Gateway invoke `<function>:live`; the alias's does.
    The gateway reads the policy from LocalStack's store in-process (issue 13): the same decisions as GetPolicy."""
    client, api_id, lambda_ = aws_client.apigatewayv2, echo_api["ApiId"], aws_client.lambda_
    function = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files({"app.py": ECHO})})
    version = lambda_.publish_version(FunctionName=function["FunctionName"])["Version"]
    alias_arn = lambda_.create_alias(FunctionName=function["FunctionName"], Name="live", FunctionVersion=version)["AliasArn"]
    allow_apigateway_invoke(lambda_, function["FunctionName"], api_id, aws_client.region, "000000000000")
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=alias_arn,
                                            PayloadFormatVersion="2.0")
    client.create_route(ApiId=api_id, RouteKey="GET /alias", Target=f"integrations/{integration['IntegrationId']}")
    assert http("GET", f"{echo_api['ApiEndpoint']}/alias").status == 500
    lambda_.add_permission(FunctionName=function["FunctionName"], Qualifier="live", StatementId="apigateway-alias",
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:{aws_client.region}:000000000000:{api_id}/*")
    assert http("GET", f"{echo_api['ApiEndpoint']}/alias").status == 200

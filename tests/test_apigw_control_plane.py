"""The apigatewayv2 control plane inside LocalStack: the calls a user makes against AWS, with boto3."""

from __future__ import annotations

import pytest

from harness.localstack_plugins.apigw.http_api import HttpApi
from harness.library.lambda_functions import allow_apigateway_invoke
from harness.library.stage_deployment import wait_stage_deployed


@pytest.fixture
def http_api(aws_client):
    api = aws_client.apigatewayv2.create_api(
        Name="cruddur-api", ProtocolType="HTTP",
        CorsConfiguration={"AllowOrigins": ["https://3000-cruddur.gitpod.io"], "AllowMethods": ["POST", "OPTIONS"],
                           "AllowHeaders": ["authorization", "content-type"]},
    )
    yield api
    aws_client.apigatewayv2.delete_api(ApiId=api["ApiId"])


def test_api_routes_integrations_authorizers_stages_round_trip(aws_client, http_api):
    client, api_id = aws_client.apigatewayv2, http_api["ApiId"]
    function_arn = "arn:aws:lambda:us-east-1:000000000000:function:CruddurAvatarUpload"
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn,
                                            PayloadFormatVersion="2.0")
    authorizer = client.create_authorizer(
        ApiId=api_id, AuthorizerType="REQUEST", Name="CruddurJWTAuthorizer", IdentitySource=["$request.header.Authorization"],
        AuthorizerUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True, AuthorizerResultTtlInSeconds=0,
    )
    client.create_route(ApiId=api_id, RouteKey="POST /avatars/key_upload", AuthorizationType="CUSTOM",
                        AuthorizerId=authorizer["AuthorizerId"], Target=f"integrations/{integration['IntegrationId']}")
    client.create_route(ApiId=api_id, RouteKey="OPTIONS /{proxy+}", Target=f"integrations/{integration['IntegrationId']}")
    client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    config = HttpApi.from_wire(
        client.get_api(ApiId=api_id), client.get_routes(ApiId=api_id)["Items"], client.get_integrations(ApiId=api_id)["Items"],
        client.get_authorizers(ApiId=api_id)["Items"], client.get_stages(ApiId=api_id)["Items"],
    )
    assert sorted(r.route_key for r in config.routes) == ["OPTIONS /{proxy+}", "POST /avatars/key_upload"]
    assert config.integrations[integration["IntegrationId"]].function_arn == function_arn
    lambda_authorizer = config.authorizers[authorizer["AuthorizerId"]]
    assert lambda_authorizer.function_arn == function_arn and lambda_authorizer.lambda_config.enable_simple_responses
    assert "$default" in config.stages
    assert config.cors.allow_origins == ("https://3000-cruddur.gitpod.io",)


def test_auto_deploy_stage_is_deployed_and_deployments_answer_as_on_aws(aws_client, http_api):
    client, api_id = aws_client.apigatewayv2, http_api["ApiId"]
    stage = client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    deployment = client.get_deployment(ApiId=api_id, DeploymentId=stage["DeploymentId"])
    assert (deployment["DeploymentStatus"], deployment["AutoDeployed"]) == ("DEPLOYED", True)
    assert client.get_stage(ApiId=api_id, StageName="$default")["LastDeploymentStatusMessage"] == \
        f"Successfully deployed stage with deployment ID '{stage['DeploymentId']}'"
    assert wait_stage_deployed(client, api_id) == stage["DeploymentId"]
    manual = client.create_deployment(ApiId=api_id, Description="by hand")
    assert {d["DeploymentId"] for d in client.get_deployments(ApiId=api_id)["Items"]} == {stage["DeploymentId"], manual["DeploymentId"]}
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_deployment(ApiId=api_id, DeploymentId="nosuch")
    assert "DeploymentId" not in client.create_stage(ApiId=api_id, StageName="manual")  # no AutoDeploy: not deployed


def test_api_endpoint_is_the_local_url_that_works(aws_client, http_api, localstack_engine):
    expected = f"{localstack_engine.endpoint_url}/_aws/execute-api/{http_api['ApiId']}"
    assert http_api["ApiEndpoint"] == expected
    assert aws_client.apigatewayv2.get_api(ApiId=http_api["ApiId"])["ApiEndpoint"] == expected
    assert expected in [api["ApiEndpoint"] for api in aws_client.apigatewayv2.get_apis()["Items"]]


def test_updates_and_deletes_take_effect_on_the_data_plane(aws_client, http_api, lambda_function_factory):
    from harness.library.http import http
    from harness.library.packaging import zip_files

    client, api_id = aws_client.apigatewayv2, http_api["ApiId"]
    code = "def handler(e, c):\n    return {'statusCode': 200, 'body': e['routeKey']}\n"
    function = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files({"app.py": code})})
    allow_apigateway_invoke(aws_client.lambda_, function["FunctionName"], api_id, aws_client.region, "000000000000")
    integration = client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function["FunctionArn"],
                                            PayloadFormatVersion="2.0")
    route = client.create_route(ApiId=api_id, RouteKey="GET /a", Target=f"integrations/{integration['IntegrationId']}")
    client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert http("GET", f"{http_api['ApiEndpoint']}/a").body == b"GET /a"
    client.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="GET /b")
    assert http("GET", f"{http_api['ApiEndpoint']}/a").status == 404
    assert http("GET", f"{http_api['ApiEndpoint']}/b").body == b"GET /b"
    client.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["https://new.example"], "AllowMethods": ["GET"]})
    assert http("GET", f"{http_api['ApiEndpoint']}/b", {"Origin": "https://new.example"}).headers["access-control-allow-origin"] == "https://new.example"
    client.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    assert http("GET", f"{http_api['ApiEndpoint']}/b").status == 404


def test_cognito_issuer_resolves_to_the_local_jwks(aws_client, localstack_engine):
    from harness.library.http import http
    from harness.library.identity import FakeCognitoUserPool

    pool = FakeCognitoUserPool(region=aws_client.region)
    localstack_engine.emulator.register_user_pool(pool)
    base = localstack_engine.emulator.jwks_url(pool).rsplit("/", 1)[0]
    configuration = http("GET", f"{base}/openid-configuration").json()
    assert configuration["issuer"] == pool.issuer
    assert http("GET", configuration["jwks_uri"]).json() == pool.jwks()
    assert http("GET", base.replace(pool.user_pool_id, "us-east-1_unknown") + "/jwks.json").status == 404


LOG_GROUP_ARN = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/apigateway/cruddur-api"


def test_access_log_settings_are_kept_updated_and_deleted(aws_client, http_api):
    """behaviour.md "HTTP API access logging": AccessLogSettings{DestinationArn, Format} on CreateStage and UpdateStage
    (moto had no UpdateStage at all), DeleteAccessLogSettings turns logging off."""
    client, api_id = aws_client.apigatewayv2, http_api["ApiId"]
    settings = {"DestinationArn": LOG_GROUP_ARN, "Format": "$context.requestId $context.status"}
    assert client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, AccessLogSettings=settings)["AccessLogSettings"] == settings
    changed = {"DestinationArn": LOG_GROUP_ARN, "Format": '{"id":"$context.requestId","error":"$context.integrationErrorMessage"}'}
    answer = client.update_stage(ApiId=api_id, StageName="$default", AccessLogSettings=changed, Description="logged",
                                 StageVariables={"colour": "blue"})
    assert (answer["AccessLogSettings"], answer["Description"], answer["StageVariables"]) == (changed, "logged", {"colour": "blue"})
    assert answer["DeploymentId"]  # still deployed
    stage = client.get_stage(ApiId=api_id, StageName="$default")
    assert stage["AccessLogSettings"] == changed and stage["AutoDeploy"] is True
    client.delete_access_log_settings(ApiId=api_id, StageName="$default")
    assert "AccessLogSettings" not in client.get_stage(ApiId=api_id, StageName="$default")
    with pytest.raises(client.exceptions.NotFoundException):
        client.update_stage(ApiId=api_id, StageName="nosuch", Description="x")


@pytest.mark.aws_unverified
@pytest.mark.parametrize("settings", [
    {"DestinationArn": "arn:aws:s3:::not-a-log-group", "Format": "$context.requestId"},
    {"DestinationArn": LOG_GROUP_ARN, "Format": "$context.status"},  # no $context.requestId
])
def test_access_log_settings_aws_refuses(aws_client, http_api, settings):
    client, api_id = aws_client.apigatewayv2, http_api["ApiId"]
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_stage(ApiId=api_id, StageName="$default", AccessLogSettings=settings)
    client.create_stage(ApiId=api_id, StageName="$default")
    with pytest.raises(client.exceptions.BadRequestException):
        client.update_stage(ApiId=api_id, StageName="$default", AccessLogSettings=settings)

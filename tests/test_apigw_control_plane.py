"""The apigatewayv2 control plane inside LocalStack: the calls a user makes against AWS, with boto3."""

from __future__ import annotations

import pytest

from harness.apigw.http_api import HttpApi


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


def test_api_endpoint_is_the_local_url_that_works(aws_client, http_api, localstack_engine):
    expected = f"{localstack_engine.endpoint_url}/_aws/execute-api/{http_api['ApiId']}"
    assert http_api["ApiEndpoint"] == expected
    assert aws_client.apigatewayv2.get_api(ApiId=http_api["ApiId"])["ApiEndpoint"] == expected
    assert expected in [api["ApiEndpoint"] for api in aws_client.apigatewayv2.get_apis()["Items"]]

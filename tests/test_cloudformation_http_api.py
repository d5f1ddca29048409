"""HTTP API resources in a plain template (harness.localstack_plugins.cloudformation.apigatewayv2_resources): an API
with a CORS configuration, a Lambda authorizer (payload 2.0, simple responses), an authorized route and an open one,
the $default stage and the Lambda permissions deploy through CloudFormation and serve; deleting the stack removes
the API."""

from __future__ import annotations

import copy

from harness.library.cloudformation import delete_stack
from harness.library.http import http

AUTHORIZER_CODE = '''
def handler(event, context):
    return {"isAuthorized": event.get("headers", {}).get("authorization") == "Bearer open-sesame",
            "context": {"sub": "cfn-user"}}
'''
BACKEND_CODE = '''
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"route": event["routeKey"],
            "sub": event["requestContext"].get("authorizer", {}).get("lambda", {}).get("sub")})}
'''
ORIGIN = "https://3000-cruddur.gitpod.io"


def _function(code: str) -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 10,
        "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": code}}}


def _permission(function: str) -> dict:
    return {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": function}, "Principal": "apigateway.amazonaws.com",
        "SourceArn": {"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}}}


TEMPLATE = {
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
        "AuthorizerFunction": _function(AUTHORIZER_CODE),
        "Backend": _function(BACKEND_CODE),
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "Name": "cfn-avatar-api", "ProtocolType": "HTTP",
            "CorsConfiguration": {"AllowOrigins": [ORIGIN], "AllowMethods": ["OPTIONS", "POST"],
                                  "AllowHeaders": ["authorization", "content-type"], "MaxAge": 300}}},
        "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
            "ApiId": {"Ref": "Api"}, "IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0",
            "IntegrationUri": {"Fn::GetAtt": ["Backend", "Arn"]}}},
        "Authorizer": {"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": {
            "ApiId": {"Ref": "Api"}, "Name": "CruddurJWTAuthorizer", "AuthorizerType": "REQUEST",
            "AuthorizerPayloadFormatVersion": "2.0", "EnableSimpleResponses": True, "AuthorizerResultTtlInSeconds": 0,
            "IdentitySource": ["$request.header.Authorization"],
            "AuthorizerUri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                         "${AuthorizerFunction.Arn}/invocations"}}},
        "UploadRoute": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {
            "ApiId": {"Ref": "Api"}, "RouteKey": "POST /avatars/key_upload", "AuthorizationType": "CUSTOM",
            "AuthorizerId": {"Ref": "Authorizer"}, "Target": {"Fn::Sub": "integrations/${Integration}"}}},
        "OpenRoute": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {
            "ApiId": {"Ref": "Api"}, "RouteKey": "GET /open", "Target": {"Fn::Sub": "integrations/${Integration}"}}},
        "Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {
            "ApiId": {"Ref": "Api"}, "StageName": "$default", "AutoDeploy": True}},
        "BackendPermission": _permission("Backend"),
        "AuthorizerPermission": _permission("AuthorizerFunction"),
    },
    "Outputs": {"ApiId": {"Value": {"Ref": "Api"}}, "ApiEndpoint": {"Value": {"Fn::GetAtt": ["Api", "ApiEndpoint"]}},
                "StageName": {"Value": {"Ref": "Stage"}}},
}


def test_an_http_api_with_a_lambda_authorizer_deploys_serves_and_is_deleted(cloudformation_stack, aws_client):
    stack = cloudformation_stack(copy.deepcopy(TEMPLATE))
    api_id = stack.outputs["ApiId"]
    assert stack.outputs["StageName"] == "$default"
    url = stack.outputs["ApiEndpoint"]
    assert url == aws_client.apigatewayv2.get_api(ApiId=api_id)["ApiEndpoint"]
    assert aws_client.apigatewayv2.get_api(ApiId=api_id)["CorsConfiguration"]["AllowOrigins"] == [ORIGIN]

    allowed = http("POST", f"{url}/avatars/key_upload", {"Authorization": "Bearer open-sesame", "Origin": ORIGIN}, b"{}")
    assert allowed.status == 200, allowed
    assert allowed.json() == {"route": "POST /avatars/key_upload", "sub": "cfn-user"}
    assert allowed.headers["access-control-allow-origin"] == ORIGIN  # the API's CORS configuration applies
    denied = http("POST", f"{url}/avatars/key_upload", {"Authorization": "Bearer wrong"}, b"{}")
    assert denied.status == 403
    assert http("GET", f"{url}/open").status == 200

    delete_stack(aws_client.cloudformation, stack.name)
    assert api_id not in {api["ApiId"] for api in aws_client.apigatewayv2.get_apis()["Items"]}

"""The Cruddur avatar upload API (system.md), provisioned with boto3 calls that run unchanged on AWS:
HTTP API `POST /avatars/key_upload` (Lambda authorizer) and `OPTIONS /{proxy+}` (none) -> upload Lambda,
stage `$default`, the authorizer Lambda verifying the fake Cognito pool's access tokens.

`AvatarApiSpec` holds the deployed values; scenarios change one field to reproduce a bug.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from harness.aws import AwsClients
from harness.identity import FakeCognitoUserPool
from harness.lambda_functions import THROWAWAY_ROLE_ARN, allow_apigateway_invoke, deploy_function, function_logs
from harness.packaging import python_function_zip
from harness.stack import APP_DIR

FRONTEND_ORIGIN = "https://3000-cruddur.gitpod.io"  # matches the uploads bucket's `https://*.gitpod.io`


@dataclass(frozen=True)
class AvatarApiSpec:
    api_name: str = "cruddur-avatar-api"
    upload_function: str = "CruddurAvatarUpload"
    authorizer_function: str = "CruddurApiGatewayLambdaAuthorizer"
    uploads_bucket: str = "cruddur-uploaded-avatars"
    frontend_origin: str = FRONTEND_ORIGIN
    cors_in: str = "api"  # "api": the API's CORS configuration; "lambda": the upload Lambda's own headers
    routes: tuple[tuple[str, bool], ...] = (("POST /avatars/key_upload", True), ("OPTIONS /{proxy+}", False))  # (key, authorized)
    authorizer_kind: str = "lambda"  # "lambda": the Cruddur authorizer Lambda; "jwt": API Gateway's own JWT authorizer
    authorizer_ttl_seconds: int = 0  # caching off, as deployed (bug 15 turns it on)
    authorizer_payload_format: str = "2.0"  # "1.0" answers with an IAM policy (simple responses off)
    authorizer_environment: dict[str, str | None] = field(default_factory=dict)  # None removes a variable (bug 3)
    upload_environment: dict[str, str | None] = field(default_factory=dict)
    authorizer_extra_files: tuple[Path, ...] = ()
    authorizer_handler: str = "handler.handler"
    authorizer_timeout_seconds: int = 10
    upload_extra_files: tuple[Path, ...] = ()
    upload_handler: str = "handler.handler"

    def with_unique_names(self, suffix: str | None = None) -> "AvatarApiSpec":
        suffix = suffix or uuid.uuid4().hex[:8]
        return dataclasses.replace(self, api_name=f"{self.api_name}-{suffix}", upload_function=f"{self.upload_function}-{suffix}",
                                   authorizer_function=f"{self.authorizer_function}-{suffix}")


@dataclass
class AvatarApi:
    spec: AvatarApiSpec
    clients: AwsClients
    api_id: str
    api_url: str

    def authorizer_logs(self) -> str:
        return function_logs(self.clients.logs, self.spec.authorizer_function)

    def upload_logs(self) -> str:
        return function_logs(self.clients.logs, self.spec.upload_function)

    def teardown(self) -> None:
        from harness.lambda_functions import delete_function

        self.clients.apigatewayv2.delete_api(ApiId=self.api_id)
        for name in (self.spec.upload_function, self.spec.authorizer_function):
            delete_function(self.clients.lambda_, self.clients.logs, name)


def register_user_pool(endpoint_url: str, pool: FakeCognitoUserPool) -> None:
    """Tell the engine which keys the pool signs with (JWT authorizers, and the JWKS the authorizer Lambda reads)."""
    body = json.dumps({"issuer": pool.issuer, "jwks": pool.jwks()}).encode()
    request = urllib.request.Request(f"{endpoint_url}/_harness/jwks", data=body, method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def local_jwks_url(endpoint_url: str, pool: FakeCognitoUserPool) -> str:
    return f"{endpoint_url}/_harness/cognito-idp/{pool.region}/{pool.user_pool_id}/.well-known/jwks.json"


def _environment(defaults: dict[str, str], overrides: dict[str, str | None]) -> dict[str, str]:
    merged = defaults | overrides
    return {k: v for k, v in merged.items() if v is not None}


def provision_avatar_api(clients: AwsClients, pool: FakeCognitoUserPool, spec: AvatarApiSpec = AvatarApiSpec()) -> AvatarApi:
    register_user_pool(clients.endpoint_url, pool)
    upload_env = {"UPLOADS_BUCKET_NAME": spec.uploads_bucket} | ({"FRONTEND_URL": spec.frontend_origin} if spec.cors_in == "lambda" else {})
    upload_arn = deploy_function(
        clients.lambda_, FunctionName=spec.upload_function, Runtime="python3.12", Role=THROWAWAY_ROLE_ARN,
        Handler=spec.upload_handler, Timeout=10,
        Code={"ZipFile": python_function_zip(APP_DIR / "upload_python", "3.12", extra=spec.upload_extra_files)},
        Environment={"Variables": _environment(upload_env, spec.upload_environment)},
    )
    authorizer_env = {"USER_POOL_ID": pool.user_pool_id, "CLIENT_ID": pool.client_id,
                      "JWKS_URL": local_jwks_url(clients.endpoint_url, pool)}
    authorizer_arn = deploy_function(
        clients.lambda_, FunctionName=spec.authorizer_function, Runtime="python3.12", Role=THROWAWAY_ROLE_ARN,
        Handler=spec.authorizer_handler, Timeout=spec.authorizer_timeout_seconds,
        Code={"ZipFile": python_function_zip(APP_DIR / "authorizer_python", "3.12", extra=spec.authorizer_extra_files)},
        Environment={"Variables": _environment(authorizer_env, spec.authorizer_environment)},
    )
    api_client = clients.apigatewayv2
    cors = {"CorsConfiguration": {"AllowOrigins": [spec.frontend_origin], "AllowMethods": ["OPTIONS", "GET", "POST"],
                                  "AllowHeaders": ["authorization", "content-type"], "MaxAge": 300}} if spec.cors_in == "api" else {}
    api = api_client.create_api(Name=spec.api_name, ProtocolType="HTTP", **cors)
    api_id = api["ApiId"]
    integration = api_client.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=upload_arn,
                                                PayloadFormatVersion="2.0")
    if spec.authorizer_kind == "jwt":
        authorizer = api_client.create_authorizer(
            ApiId=api_id, AuthorizerType="JWT", Name="CognitoJWT", IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Audience": [pool.client_id], "Issuer": pool.issuer},
        )
    else:
        authorizer = api_client.create_authorizer(
            ApiId=api_id, AuthorizerType="REQUEST", Name="CruddurJWTAuthorizer", IdentitySource=["$request.header.Authorization"],
            AuthorizerUri=f"arn:aws:apigateway:{clients.region}:lambda:path/2015-03-31/functions/{authorizer_arn}/invocations",
            AuthorizerPayloadFormatVersion=spec.authorizer_payload_format, EnableSimpleResponses=spec.authorizer_payload_format == "2.0",
            AuthorizerResultTtlInSeconds=spec.authorizer_ttl_seconds,
        )
    authorization_type = "JWT" if spec.authorizer_kind == "jwt" else "CUSTOM"
    for route_key, authorized in spec.routes:
        auth = {"AuthorizationType": authorization_type, "AuthorizerId": authorizer["AuthorizerId"]} if authorized else {}
        api_client.create_route(ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration['IntegrationId']}", **auth)
    api_client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    account_id = clients.sts.get_caller_identity()["Account"]
    for function_name in (spec.upload_function, spec.authorizer_function):
        allow_apigateway_invoke(clients.lambda_, function_name, api_id, clients.region, account_id)
    return AvatarApi(spec=spec, clients=clients, api_id=api_id, api_url=api["ApiEndpoint"])

"""The Cruddur avatar upload API (system.md), provisioned with boto3 calls that run unchanged on AWS:
HTTP API `POST /avatars/key_upload` (Lambda authorizer) and `OPTIONS /{proxy+}` (none) -> upload Lambda,
stage `$default`, the authorizer Lambda verifying the fake Cognito pool's access tokens.

The `$default` stage has access logging on, with a JSON format showing why a request failed (`ACCESS_LOG_FORMAT`:
the authorizer's and the integration's status and error, the gateway's error message), in `/aws/apigateway/<api name>`.

The authorizer Lambda reads the pool's JWKS at Cognito's own URL, which an emulator answers itself (the pool is
registered with the engine, which also trusts it for JWT authorizers; `harness.endpoints` sends a Lambda's
`https://cognito-idp.<region>.amazonaws.com` there). On AWS (`clients.emulator is None`) no Cognito knows the
fake pool: its JWKS is an object in a bucket of the API's own, named to the python authorizer by `JWKS_URL` (`s3://...`)
and read with the authorizer's role. `authorizer_runtime="nodejs20.x"` deploys the seed's Node authorizer
(aws-jwt-verify), which has no such override: emulator only.

`implementation` picks the system under test (README "The system under test"): "seed" (the default) is the seed's own
languages, the upload Lambda in Ruby (`app/upload_ruby`, ruby3.2, `function.handler`, its jwt gem from a layer made and
deleted with the API) and the authorizer in Node (`app/authorizer_node`, nodejs18.x, aws-jwt-verify); "python" is the
Python stand-ins (`app/upload_python`, `app/authorizer_python` on python3.12). On AWS the seed's authorizer cannot
verify the fake pool (no Cognito knows it), so there the python authorizer stands in for it.

`AvatarApiSpec` holds the deployed values; scenarios change one field to reproduce a bug.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.library.access_logs import AWS_WAIT_SECONDS, CLOCK_MARGIN_MS, access_log_line, expect_status
from harness.library.aws import AwsClients
from harness.library.cleanup import Cleanup
from harness.library.http import HttpResult
from harness.library.identity import FakeCognitoUserPool
from harness.library.lambda_functions import (
    allow_apigateway_invoke, delete_function, delete_log_group, delete_role, deploy_function, ensure_log_group, ensure_role,
    function_logs, wait_for_function_logs,
)
from harness.library.layout import APP_DIR, IMPLEMENTATIONS
from harness.library.packaging import node_function_zip, python_function_zip, ruby_function_zip, ruby_gem_layer_zip
from harness.library.s3 import delete_bucket, ensure_bucket
from harness.library.stage_deployment import wait_stage_deployed

SEED_UPLOAD_RUNTIME, SEED_AUTHORIZER_RUNTIME = "ruby3.2", "nodejs18.x"  # system.md: Ruby (2.7 then), Node
FRONTEND_ORIGIN = "https://3000-cruddur.gitpod.io"  # matches the uploads bucket's `https://*.gitpod.io`
JWKS_KEY = "jwks.json"
# What a user debugging the API puts in the stage's access log (behaviour.md "HTTP API access logging"; the AWS
# troubleshooting pages: add $context.authorizer.error and $context.integrationErrorMessage to the format).
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod", "routeKey": "$context.routeKey", "status": "$context.status",
    "responseLength": "$context.responseLength", "responseLatency": "$context.responseLatency",
    "authorizerStatus": "$context.authorizer.status", "authorizerError": "$context.authorizer.error",
    "authorizerLatency": "$context.authorizer.latency", "sub": "$context.authorizer.sub",
    "integrationStatus": "$context.integration.status", "lambdaStatus": "$context.integrationStatus",
    "integrationErrorMessage": "$context.integrationErrorMessage", "integrationRequestId": "$context.integration.requestId",
    "integrationLatency": "$context.integrationLatency",
    "errorMessage": "$context.error.message", "errorResponseType": "$context.error.responseType",
})


@dataclass(frozen=True)
class AvatarApiSpec:
    api_name: str = "cruddur-avatar-api"
    upload_function: str = "CruddurAvatarUpload"
    authorizer_function: str = "CruddurApiGatewayLambdaAuthorizer"
    upload_role: str = "cruddur-avatar-upload-role"
    authorizer_role: str = "cruddur-avatar-authorizer-role"
    jwks_bucket: str = "cruddur-harness-jwks"  # only on AWS: where the authorizer reads the fake pool's keys
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
    authorizer_handler: str = ""  # default: the implementation's own (handler.handler, index.handler)
    implementation: str = "seed"  # "seed": Ruby upload + Node authorizer; "python": the stand-ins (module docstring)
    authorizer_runtime: str = ""  # default: the implementation's (nodejs18.x, python3.12); "nodejs20.x" etc. to choose
    authorizer_timeout_seconds: int = 10
    upload_extra_files: tuple[Path, ...] = ()
    upload_handler: str = ""  # default: the implementation's (function.handler, handler.handler)
    upload_runtime: str = ""  # default: the implementation's (ruby3.2, python3.12)
    access_log_format: str = ACCESS_LOG_FORMAT
    authorizer_invoke_permission: bool = True  # False: the authorizer's resource policy does not let API Gateway call it

    def __post_init__(self) -> None:
        if self.implementation not in IMPLEMENTATIONS:
            raise ValueError(f"implementation {self.implementation!r}: one of {', '.join(IMPLEMENTATIONS)}")
        seed = self.implementation == "seed"
        object.__setattr__(self, "upload_runtime", self.upload_runtime or (SEED_UPLOAD_RUNTIME if seed else "python3.12"))
        object.__setattr__(self, "upload_handler", self.upload_handler or _default_handler(self.upload_runtime))
        object.__setattr__(self, "authorizer_runtime", self.authorizer_runtime or (SEED_AUTHORIZER_RUNTIME if seed else "python3.12"))

    @property
    def jwt_layer(self) -> str:
        """The upload Lambda's layer with the jwt gem (a Ruby upload Lambda only)."""
        return f"{self.upload_function}-jwt"

    @property
    def access_log_group(self) -> str:
        return f"/aws/apigateway/{self.api_name}"

    def with_unique_names(self, prefix: str = "") -> "AvatarApiSpec":
        """Every name made unique (`<prefix><name>-<random>`); the AWS target passes its run's prefix."""
        suffix = uuid.uuid4().hex[:8]
        names = ("api_name", "upload_function", "authorizer_function", "upload_role", "authorizer_role", "jwks_bucket")
        return dataclasses.replace(self, **{name: f"{prefix}{getattr(self, name)}-{suffix}" for name in names})


@dataclass
class AvatarApi:
    spec: AvatarApiSpec
    clients: AwsClients
    api_id: str
    api_url: str
    layer_version_arns: tuple[str, ...] = ()

    def authorizer_logs(self) -> str:
        return function_logs(self.clients.logs, self.spec.authorizer_function)

    def upload_logs(self) -> str:
        return function_logs(self.clients.logs, self.spec.upload_function)

    def wait_for_authorizer_logs(self, text: str, timeout: float = 30.0) -> str:
        return wait_for_function_logs(self.clients.logs, self.spec.authorizer_function, text, timeout)

    @property
    def description(self) -> str:
        return f"avatar API {self.spec.api_name} ({self.api_id})"

    def access_log_entry(self, answer: HttpResult) -> dict:
        """The stage's access-log line for this answer (found by its apigw-requestid), parsed (the format is JSON)."""
        line = access_log_line(self.clients.logs, self.spec.access_log_group, answer.headers["apigw-requestid"],
                               int(answer.sent_at * 1000) - CLOCK_MARGIN_MS, AWS_WAIT_SECONDS if self.clients.emulator is None else 30.0)
        return json.loads(line)

    def expect(self, answer: HttpResult, *statuses: int) -> HttpResult:
        """`answer` if its status is one of `statuses`; else AssertionError with the access-log line and the functions' logs."""
        return expect_status(answer, *statuses, clients=self.clients, api_id=self.api_id)

    def teardown(self) -> None:
        """Every step runs; what could not be deleted is reported together (CleanupError)."""
        cleanup = Cleanup(self.description)
        cleanup.run(f"http api {self.api_id}", lambda: self.clients.apigatewayv2.delete_api(ApiId=self.api_id))
        cleanup.run(f"log group {self.spec.access_log_group}", lambda: delete_log_group(self.clients.logs, self.spec.access_log_group))
        for name in (self.spec.upload_function, self.spec.authorizer_function):
            cleanup.run(f"lambda function {name}", lambda name=name: delete_function(self.clients.lambda_, self.clients.logs, name))
        for arn in self.layer_version_arns:
            cleanup.run(f"lambda layer version {arn}", lambda arn=arn: _delete_layer_version(self.clients.lambda_, arn))
        for role in (self.spec.upload_role, self.spec.authorizer_role):
            cleanup.run(f"iam role {role}", lambda role=role: delete_role(self.clients.iam, role))
        if self.clients.emulator is None:
            cleanup.run(f"s3 bucket {self.spec.jwks_bucket}", lambda: delete_bucket(self.clients.s3, self.spec.jwks_bucket))
        cleanup.raise_if_failed()


def publish_jwks(clients: AwsClients, pool: FakeCognitoUserPool, bucket: str) -> str | None:
    """Where the authorizer Lambda reads the pool's JWKS when it is not Cognito's own URL (see the module docstring)."""
    if clients.emulator is not None:
        clients.emulator.register_user_pool(pool)
        return None
    ensure_bucket(clients.s3, bucket)
    clients.s3.put_object(Bucket=bucket, Key=JWKS_KEY, Body=json.dumps(pool.jwks()).encode(), ContentType="application/json")
    return f"s3://{bucket}/{JWKS_KEY}"


def _environment(defaults: dict[str, str], overrides: dict[str, str | None]) -> dict[str, str]:
    merged = defaults | overrides
    return {k: v for k, v in merged.items() if v is not None}


def _upload_role_statement(spec: AvatarApiSpec) -> dict:
    """The presigned PUT is made with the upload Lambda's credentials, so its role must allow s3:PutObject."""
    return {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{spec.uploads_bucket}/*"}


def _authorizer_role_statement(spec: AvatarApiSpec) -> dict:
    """The fake pool's keys, when they are kept in S3 (the AWS target)."""
    return {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{spec.jwks_bucket}/{JWKS_KEY}"}


def _default_handler(runtime: str) -> str:
    if runtime.startswith("ruby"):
        return "function.handler"
    return "index.handler" if runtime.startswith("nodejs") else "handler.handler"


def _upload_zip(spec: AvatarApiSpec) -> bytes:
    if spec.upload_runtime.startswith("ruby"):
        return ruby_function_zip(APP_DIR / "upload_ruby", extra=spec.upload_extra_files)
    return python_function_zip(APP_DIR / "upload_python", spec.upload_runtime.removeprefix("python"), extra=spec.upload_extra_files)


def _upload_layers(clients: AwsClients, spec: AvatarApiSpec) -> tuple[str, ...]:
    """system.md: the seed's jwt gem came as a layer (`ruby/gems/<abi>/...`); published with the API, deleted with it."""
    if not spec.upload_runtime.startswith("ruby"):
        return ()
    abi = spec.upload_runtime.removeprefix("ruby") + ".0"
    layer = clients.lambda_.publish_layer_version(LayerName=spec.jwt_layer, CompatibleRuntimes=[spec.upload_runtime],
                                                  Content={"ZipFile": ruby_gem_layer_zip(["jwt"], abi)})
    return (layer["LayerVersionArn"],)


def _delete_layer_version(lambda_: Any, arn: str) -> None:
    layer_arn, version = arn.rsplit(":", 1)
    lambda_.delete_layer_version(LayerName=layer_arn, VersionNumber=int(version))


def _authorizer_runtime(clients: AwsClients, spec: AvatarApiSpec) -> str:
    """The seed's Node authorizer on an emulator; on AWS the python one verifies the fake pool (module docstring)."""
    if clients.emulator is None and spec.implementation == "seed" and spec.authorizer_runtime == SEED_AUTHORIZER_RUNTIME:
        return "python3.12"
    return spec.authorizer_runtime


def _authorizer_zip(runtime: str, spec: AvatarApiSpec) -> bytes:
    if runtime.startswith("nodejs"):
        return node_function_zip(APP_DIR / "authorizer_node", extra=spec.authorizer_extra_files)
    version = runtime.removeprefix("python")
    return python_function_zip(APP_DIR / "authorizer_python", version, extra=spec.authorizer_extra_files)


def provision_avatar_api(clients: AwsClients, pool: FakeCognitoUserPool, spec: AvatarApiSpec = AvatarApiSpec()) -> AvatarApi:
    """The packages are built first: a missing one is a ProvisioningError before anything is created."""
    upload_code = _upload_zip(spec)
    authorizer_runtime = _authorizer_runtime(clients, spec)
    authorizer_code = _authorizer_zip(authorizer_runtime, spec)
    jwks_url = publish_jwks(clients, pool, spec.jwks_bucket)
    upload_role_arn = ensure_role(clients.iam, spec.upload_role, _upload_role_statement(spec))
    authorizer_role_arn = ensure_role(clients.iam, spec.authorizer_role, _authorizer_role_statement(spec))
    upload_env = {"UPLOADS_BUCKET_NAME": spec.uploads_bucket} | ({"FRONTEND_URL": spec.frontend_origin} if spec.cors_in == "lambda" else {})
    layers = _upload_layers(clients, spec)
    upload_arn = deploy_function(
        clients.lambda_, FunctionName=spec.upload_function, Runtime=spec.upload_runtime, Role=upload_role_arn,
        Handler=spec.upload_handler, Timeout=10, Layers=list(layers),
        Code={"ZipFile": upload_code},
        Environment={"Variables": _environment(upload_env, spec.upload_environment)},
    )
    authorizer_env = {"USER_POOL_ID": pool.user_pool_id, "CLIENT_ID": pool.client_id} | ({"JWKS_URL": jwks_url} if jwks_url else {})
    authorizer_arn = deploy_function(
        clients.lambda_, FunctionName=spec.authorizer_function, Runtime=authorizer_runtime, Role=authorizer_role_arn,
        Handler=spec.authorizer_handler or _default_handler(authorizer_runtime), Timeout=spec.authorizer_timeout_seconds,
        Code={"ZipFile": authorizer_code}, Environment={"Variables": _environment(authorizer_env, spec.authorizer_environment)},
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
    account_id = clients.sts.get_caller_identity()["Account"]
    ensure_log_group(clients.logs, spec.access_log_group)
    api_client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, AccessLogSettings={
        "DestinationArn": f"arn:aws:logs:{clients.region}:{account_id}:log-group:{spec.access_log_group}", "Format": spec.access_log_format})
    wait_stage_deployed(api_client, api_id)
    invoked = (spec.upload_function, spec.authorizer_function) if spec.authorizer_invoke_permission else (spec.upload_function,)
    for function_name in invoked:
        allow_apigateway_invoke(clients.lambda_, function_name, api_id, clients.region, account_id)
    return AvatarApi(spec=spec, clients=clients, api_id=api_id, api_url=api["ApiEndpoint"], layer_version_arns=layers)

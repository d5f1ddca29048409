"""Ruby functions as AWS's ruby runtimes run them, and the Cruddur upload Lambda in Ruby (as the seed ran it).

behaviour.md "Lambda runtime": the runtime named runs (here: a declared substitute, see harness.lambda_runtime.ruby),
handlers `file.method(event:, context:)`, AWS's error shapes, the AWS SDK for Ruby provided, gems from layers.
system.md "The seed's functions" (upload Lambda) and bug 8 (a missing dependency -> 500).
"""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from harness.library.avatar_api import FRONTEND_ORIGIN, AvatarApi
from harness.library.http import http
from harness.library.lambda_functions import delete_role, deploy_function, ensure_role, wait_for_function_logs
from harness.lambda_runtime.ruby import RUBY_RUNTIMES
from harness.library.packaging import ruby_function_zip, ruby_gem_layer_zip, zip_files
from harness.library.s3 import head_object
from harness.library.layout import APP_DIR
from scenarios.avatar_client import PHOTO, key_upload

INTERNAL_ERROR = {"message": "Internal Server Error"}

# The same small handler the Node and Python runtimes are given: echo, an SDK call to S3, an error, a timeout.
SMALL_HANDLER = """
require 'aws-sdk-s3'

def handler(event:, context:)
  case event['action']
  when 'echo' then event
  when 's3'
    s3 = Aws::S3::Client.new  # as on AWS: its own endpoint (README "AWS hostnames inside Lambda")
    s3.put_object(bucket: event['bucket'], key: 'from-ruby.txt', body: RUBY_VERSION)
    s3.list_objects_v2(bucket: event['bucket']).contents.map(&:key)
  when 'error' then raise ArgumentError, "bad input: #{event['value']}"
  when 'sleep' then sleep 30
  end
end
"""


@pytest.fixture
def s3_role(aws_client, name_prefix):
    name = f"{name_prefix}ruby-s3-role-{uuid.uuid4().hex[:8]}"
    yield ensure_role(aws_client.iam, name, {"Effect": "Allow", "Action": ["s3:PutObject", "s3:ListBucket"], "Resource": "*"})
    delete_role(aws_client.iam, name)


@pytest.fixture
def bucket(aws_client, name_prefix):
    name = f"{name_prefix}ruby-scenario-{uuid.uuid4().hex[:8]}"
    aws_client.s3.create_bucket(Bucket=name)
    yield name
    for item in aws_client.s3.list_objects_v2(Bucket=name).get("Contents", []):
        aws_client.s3.delete_object(Bucket=name, Key=item["Key"])
    aws_client.s3.delete_bucket(Bucket=name)


def invoke(aws_client, name: str, event: dict) -> tuple[dict, object]:
    response = aws_client.lambda_.invoke(FunctionName=name, Payload=json.dumps(event))
    return response, json.loads(response["Payload"].read() or b"null")


# The seed's ruby2.7 runs here (existing functions keep running on AWS), but AWS refuses to create one since 2024-01-09.
RUNTIMES = [pytest.param(r, marks=pytest.mark.emulator_only("AWS refuses to create ruby2.7 functions since 2024-01-09"))
            if r == "ruby2.7" else r for r in RUBY_RUNTIMES]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_small_handler_in_each_ruby_runtime(aws_client, lambda_function_factory, s3_role, bucket, runtime):
    name = lambda_function_factory(Runtime=runtime, Handler="function.handler", Role=s3_role, Timeout=2,
                                   Code={"ZipFile": zip_files({"function.rb": SMALL_HANDLER})})["FunctionName"]
    response, payload = invoke(aws_client, name, {"action": "echo", "n": 1})
    assert "FunctionError" not in response and payload == {"action": "echo", "n": 1}
    response, payload = invoke(aws_client, name, {"action": "s3", "bucket": bucket})
    assert "FunctionError" not in response and payload == ["from-ruby.txt"], payload
    response, payload = invoke(aws_client, name, {"action": "error", "value": 7})
    assert response["FunctionError"] == "Unhandled"
    assert (payload["errorType"], payload["errorMessage"]) == ("Function<ArgumentError>", "bad input: 7")
    raise_line = next(n for n, line in enumerate(SMALL_HANDLER.splitlines(), 1) if "raise ArgumentError" in line)
    assert re.search(rf"function\.rb:{raise_line}:in [`'](Object#)?handler'$", payload["stackTrace"][0])  # Ruby 3.4: 'Object#handler'
    response, payload = invoke(aws_client, name, {"action": "sleep"})
    assert response["FunctionError"] == "Unhandled" and "Task timed out after 2.00 seconds" in payload["errorMessage"]


@pytest.fixture
def jwt_layer(aws_client, name_prefix):
    """The seed's jwt layer (`ruby/gems/3.2.0/gems/jwt-*`), built from Debian's ruby-jwt."""
    layer = aws_client.lambda_.publish_layer_version(LayerName=f"{name_prefix}cruddur-jwt", CompatibleRuntimes=["ruby3.2"],
                                                     Content={"ZipFile": ruby_gem_layer_zip(["jwt"], "3.2.0")})
    yield layer["LayerVersionArn"]
    aws_client.lambda_.delete_layer_version(LayerName=layer["LayerArn"], VersionNumber=layer["Version"])


def use_ruby_upload_lambda(aws_client, api: AvatarApi, layers: list[str]) -> None:
    """Replace the API's upload Lambda with app/upload_ruby on ruby3.2 (same name, role and environment)."""
    config = aws_client.lambda_.get_function_configuration(FunctionName=api.spec.upload_function)
    deploy_function(aws_client.lambda_, FunctionName=api.spec.upload_function, Runtime="ruby3.2", Handler="function.handler",
                    Role=config["Role"], Timeout=10, Environment=config["Environment"], Layers=layers,
                    Code={"ZipFile": ruby_function_zip(APP_DIR / "upload_ruby")})


def test_ruby_upload_lambda_with_its_jwt_layer_presigns_a_put_for_sub_jpg(aws_client, avatar_api_factory, cognito_user_pool, jwt_layer):
    api = avatar_api_factory(cors_in="lambda")
    use_ruby_upload_lambda(aws_client, api, [jwt_layer])
    sub = str(uuid.uuid4())
    answer = key_upload(api.api_url, cognito_user_pool.access_token(sub=sub))
    assert answer.status == 200, answer.body
    assert answer.headers["access-control-allow-origin"] == FRONTEND_ORIGIN
    url = urlparse(answer.json()["url"])
    query = parse_qs(url.query)
    assert url.path.endswith(f"/{sub}.jpg") and api.spec.uploads_bucket in url.netloc + url.path
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-SignedHeaders"] == ["host"]  # only host signed: any Content-Type
    assert put_to_presigned_url(aws_client, answer.json()["url"], PHOTO).status == 200  # a valid signature for that key
    assert head_object(aws_client.s3, api.spec.uploads_bucket, f"{sub}.jpg") is not None


def put_to_presigned_url(aws_client, url: str, body: bytes):
    """PUT to the URL the Ruby SDK made, on AWS's host: harness.library.http sends it to the engine on an emulator."""
    return http("PUT", url, {"Content-Type": "image/jpeg"}, body)


def test_ruby_upload_lambda_answers_the_options_route_with_its_cors_headers(aws_client, avatar_api_factory, jwt_layer):
    api = avatar_api_factory(cors_in="lambda")
    use_ruby_upload_lambda(aws_client, api, [jwt_layer])
    answer = http("OPTIONS", f"{api.api_url}/avatars/key_upload", {"Origin": FRONTEND_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert answer.status == 200 and answer.body == b""
    assert answer.headers["access-control-allow-origin"] == FRONTEND_ORIGIN
    assert answer.headers["access-control-allow-headers"] == "*, Authorization"
    assert answer.headers["access-control-allow-methods"] == "OPTIONS,GET,POST"


def test_bug_08_ruby_upload_lambda_without_its_jwt_layer_is_500(aws_client, avatar_api_factory, cognito_user_pool, jwt_layer):
    api = avatar_api_factory(cors_in="lambda")
    use_ruby_upload_lambda(aws_client, api, layers=[])
    token = cognito_user_pool.access_token()
    answer = key_upload(api.api_url, token)
    assert (answer.status, answer.json()) == (500, INTERNAL_ERROR)
    logs = wait_for_function_logs(aws_client.logs, api.spec.upload_function, "cannot load such file -- jwt", timeout=30)
    assert '"errorType": "Init<LoadError>"' in logs
    use_ruby_upload_lambda(aws_client, api, [jwt_layer])  # the fix: the function gets its layer
    assert key_upload(api.api_url, token).status == 200

"""Unchanged code reaches the emulator (README "AWS hostnames inside Lambda"): functions written for AWS, that know
nothing of the harness, talk to AWS's own hostnames and get the engine's answers.

behaviour.md "Lambda runtime": inside Lambda, code talks to the real endpoints with the function's credentials; an
emulator that wants unchanged code must answer those hostnames. system.md "The seed's functions": the Node authorizer
(aws-jwt-verify's CognitoJwtVerifier fetches the JWKS from Cognito's URL itself), the Node thumbnailer (`new S3Client()`).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

from harness.library.http import http
from harness.library.packaging import zip_files
from scenarios.avatar_client import PHOTO, key_upload

VARIANTS = Path(__file__).with_name("variants")
NODE = "nodejs20.x"
INTERNAL_ERROR = {"message": "Internal Server Error"}
# On AWS, Cognito's real URL knows no fake pool: what reads it runs on the emulator only.
FAKE_POOL_AT_COGNITOS_URL = pytest.mark.emulator_only("reads the fake Cognito pool at Cognito's real URL, which only the emulator answers")


# -- the seed's Node authorizer: CognitoJwtVerifier configured with USER_POOL_ID, tokenUse and CLIENT_ID only ----------

@pytest.fixture
def node_authorizer_api(avatar_api_factory):
    return avatar_api_factory(authorizer_runtime=NODE)


@FAKE_POOL_AT_COGNITOS_URL
def test_node_authorizer_verifies_a_valid_token_against_cognitos_own_jwks_url(node_authorizer_api, cognito_user_pool):
    sub = str(uuid.uuid4())
    answer = key_upload(node_authorizer_api.api_url, cognito_user_pool.access_token(sub=sub))
    assert answer.status == 200, (answer.body, node_authorizer_api.authorizer_logs())
    assert urlparse(answer.json()["url"]).path.endswith(f"/{sub}.jpg")
    node_authorizer_api.wait_for_authorizer_logs(f"authorized sub={sub}")


@FAKE_POOL_AT_COGNITOS_URL
def test_node_bug_01_bearer_prefix_not_stripped_is_403_with_the_librarys_parse_error(avatar_api_factory, node_authorizer_api,
                                                                                        cognito_user_pool):
    token = cognito_user_pool.access_token()
    broken = avatar_api_factory(authorizer_runtime=NODE, authorizer_handler="authorizer_node_bearer_not_stripped.handler",
                                authorizer_extra_files=(VARIANTS / "authorizer_node_bearer_not_stripped.js",))
    answer = key_upload(broken.api_url, token)
    assert (answer.status, answer.json()) == (403, {"message": "Forbidden"})
    broken.wait_for_authorizer_logs("JwtParseError: JWT string does not consist of exactly 3 parts (header, payload, signature)")
    assert key_upload(node_authorizer_api.api_url, token).status == 200


@FAKE_POOL_AT_COGNITOS_URL
def test_node_bug_02_expired_token_is_403_with_the_librarys_expiry_error(node_authorizer_api, cognito_user_pool):
    answer = key_upload(node_authorizer_api.api_url, cognito_user_pool.bad_tokens()["expired"])
    assert (answer.status, answer.json()) == (403, {"message": "Forbidden"})
    node_authorizer_api.wait_for_authorizer_logs("JwtExpiredError: Token expired at ")
    assert key_upload(node_authorizer_api.api_url, cognito_user_pool.access_token()).status == 200


@FAKE_POOL_AT_COGNITOS_URL
def test_node_bug_03_user_pool_id_misnamed_fails_at_init_on_every_call(avatar_api_factory, node_authorizer_api, cognito_user_pool):
    token = cognito_user_pool.access_token()
    broken = avatar_api_factory(authorizer_runtime=NODE,
                                authorizer_environment={"USER_POOL_ID": None, "USERPOOL_ID": cognito_user_pool.user_pool_id})
    for _ in range(2):
        answer = key_upload(broken.api_url, token)
        assert (answer.status, answer.json()) == (500, INTERNAL_ERROR)
    broken.wait_for_authorizer_logs("TypeError: Cannot read properties of undefined (reading 'match')")
    assert key_upload(node_authorizer_api.api_url, token).status == 200


@FAKE_POOL_AT_COGNITOS_URL
def test_node_bug_03_client_id_unset_is_403(avatar_api_factory, cognito_user_pool):
    broken = avatar_api_factory(authorizer_runtime=NODE, authorizer_environment={"CLIENT_ID": None})
    assert key_upload(broken.api_url, cognito_user_pool.access_token()).status == 403


# -- the thumbnailer with the SDK of its lock file (spring 2023, ignores AWS_ENDPOINT_URL) ---------------------------

def test_thumbnailer_with_the_2023_sdk_reads_and_writes_through_aws_hostnames(thumbnail_pipeline_factory):
    """`new S3Client()` of @aws-sdk/client-s3 3.300.0: virtual-hosted GetObject on the uploads bucket, path-style
    PutObject on the dotted assets bucket, both on `*.amazonaws.com` (with an endpoint it would not read anyway)."""
    pipeline = thumbnail_pipeline_factory(runtime=NODE, node_app="thumbnail_node_sdk2023",
                                          extra_environment={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    pipeline.upload("sdk2023.jpg", PHOTO)
    thumbnail = pipeline.wait_for_thumbnail("sdk2023.jpg", timeout=60)
    assert thumbnail[:2] == b"\xff\xd8"


def test_thumbnailer_with_todays_sdk_writes_to_the_dotted_assets_bucket(thumbnail_pipeline_factory):
    """The issue's `Invalid URL http://assets.cruddur.com.127.0.0.1:<port>/` came from LocalStack's AWS_ENDPOINT_URL;
    without it (as on AWS) today's SDK addresses the dotted bucket path-style over https."""
    pipeline = thumbnail_pipeline_factory(runtime=NODE)
    pipeline.upload("sdk-today.jpg", PHOTO)
    assert pipeline.wait_for_thumbnail("sdk-today.jpg", timeout=60)[:2] == b"\xff\xd8"


# -- raw HTTPS to Cognito from inside Lambdas ----------------------------------------------------------------------------

PY_JWKS = """
import json, os, urllib.request
def handler(event, context):
    url = f"https://cognito-idp.{os.environ['AWS_REGION']}.amazonaws.com/{event['pool']}/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())
"""
NODE_JWKS = """
const https = require('https');
exports.handler = (event) => new Promise((resolve, reject) => {
  https.get(`https://cognito-idp.${process.env.AWS_REGION}.amazonaws.com/${event.pool}/.well-known/jwks.json`, (res) => {
    let body = ''; res.on('data', (c) => { body += c; }); res.on('end', () => resolve(JSON.parse(body)));
  }).on('error', reject);
});
"""


RUBY_JWKS = """
require 'json'
require 'net/http'
def handler(event:, context:)
  JSON.parse(Net::HTTP.get(URI("https://cognito-idp.#{ENV['AWS_REGION']}.amazonaws.com/#{event['pool']}/.well-known/jwks.json")))
end
"""


@FAKE_POOL_AT_COGNITOS_URL
@pytest.mark.parametrize("runtime, files, handler", [
    ("python3.12", {"app.py": PY_JWKS}, "app.handler"),
    (NODE, {"index.js": NODE_JWKS}, "index.handler"),
    ("ruby3.3", {"function.rb": RUBY_JWKS}, "function.handler"),
])
def test_a_lambda_reads_the_cognito_jwks_at_its_real_url(aws_client, lambda_function_factory, cognito_user_pool, avatar_api,
                                                        runtime, files, handler):
    function = lambda_function_factory(Runtime=runtime, Handler=handler, Code={"ZipFile": zip_files(files)}, Timeout=15)
    response = aws_client.lambda_.invoke(FunctionName=function["FunctionName"],
                                         Payload=json.dumps({"pool": cognito_user_pool.user_pool_id}))
    answer = json.loads(response["Payload"].read())
    if isinstance(answer, dict) and answer.get("errorType") == "Runtime.Unavailable":
        pytest.skip(f"the executor cannot run {runtime} here: {answer['errorMessage']}")
    assert answer == cognito_user_pool.jwks()


NODE_WEBHOOK = """
exports.handler = async (event) => {
  const started = Date.now();
  try { await fetch(event.url); return { reached: true }; }
  catch (err) { return { reached: false, cause: String(err.cause && err.cause.code), ms: Date.now() - started }; }
};
"""


def test_a_lambda_calling_a_host_that_is_not_aws_fails_fast_as_offline(aws_client, lambda_function_factory):
    """Only AWS hostnames are redirected: the SNS webhook's kind of host is resolved by the machine, which is offline."""
    function = lambda_function_factory(Runtime=NODE, Handler="index.handler", Code={"ZipFile": zip_files({"index.js": NODE_WEBHOOK})})
    started = time.monotonic()
    response = aws_client.lambda_.invoke(FunctionName=function["FunctionName"],
                                         Payload=json.dumps({"url": "https://webhooks.cruddur.invalid/webhooks/avatar"}))
    answer = json.loads(response["Payload"].read())
    assert (answer["reached"], answer["cause"]) == (False, "ENOTFOUND")
    assert time.monotonic() - started < 15


# -- a presigned URL minted inside a Lambda, used by the test ----------------------------------------------------------

def test_presigned_url_on_the_real_s3_host_works_from_the_test_process(avatar_api, cognito_user_pool, thumbnail_pipeline):
    sub = str(uuid.uuid4())
    url = key_upload(avatar_api.api_url, cognito_user_pool.access_token(sub=sub)).json()["url"]
    host = urlparse(url).hostname  # virtual-hosted on S3's own host, as the SDK makes it on AWS
    assert host.startswith(f"{thumbnail_pipeline.spec.uploads_bucket}.s3.") and host.endswith(".amazonaws.com")
    tampered = http("PUT", url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), {"Content-Type": "image/jpeg"}, PHOTO)
    assert tampered.status == 403 and b"SignatureDoesNotMatch" in tampered.body  # behaviour.md "S3": SigV4 is checked
    assert http("PUT", url, {"Content-Type": "image/jpeg"}, PHOTO).status == 200
    assert thumbnail_pipeline.wait_for_thumbnail(f"{sub}.jpg")[:2] == b"\xff\xd8"

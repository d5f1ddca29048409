"""AWS hostnames reach the engine (harness.endpoints; README "AWS hostnames inside Lambda"): the rules, and plain
python, node, ruby and curl processes given exactly the environment the executor gives a Lambda process.

behaviour.md "Lambda runtime": inside Lambda, code talks to the real endpoints (`https://<service>.<region>.amazonaws.com`,
virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com`, path-style for dotted bucket names); an emulator that
wants unchanged code must answer those hostnames.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import time

import pytest

from harness.endpoints.ca import certificate_names, ensure_ca
from harness.library.aws_endpoints import AwsEndpoints
from harness.endpoints.preload import AWS_ADDRESS, ensure_library, lambda_environment
from harness.library.identity import FakeCognitoUserPool
from harness.library.s3 import ensure_bucket

pytestmark = pytest.mark.emulator_only("the engine's TLS front and CA")
NON_AWS = "webhooks.cruddur.invalid"  # RFC 2606: never resolves, anywhere


@pytest.mark.parametrize("hostname, names", [
    ("cognito-idp.us-east-1.amazonaws.com", ["cognito-idp.us-east-1.amazonaws.com"]),
    ("STS.amazonaws.com.", ["sts.amazonaws.com"]),
    ("cruddur-uploaded-avatars.s3.amazonaws.com", ["*.s3.amazonaws.com"]),
    ("cruddur-uploaded-avatars.s3.us-east-1.amazonaws.com", ["*.s3.us-east-1.amazonaws.com"]),
    ("assets.cruddur.com.s3.amazonaws.com", ["*.s3.amazonaws.com"]),  # a dotted name is not covered, as on AWS
    ("s3.amazonaws.com", ["s3.amazonaws.com"]),
])
def test_certificates_cover_what_aws_certificates_cover(hostname, names):
    assert certificate_names(hostname) == names


def _preload_only_env() -> dict[str, str]:
    """The library's name rules alone: nothing listens behind it."""
    return dict(os.environ, **lambda_environment(ensure_library(), ensure_ca(), "127.0.0.1:9", "127.0.0.1:9"))


def test_only_aws_hostnames_resolve_to_the_stand_in_address():
    names = ["cognito-idp.us-east-1.amazonaws.com", "assets.cruddur.com.s3.amazonaws.com", "AMAZONAWS.COM", "sts.amazonaws.com.",
             "localhost", "notamazonaws.com", "amazonaws.com.cruddur.invalid", NON_AWS]
    code = ("import json, socket, sys\nout = {}\nfor n in sys.argv[1:]:\n    try: out[n] = socket.getaddrinfo(n, 443)[0][4][0]\n"
            "    except OSError as e: out[n] = type(e).__name__\nprint(json.dumps(out))")
    resolved = json.loads(subprocess.run([sys.executable, "-S", "-c", code, *names], env=_preload_only_env(),
                                         capture_output=True, text=True, check=True, timeout=30).stdout)
    assert {n: a for n, a in resolved.items() if a == AWS_ADDRESS} == {n: AWS_ADDRESS for n in names[:4]}
    assert resolved["localhost"] == "127.0.0.1"
    assert {resolved[n] for n in names[5:]} == {"gaierror"}


@pytest.fixture(scope="module")
def endpoints(localstack_engine) -> AwsEndpoints:
    return AwsEndpoints.of_engine(localstack_engine.endpoint_url)


@pytest.fixture(scope="module")
def pool(aws_client, localstack_engine) -> FakeCognitoUserPool:
    pool = FakeCognitoUserPool(region=aws_client.region)
    localstack_engine.emulator.register_user_pool(pool)
    return pool


@pytest.fixture
def lambda_like_env(endpoints) -> dict[str, str]:
    """What a Lambda process gets from the executor (and AWS's credentials variables), nothing of the host's AWS_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | endpoints.process_environment() | {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                                                    "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}


def run(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"{argv[0]} failed:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result.stdout


PY_JWKS = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())"
NODE_JWKS = "require('https').get(process.argv[1], (r) => { let b = ''; r.on('data', (c) => b += c); r.on('end', () => console.log(b)); })" \
            ".on('error', (e) => { console.error(e); process.exit(1); });"
RUBY_JWKS = "require 'net/http'; puts Net::HTTP.get(URI(ARGV[0]))"


def test_python_urllib_reads_cognito_jwks_at_its_real_url(pool, lambda_like_env):
    assert json.loads(run([sys.executable, "-S", "-c", PY_JWKS, pool.jwks_url], lambda_like_env)) == pool.jwks()


def test_node_https_reads_cognito_jwks_at_its_real_url(pool, lambda_like_env):
    assert json.loads(run(["node", "-e", NODE_JWKS, pool.jwks_url], lambda_like_env)) == pool.jwks()


@pytest.mark.skipif(shutil.which("ruby") is None, reason="no ruby on this host")
def test_ruby_net_http_reads_cognito_jwks_at_its_real_url(pool, lambda_like_env):
    assert json.loads(run(["ruby", "-e", RUBY_JWKS, pool.jwks_url], lambda_like_env)) == pool.jwks()


def test_curl_reads_the_openid_configuration_at_its_real_url(pool, lambda_like_env):
    configuration = json.loads(run(["curl", "-sSf", f"{pool.issuer}/.well-known/openid-configuration"], lambda_like_env))
    assert configuration["issuer"] == pool.issuer and configuration["jwks_uri"] == pool.jwks_url


def test_requests_in_a_process_with_the_lambda_environment_reads_cognito(pool, lambda_like_env):
    """README: `requests` (certifi's bundle unless REQUESTS_CA_BUNDLE) in any process given `process_environment()`."""
    code = "import sys, requests; print(requests.get(sys.argv[1], timeout=10).text)"
    assert json.loads(run([sys.executable, "-c", code, pool.jwks_url], lambda_like_env)) == pool.jwks()


def test_curl_without_the_library_reaches_the_front_with_connect_to(pool, endpoints):
    out = subprocess.run(["curl", "-sSf", *endpoints.curl_arguments(), pool.jwks_url], capture_output=True, text=True, timeout=30)
    assert json.loads(out.stdout) == pool.jwks(), out.stderr


BOTO = """
import boto3, json
s3 = boto3.client("s3")
s3.put_object(Bucket="cruddur-uploaded-avatars", Key="hostnames.txt", Body=b"virtual-hosted")
s3.put_object(Bucket="assets.cruddur.com", Key="avatars/hostnames.txt", Body=b"path-style, dotted")
print(json.dumps({
    "virtual": s3.get_object(Bucket="cruddur-uploaded-avatars", Key="hostnames.txt")["Body"].read().decode(),
    "dotted": s3.get_object(Bucket="assets.cruddur.com", Key="avatars/hostnames.txt")["Body"].read().decode(),
    "endpoint": s3.meta.endpoint_url,
    "sts_global": boto3.client("sts", endpoint_url="https://sts.amazonaws.com").get_caller_identity()["Account"],
    "sts_regional": boto3.client("sts").get_caller_identity()["Account"],
    "lambda": type(boto3.client("lambda", endpoint_url="https://lambda.us-east-1.amazonaws.com").list_functions()["Functions"]).__name__,
}))
"""


def test_boto3_with_no_endpoint_reaches_s3_sts_and_lambda(aws_client, lambda_like_env):
    for bucket in ("cruddur-uploaded-avatars", "assets.cruddur.com"):
        ensure_bucket(aws_client.s3, bucket)
    answer = json.loads(run([sys.executable, "-c", BOTO], lambda_like_env))
    assert answer == {"virtual": "virtual-hosted", "dotted": "path-style, dotted", "endpoint": "https://s3.amazonaws.com",
                      "sts_global": "000000000000", "sts_regional": "000000000000", "lambda": "list"}


RUBY_PRESIGN = """
require 'aws-sdk-s3'
url = Aws::S3::Resource.new.bucket(ARGV[0]).object('ruby.jpg').presigned_url(:put, expires_in: 300)
puts url
"""


def test_ruby_sdk_presigned_url_on_the_real_host_verifies(aws_client, lambda_like_env):
    """The upload Lambda's call (system.md): aws-sdk-s3 presigns on `https://<bucket>.s3.amazonaws.com`."""
    # checked here, not in a skipif: that would load Ruby and the SDK (~0.7 s) in every pytest process that collects this
    if not shutil.which("ruby") or subprocess.run(["ruby", "-e", "require 'aws-sdk-s3'"], capture_output=True).returncode != 0:
        pytest.skip("no ruby with the aws-sdk-s3 gem on this host")
    ensure_bucket(aws_client.s3, "cruddur-uploaded-avatars")
    url = run(["ruby", "-e", RUBY_PRESIGN, "cruddur-uploaded-avatars"], lambda_like_env).strip()
    assert url.startswith("https://cruddur-uploaded-avatars.s3.amazonaws.com/ruby.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256")
    put = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--data-binary", "avatar", "-H", "Content-Type: image/jpeg"]
    assert run(put + [url], lambda_like_env) == "200"
    assert aws_client.s3.get_object(Bucket="cruddur-uploaded-avatars", Key="ruby.jpg")["Body"].read() == b"avatar"
    assert run(put + [url.replace("X-Amz-Signature=", "X-Amz-Signature=0")], lambda_like_env) == "403"  # SignatureDoesNotMatch


def test_a_dotted_bucket_name_in_the_host_fails_the_certificate_check_as_on_aws(pool, lambda_like_env):
    out = subprocess.run(["curl", "-sS", "https://assets.cruddur.com.s3.amazonaws.com/avatars/x.jpg"], env=lambda_like_env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 60 and "assets.cruddur.com.s3.amazonaws.com" in out.stderr  # curl: certificate does not match


def test_other_hosts_are_left_alone_and_fail_fast_offline(lambda_like_env):
    started = time.monotonic()
    out = subprocess.run(["node", "-e", NODE_JWKS, f"https://{NON_AWS}/webhooks/avatar"], env=lambda_like_env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and f"getaddrinfo ENOTFOUND {NON_AWS}" in out.stderr
    assert time.monotonic() - started < 10


def test_the_front_refuses_a_name_that_is_not_aws(endpoints):
    context = endpoints.ca.client_context()
    with pytest.raises(ssl.SSLCertVerificationError):
        import socket

        host, port = endpoints.https.split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            context.wrap_socket(sock, server_hostname="api.cruddur.com")


ENV_REPORT = """
import os
def handler(event, context):
    return {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "LD_PRELOAD", "HARNESS_AWS_ADDRESS", "SSL_CERT_FILE",
                                           "NODE_EXTRA_CA_CERTS", "AWS_CA_BUNDLE")}
"""


@pytest.mark.parametrize("own_variables", [{}, {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "LD_PRELOAD": "libmine.so"}])
def test_lambda_processes_get_the_library_and_no_endpoint_url_of_localstacks(aws_client, lambda_function_factory, own_variables):
    """As on AWS, no AWS_ENDPOINT_URL, unless the function sets one itself; a function's own LD_PRELOAD is kept after ours."""
    from harness.library.packaging import zip_files

    function = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files({"app.py": ENV_REPORT})},
                                       Environment={"Variables": own_variables})
    env = json.loads(aws_client.lambda_.invoke(FunctionName=function["FunctionName"])["Payload"].read())
    ca = ensure_ca()
    assert env["AWS_ENDPOINT_URL"] == own_variables.get("AWS_ENDPOINT_URL")
    assert env["LD_PRELOAD"].split(" ") == [str(ensure_library()), *filter(None, [own_variables.get("LD_PRELOAD")])]
    assert (env["HARNESS_AWS_ADDRESS"], env["SSL_CERT_FILE"], env["NODE_EXTRA_CA_CERTS"], env["AWS_CA_BUNDLE"]) == (
        AWS_ADDRESS, str(ca.trust_bundle), str(ca.certificate), str(ca.certificate))


def test_the_front_keeps_client_connections_alive_though_the_gateway_closes_each(aws_client, endpoints, s3_bucket_factory):
    """LocalStack answers `Connection: close`; the front does not pass it on, so one TLS connection serves many calls."""
    import http.client
    import socket

    bucket = s3_bucket_factory("keepalive-public")  # anonymous reads, as S3 allows them: a public bucket policy (behaviour.md "S3")
    aws_client.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    aws_client.s3.put_object(Bucket=bucket, Key="keepalive.txt", Body=b"kept")
    host, port = endpoints.https.split(":")
    connection = http.client.HTTPSConnection(f"{bucket}.s3.amazonaws.com")
    connection.sock = endpoints.ca.client_context().wrap_socket(socket.create_connection((host, int(port)), timeout=10),
                                                                server_hostname=f"{bucket}.s3.amazonaws.com")
    first_socket = connection.sock
    answers = []
    for method in ("GET", "HEAD", "GET"):
        connection.request(method, "/keepalive.txt")
        response = connection.getresponse()
        answers.append((response.status, response.read(), response.will_close))
    assert answers == [(200, b"kept", False), (200, b"", False), (200, b"kept", False)]
    assert connection.sock is first_socket


SDK_BODIES = """
import boto3, hashlib, io, json
s3 = boto3.client("s3")
big = bytes(range(256)) * 40000  # 10 MB: PutObject with Expect: 100-continue, then a multipart upload
s3.put_object(Bucket="cruddur-uploaded-avatars", Key="big.bin", Body=big)
s3.upload_fileobj(io.BytesIO(big), "cruddur-uploaded-avatars", "multipart.bin")
print(json.dumps({key: hashlib.sha256(s3.get_object(Bucket="cruddur-uploaded-avatars", Key=key)["Body"].read()).hexdigest()
                  for key in ("big.bin", "multipart.bin")} | {"sent": hashlib.sha256(big).hexdigest(),
                  "head": s3.head_object(Bucket="cruddur-uploaded-avatars", Key="big.bin")["ContentLength"]}))
"""


def test_large_and_multipart_bodies_pass_the_front_intact(aws_client, lambda_like_env):
    ensure_bucket(aws_client.s3, "cruddur-uploaded-avatars")
    answer = json.loads(run([sys.executable, "-c", SDK_BODIES], lambda_like_env))
    assert answer["big.bin"] == answer["multipart.bin"] == answer["sent"] and answer["head"] == 10_240_000

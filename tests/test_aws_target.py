"""The AWS target (`--engine aws`). No AWS account is reachable here (loopback only), so:
the refusals and the dry run are run for real (they make no AWS call); a whole run is made with this session's
LocalStack standing in for AWS through the SDK's own `AWS_ENDPOINT_URL`, which the AWS target honours as the AWS
CLI does: the target's code path (SDK-configured clients, prefixed names, JWKS in S3, sweep) is the real one."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from harness.library import lambda_functions
from harness.library.targets.aws_account import sweep
from harness.library.lambda_functions import create_function
from harness.lambda_runtime.runtimes import runtimes_dir

pytest_plugins = ["pytester"]
CACHE_DIR = runtimes_dir().parent  # read at import: pytester points HOME at a temporary directory

SCENARIOS = '''
import pytest

from harness.library.http import http
from harness.library.layout import CHECKOUT_ROOT

PHOTO = (CHECKOUT_ROOT / "fixtures" / "images" / "photo.jpg").read_bytes()


def test_avatar_flow(thumbnail_pipeline, avatar_api, cognito_user_pool, name_prefix):
    assert thumbnail_pipeline.spec.uploads_bucket.startswith(name_prefix + "cruddur-uploaded-avatars-")
    answer = http("POST", avatar_api.api_url + "/avatars/key_upload", {"Authorization": "Bearer " + cognito_user_pool.access_token(sub="me"),
                  "Content-Type": "application/json"}, b'{"extension": "jpg"}')
    assert answer.status == 200, answer.body
    assert http("PUT", answer.json()["url"], {"Content-Type": "image/jpeg"}, PHOTO).status == 200
    assert thumbnail_pipeline.wait_for_thumbnail("me.jpg")[:2] == b"\\xff\\xd8"


def test_function_from_the_factory_gets_an_execution_role(aws_client, lambda_function_factory, name_prefix):
    from harness.library.packaging import zip_files

    function = lambda_function_factory(Runtime="python3.12", Handler="app.handler",
                                       Code={"ZipFile": zip_files({"app.py": "def handler(event, context):\\n    return 7\\n"})})
    assert function["Role"].split("/")[-1].startswith(name_prefix + "fn-role-")
    assert aws_client.lambda_.invoke(FunctionName=function["FunctionName"])["Payload"].read() == b"7"


@pytest.mark.aws_unverified
def test_unverified_answer_is_recorded(avatar_api):
    assert http("OPTIONS", avatar_api.api_url + "/avatars/key_upload", {"Origin": "https://3000-cruddur.gitpod.io",
                "Access-Control-Request-Method": "POST"}).status == 204


def test_fails_after_leaving_a_bucket_behind(aws_client, name_prefix):
    aws_client.s3.create_bucket(Bucket=name_prefix + "left-behind")
    assert False, "a failing test must not stop the teardown"


@pytest.mark.emulator_only("moves the gateway's clock")
def test_emulator_only(gateway_clock):
    pass
'''


def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # loopback only: never ask 169.254.169.254


def test_aws_engine_refuses_to_start_without_the_opt_in_flag(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    pytester.makepyfile(test_x="def test_x(aws_client): pass")
    result = pytester.runpytest_subprocess("--engine", "aws", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*creates real, billable resources*not confirmed*", "*hint: add --aws-opt-in*--dry-run*"])


def test_aws_engine_refuses_to_start_without_credentials(pytester, monkeypatch, tmp_path):
    no_aws_credentials(monkeypatch, tmp_path)
    pytester.makepyfile(test_x="def test_x(aws_client): pass")
    result = pytester.runpytest_subprocess("--engine", "aws", "--aws-opt-in", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*found no AWS credentials*", "*hint: configure credentials*"])


def test_dry_run_prints_the_plan_and_creates_nothing(pytester, monkeypatch, tmp_path):
    no_aws_credentials(monkeypatch, tmp_path)
    pytester.makepyfile(test_scenarios=SCENARIOS)
    result = pytester.runpytest_subprocess("--engine", "aws", "--dry-run", "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "*--engine aws dry run: nothing is created, no AWS call is made*",
        "*credentials:  NONE FOUND: a real run would refuse to start*",
        "*confirmation: --aws-opt-in missing*",
        "*name prefix:  harness-*",
        "*s3 bucket*harness-*-cruddur-uploaded-avatars-*",
        "*lambda function*harness-*-CruddurApiGatewayLambdaAuthorizer-*",
        "*teardown: at the end, even after a failure or Ctrl-C*",
        "*tests: 4 run, 1 skipped as emulator-only, 1 record what AWS answers*",
        "*run   test_scenarios.py::test_unverified_answer_is_recorded  [[]records answers[]]*",
        "*skip  test_scenarios.py::test_emulator_only  (emulator-only: moves the gateway's clock)*",
        "*dry run: nothing was created*",
    ])


def test_dry_run_without_the_aws_engine_is_refused(pytester):
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest_subprocess("--dry-run", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--dry-run plans a run against a real account: add --engine aws*"])


def test_a_run_provisions_under_its_prefix_skips_emulator_only_records_answers_and_always_tears_down(
        pytester, monkeypatch, localstack_engine, aws_client):
    """The run's own teardown must leave nothing named harness-* in the account."""
    stand_in_for_aws(monkeypatch, localstack_engine)
    pytester.makepyfile(test_scenarios=SCENARIOS)
    result = pytester.runpytest_subprocess("--engine", "aws", "--aws-opt-in", "-p", "no:cacheprovider", "-rs", timeout=300)
    result.assert_outcomes(passed=3, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["harness: --engine aws, region us-east-1, credentials from env, every name starts with harness-*",
                                 "harness: provisioning the thumbnail pipeline (harness-*) ... * ms",
                                 "harness: deleting every resource named harness-* ... * ms",
                                 "*--engine aws teardown: deleted * resource(s) named harness-*",
                                 "  s3 bucket harness-*-left-behind",  # what the failing test left: swept all the same
                                 "*SKIPPED*emulator-only: moves the gateway's clock*"])
    assert leftovers(aws_client) == []
    [answers] = (pytester.path / "reports" / "aws-answers").glob("*.json")
    recorded = json.loads(answers.read_text())
    assert (recorded["engine"], recorded["outcome"]) == ("aws", "passed")
    assert recorded["exchanges"][0]["answer"]["status"] == 204
    assert recorded["exchanges"][0]["request"]["method"] == "OPTIONS"


def test_ctrl_c_still_tears_everything_down(pytester, monkeypatch, localstack_engine, aws_client):
    stand_in_for_aws(monkeypatch, localstack_engine)
    pytester.makepyfile(test_interrupted="""
import os, signal

def test_interrupted_after_creating_a_bucket(aws_client, name_prefix):
    aws_client.s3.create_bucket(Bucket=name_prefix + "interrupted")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if this run inherited SIGINT ignored
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C
""")
    result = pytester.runpytest_subprocess("--engine", "aws", "--aws-opt-in", "-p", "no:cacheprovider", timeout=120)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*--engine aws teardown: deleted 1 resource(s) named harness-*",
                                 "  s3 bucket harness-*-interrupted", "*KeyboardInterrupt*"])
    assert leftovers(aws_client) == []


def stand_in_for_aws(monkeypatch: pytest.MonkeyPatch, localstack_engine) -> None:
    """This session's LocalStack plays the account, reached the way the AWS CLI and SDKs allow: AWS_ENDPOINT_URL."""
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(CACHE_DIR))
    monkeypatch.setenv("AWS_ENDPOINT_URL", localstack_engine.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


def leftovers(aws_client) -> list[str]:
    """Everything in the engine named like an AWS-target run's resources."""
    names = [b["Name"] for b in aws_client.s3.list_buckets()["Buckets"]]
    names += [f["FunctionName"] for f in aws_client.lambda_.list_functions()["Functions"]]
    names += [r["RoleName"] for r in aws_client.iam.list_roles()["Roles"]]
    names += [a["Name"] for a in aws_client.apigatewayv2.get_apis()["Items"]]
    names += [g["logGroupName"] for g in aws_client.logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/harness-")["logGroups"]]
    return [name for name in names if name.startswith(("harness-", "/aws/lambda/harness-"))]


def test_sweep_refuses_a_prefix_that_is_not_a_run_prefix(aws_client):
    for prefix in ("", "cruddur-", "harness-"):
        with pytest.raises(ValueError, match="not a harness run prefix"):
            sweep(aws_client, prefix)


def test_create_function_waits_while_a_new_role_is_not_assumable_yet(aws_client, monkeypatch):
    """On AWS, CreateFunction right after CreateRole fails until IAM has propagated the role."""
    monkeypatch.setattr(lambda_functions, "ROLE_RETRY_INTERVAL_SECONDS", 0.01)
    client = aws_client.lambda_
    refusal = "The role defined for the function cannot be assumed by Lambda."
    with Stubber(client) as stubber:
        stubber.add_client_error("create_function", "InvalidParameterValueException", refusal)
        stubber.add_client_error("create_function", "InvalidParameterValueException", refusal)
        stubber.add_response("create_function", {"FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f"})
        arn = create_function(client, FunctionName="f", Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": b"x"})
        assert arn.endswith(":function:f")
        stubber.add_client_error("create_function", "InvalidParameterValueException", "Unsupported runtime")
        with pytest.raises(client.exceptions.InvalidParameterValueException, match="Unsupported runtime"):
            create_function(client, FunctionName="f", Role="r", Code={"ZipFile": b"x"})

"""Seed bugs 1-8 and 13-15 (system.md): the wrong config, the symptom AWS shows, the fix, success. Where AWS's access
log says why (behaviour.md "HTTP API access logging"), the scenario reads the stage's line for that request too."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from harness.library.access_logs import expect_status
from harness.library.avatar_api import FRONTEND_ORIGIN
from harness.library.http import http
from harness.library.lambda_functions import allow_apigateway_invoke, invocation_count
from harness.library.layout import CHECKOUT_ROOT
from harness.library.s3 import ensure_bucket
from harness.library.thumbnail_pipeline import UPLOADS_BUCKET_CORS
from harness.library.waiting import wait_until
from scenarios.avatar_client import PHOTO, api_preflight, browser_verdict, key_upload

VARIANTS = Path(__file__).with_name("variants")
INTERNAL_ERROR = {"message": "Internal Server Error"}
# The Python stand-in's authorizer, where a scenario is about the gateway and its variant is written in python.
PYTHON_AUTHORIZER = {"authorizer_runtime": "python3.12"}
# Each implementation's log line for a bug (`--sut`): the seed's libraries' own words (aws-jwt-verify, Ruby), or the stand-ins'.
SAYS = {
    "seed": {1: "JwtParseError: JWT string does not consist of exactly 3 parts (header, payload, signature)",
             3: "TypeError: Cannot read properties of undefined (reading 'match')",
             6: "NoMethodError", 8: "ArgumentError"},
    "python": {1: "token not valid: DecodeError", 3: "KeyError", 6: "KeyError", 8: "KeyError"},
}


def variant(sut: str, role: str, name: str) -> dict:
    """The `role` ("upload", "authorizer") function with a bug put back: `variants/<name>.<the implementation's language>`."""
    language = {"upload": {"seed": "rb", "python": "py"}, "authorizer": {"seed": "js", "python": "py"}}[role][sut]
    stem = f"authorizer_node_{name}" if (role, sut) == ("authorizer", "seed") else (f"authorizer_{name}" if role == "authorizer" else f"upload_{name}")
    return {f"{role}_handler": f"{stem}.handler", f"{role}_extra_files": (VARIANTS / f"{stem}.{language}",)}


@pytest.mark.aws_unverified  # the access log's texts (harness/localstack_plugins/apigw/aws_unverified.py)
def test_bug_01_bearer_prefix_not_stripped_is_403(avatar_api_factory, avatar_api, cognito_user_pool, sut):
    token = cognito_user_pool.access_token()
    broken = avatar_api_factory(**variant(sut, "authorizer", "bearer_not_stripped"))
    answer = key_upload(broken.api_url, token)
    assert (answer.status, answer.json()) == (403, {"message": "Forbidden"})
    entry = broken.access_log_entry(answer)  # the authorizer answered isAuthorized:false: no authorizer error, a 403
    assert (entry["status"], entry["authorizerStatus"], entry["authorizerError"], entry["errorMessage"]) == ("403", "403", "-", "Forbidden")
    broken.wait_for_authorizer_logs(SAYS[sut][1])
    with pytest.raises(AssertionError) as failure:  # why: in the authorizer's own log, attached by expect()
        broken.expect(answer, 200)
    assert SAYS[sut][1] in str(failure.value) and '"authorizerStatus": "403"' in str(failure.value)
    fixed = avatar_api  # the API as deployed
    fixed.expect(key_upload(fixed.api_url, token), 200)


@pytest.mark.parametrize("cors_in, browser_sees_cors_headers", [("api", True), ("lambda", False)])
def test_bug_02_expired_token_is_403(avatar_api_factory, cognito_user_pool, cors_in, browser_sees_cors_headers):
    """403; when CORS lives in the Lambda the 403 has no CORS headers, so the browser reports a CORS failure."""
    api = avatar_api_factory(cors_in=cors_in)
    expired = cognito_user_pool.bad_tokens()["expired"]
    answer = key_upload(api.api_url, expired)
    assert (answer.status, answer.json()) == (403, {"message": "Forbidden"})
    assert ("access-control-allow-origin" in answer.headers) is browser_sees_cors_headers
    judged = browser_verdict(api_preflight(api.api_url), answer)
    assert judged.allowed is browser_sees_cors_headers, judged.explain()  # the page can read the 403, or sees a CORS error
    assert key_upload(api.api_url, cognito_user_pool.access_token()).status == 200


@pytest.mark.aws_unverified  # the access log's texts (harness/localstack_plugins/apigw/aws_unverified.py)
def test_bug_03_user_pool_id_misnamed_is_500_on_every_call(avatar_api_factory, avatar_api, cognito_user_pool, sut):
    token = cognito_user_pool.access_token()
    broken = avatar_api_factory(authorizer_environment={"USER_POOL_ID": None, "USERPOOL_ID": cognito_user_pool.user_pool_id})
    for _ in range(2):
        answer = key_upload(broken.api_url, token)
        assert (answer.status, answer.json()) == (500, INTERNAL_ERROR)
        entry = broken.access_log_entry(answer)
        assert (entry["authorizerStatus"], entry["errorMessage"]) == ("500", "Internal Server Error")
        assert SAYS[sut][3] in entry["authorizerError"]  # failed at init
    broken.wait_for_authorizer_logs(SAYS[sut][3])
    key_upload(avatar_api.api_url, token, expect=200)


def test_bug_03_client_id_unset_is_403(avatar_api_factory, cognito_user_pool):
    broken = avatar_api_factory(authorizer_environment={"CLIENT_ID": None})
    assert key_upload(broken.api_url, cognito_user_pool.access_token()).status == 403


def test_bug_04_lambda_cors_headers_are_ignored_when_the_api_has_cors(avatar_api_factory, cognito_user_pool):
    api = avatar_api_factory(cors_in="api", upload_environment={"FRONTEND_URL": "https://old-dev-url.gitpod.io"})
    answer = key_upload(api.api_url, cognito_user_pool.access_token())
    assert answer.status == 200 and answer.headers["access-control-allow-origin"] == FRONTEND_ORIGIN


def test_bug_05_catch_all_with_authorizer_and_no_options_route_fails_preflight(avatar_api_factory, cognito_user_pool):
    broken = avatar_api_factory(cors_in="lambda", routes=(("ANY /{proxy+}", True),))
    preflight = api_preflight(broken.api_url)
    assert (preflight.status, preflight.json()) == (401, {"message": "Unauthorized"})
    assert "it does not have HTTP ok status" in browser_verdict(preflight, None).explain()
    fixed = avatar_api_factory(cors_in="lambda", routes=(("ANY /{proxy+}", True), ("OPTIONS /{proxy+}", False)))
    preflight = api_preflight(fixed.api_url)
    assert preflight.status == 200 and preflight.headers["access-control-allow-origin"] == FRONTEND_ORIGIN


def test_bug_06_options_route_key_mismatch_sends_preflight_into_the_post_branch(avatar_api_factory, sut):
    broken = avatar_api_factory(cors_in="lambda", routes=(("POST /avatars/key_upload", True), ("OPTIONS /avatars/{proxy+}", False)))
    preflight = api_preflight(broken.api_url)
    assert (preflight.status, preflight.json()) == (500, INTERNAL_ERROR)  # the Lambda took the POST branch and crashed
    assert SAYS[sut][6] in broken.access_log_entry(preflight)["integrationErrorMessage"]  # the seed's: NoMethodError on nil
    assert api_preflight(avatar_api_factory(cors_in="lambda").api_url).status == 200


@pytest.mark.parametrize("configured", [FRONTEND_ORIGIN + "/", "https://https://3000-cruddur.gitpod.io", "https://old-dev-url.gitpod.io"])
def test_bug_06_lambda_origin_that_is_not_the_page_origin(avatar_api_factory, configured):
    preflight = api_preflight(avatar_api_factory(cors_in="lambda", upload_environment={"FRONTEND_URL": configured}).api_url)
    assert preflight.status == 200 and preflight.headers["access-control-allow-origin"] != FRONTEND_ORIGIN
    judged = browser_verdict(preflight, None)
    assert not judged.allowed and "is not the page origin" in judged.explain()


def test_bug_07_status_code_typo_returns_the_whole_json_as_body(avatar_api_factory, avatar_api, cognito_user_pool, sut):
    broken = avatar_api_factory(**variant(sut, "upload", "status_code_typo"))
    answer = key_upload(broken.api_url, cognito_user_pool.access_token())
    assert answer.status == 200 and "url" not in answer.json() and "status_code" in answer.json()
    assert "url" in key_upload(avatar_api.api_url, cognito_user_pool.access_token()).json()


@pytest.mark.aws_unverified  # what $context.integration.status says of an inferred response
def test_bug_07_the_access_log_shows_the_function_returned_no_status(avatar_api_factory, cognito_user_pool, sut):
    broken = avatar_api_factory(**variant(sut, "upload", "status_code_typo"))
    answer = key_upload(broken.api_url, cognito_user_pool.access_token())
    entry = broken.access_log_entry(answer)
    # Lambda answered (200) but the function gave no statusCode: API Gateway inferred a 200 whose body is the whole JSON
    assert (entry["status"], entry["lambdaStatus"], entry["integrationStatus"], entry["integrationErrorMessage"]) == ("200", "200", "-", "-")
    assert int(entry["responseLength"]) == len(answer.body)


@pytest.mark.aws_unverified  # the access log's texts (harness/localstack_plugins/apigw/aws_unverified.py)
def test_bug_08_upload_lambda_error_is_500(avatar_api_factory, avatar_api, cognito_user_pool, sut):
    broken = avatar_api_factory(upload_environment={"UPLOADS_BUCKET_NAME": None})
    answer = key_upload(broken.api_url, cognito_user_pool.access_token())
    assert (answer.status, answer.json()) == (500, INTERNAL_ERROR)
    entry = broken.access_log_entry(answer)  # the AWS troubleshooting page's advice: $context.integrationErrorMessage
    assert SAYS[sut][8] in entry["integrationErrorMessage"]
    assert (entry["authorizerStatus"], entry["lambdaStatus"], entry["errorMessage"]) == ("200", "200", "Internal Server Error")
    key_upload(avatar_api.api_url, cognito_user_pool.access_token(), expect=200)


@pytest.mark.aws_unverified  # the access log's texts (harness/localstack_plugins/apigw/aws_unverified.py)
def test_authorizer_without_invoke_permission_is_500_and_the_log_says_so(aws_client, avatar_api_factory, cognito_user_pool):
    """behaviour.md "Lambda authorizer": cannot be invoked -> 500; the access log's $context.authorizer.error names the permission."""
    token = cognito_user_pool.access_token()
    broken = avatar_api_factory(authorizer_invoke_permission=False)
    answer = key_upload(broken.api_url, token)
    assert (answer.status, answer.json()) == (500, INTERNAL_ERROR)
    entry = broken.access_log_entry(answer)
    assert "doesn't have permissions to call the authorizer" in entry["authorizerError"] and entry["authorizerStatus"] == "500"
    assert broken.authorizer_logs() == "" and broken.upload_logs() == ""  # neither function ran
    account_id = aws_client.sts.get_caller_identity()["Account"]
    allow_apigateway_invoke(aws_client.lambda_, broken.spec.authorizer_function, broken.api_id, aws_client.region, account_id)
    broken.expect(key_upload(broken.api_url, token), 200)


@pytest.mark.aws_unverified  # the access log's texts (harness/localstack_plugins/apigw/aws_unverified.py)
def test_a_failing_status_assertion_says_why(avatar_api_factory, cognito_user_pool, sut):
    """expect_status's message carries the access-log line of the request and its functions' log lines (bug 8 here)."""
    broken = avatar_api_factory(upload_environment={"UPLOADS_BUCKET_NAME": None})
    answer = key_upload(broken.api_url, cognito_user_pool.access_token())
    with pytest.raises(AssertionError) as failure:
        expect_status(answer, 200)  # as a user's own test calls it: the API is found from the URL
    message = str(failure.value)
    assert message.startswith("expected status 200, got 500")
    assert f'"requestId": "{answer.headers["apigw-requestid"]}"' in message  # the access-log line of this request
    assert "The Lambda function returned the following error: " in message and SAYS[sut][8] in message
    assert f"/aws/lambda/{broken.spec.upload_function} START RequestId:" in message  # the function's own lines
    assert f"/aws/lambda/{broken.spec.authorizer_function} REPORT RequestId:" in message


def test_bug_13_uploads_bucket_without_cors_fails_the_browser_preflight_but_not_curl(aws_client, avatar_api_factory, cognito_user_pool,
                                                                                     name_prefix):
    bucket = f"{name_prefix}no-cors-{uuid.uuid4().hex[:8]}"
    ensure_bucket(aws_client.s3, bucket)
    url = key_upload(avatar_api_factory(uploads_bucket=bucket).api_url, cognito_user_pool.access_token()).json()["url"]
    preflight = http("OPTIONS", url, {"Origin": FRONTEND_ORIGIN, "Access-Control-Request-Method": "PUT",
                                      "Access-Control-Request-Headers": "content-type"})
    assert preflight.status == 403
    assert http("PUT", url, {"Content-Type": "image/jpeg"}, PHOTO).status == 200  # curl has no preflight
    aws_client.s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=UPLOADS_BUCKET_CORS)  # the fix: the deployed CORS
    preflight = http("OPTIONS", url, {"Origin": FRONTEND_ORIGIN, "Access-Control-Request-Method": "PUT",
                                      "Access-Control-Request-Headers": "content-type"})
    assert preflight.status == 200 and preflight.headers["access-control-allow-origin"] == FRONTEND_ORIGIN
    aws_client.s3.delete_object(Bucket=bucket, Key=url.split("?")[0].rsplit("/", 1)[1])
    aws_client.s3.delete_bucket(Bucket=bucket)


def test_bug_14_presigned_url_used_after_it_expired_is_403(aws_client, thumbnail_pipeline):
    """behaviour.md "S3": after X-Amz-Expires, 403 "Request has expired". The upload Lambda signs for 300 s;
    the rule is the same for any lifetime, so this URL lives 1 s to keep the scenario fast."""
    url = aws_client.s3.generate_presigned_url("put_object", Params={"Bucket": thumbnail_pipeline.spec.uploads_bucket,
                                                                     "Key": "late.jpg"}, ExpiresIn=1)
    time.sleep(2.1)
    answer = http("PUT", url, {"Content-Type": "image/jpeg"}, PHOTO)
    assert answer.status == 403 and b"Request has expired" in answer.body
    fresh = aws_client.s3.generate_presigned_url("put_object", Params={"Bucket": thumbnail_pipeline.spec.uploads_bucket,
                                                                       "Key": "late.jpg"}, ExpiresIn=300)
    tampered = http("PUT", fresh.replace("late.jpg", "other.jpg"), {"Content-Type": "image/jpeg"}, PHOTO)
    assert tampered.status == 403 and b"SignatureDoesNotMatch" in tampered.body
    assert http("PUT", fresh, {"Content-Type": "image/jpeg"}, PHOTO).status == 200  # used in time, untouched: accepted


@pytest.mark.emulator_only("moves the gateway's clock past the cache TTL; real API Gateway's clock cannot be moved")
def test_bug_15_authorizer_caching_reuses_a_decision_for_the_same_authorization_value(avatar_api_factory, cognito_user_pool,
                                                                                        gateway_clock):
    token = cognito_user_pool.access_token()
    cached = avatar_api_factory(authorizer_ttl_seconds=300)
    for _ in range(3):
        assert key_upload(cached.api_url, token).status == 200
    logs = wait_until(lambda: cached.authorizer_logs(), timeout=10, what="authorizer logs", evidence=lambda: "none")
    assert invocation_count(logs) == 1
    gateway_clock(299)
    assert key_upload(cached.api_url, token).status == 200  # still within the TTL: still cached
    gateway_clock(1)
    assert key_upload(cached.api_url, token).status == 200  # the TTL ended: the authorizer runs again
    wait_until(lambda: invocation_count(cached.authorizer_logs()) == 2, timeout=10, what="a second authorizer invocation",
               evidence=cached.authorizer_logs)
    uncached = avatar_api_factory(authorizer_ttl_seconds=0)
    for _ in range(3):
        assert key_upload(uncached.api_url, token).status == 200
    wait_until(lambda: invocation_count(uncached.authorizer_logs()) == 3, timeout=10, what="3 authorizer invocations",
               evidence=uncached.authorizer_logs)


@pytest.mark.parametrize("variant, authorizer_error", [
    ("throws", "RuntimeError: authorizer crashed"), ("times_out", "Task timed out after 1.00 seconds"),
    ("malformed", "'isAuthorized' is not a boolean: 'true'"),
])
def test_authorizer_failure_is_500_never_an_allow(avatar_api_factory, cognito_user_pool, variant, authorizer_error):
    """behaviour.md "Lambda authorizer": throws, times out or answers in a wrong shape -> 500; the access log says which."""
    broken = avatar_api_factory(authorizer_handler=f"authorizer_failures.{variant}", authorizer_timeout_seconds=1,
                                authorizer_extra_files=(VARIANTS / "authorizer_failures.py",), **PYTHON_AUTHORIZER)
    answer = key_upload(broken.api_url, cognito_user_pool.access_token())
    assert (answer.status, answer.json()) == (500, INTERNAL_ERROR)
    assert broken.upload_logs() == ""  # the integration never ran
    assert authorizer_error in broken.access_log_entry(answer)["authorizerError"]  # unverified text: aws_unverified.py


def test_payload_1_0_authorizer_with_an_iam_policy(avatar_api_factory, cognito_user_pool):
    api = avatar_api_factory(authorizer_payload_format="1.0", authorizer_handler="authorizer_failures.iam_policy",
                             authorizer_extra_files=(VARIANTS / "authorizer_failures.py",),
                             implementation="python",  # the stand-in's upload reads the authorizer's context (the seed's, the token)
                             routes=(("POST /avatars/key_upload", True), ("GET /avatars/key_upload", True)))
    answer = key_upload(api.api_url, cognito_user_pool.access_token())
    assert answer.status == 200 and "/policy-user.jpg?" in answer.json()["url"]  # context reached the integration
    denied = http("GET", f"{api.api_url}/avatars/key_upload", {"Authorization": "Bearer anything"})
    assert (denied.status, denied.json()) == (403, {"message": "Forbidden"})  # explicit Deny


def test_bug_17_extension_not_checked_lets_one_user_replace_another_users_avatar(avatar_api_factory, avatar_api,
                                                                                 cognito_user_pool,
                                                                                 thumbnail_pipeline, aws_client, sut):
    """`{"extension": "x/<victim sub>"}` -> key `<attacker sub>.x/<victim sub>`; the thumbnail Lambda keeps the base name,
    so it writes over `avatars/<victim sub>.jpg`. Fixed: the extension is one of a short allow-list, else 400."""
    victim, attacker = str(uuid.uuid4()), str(uuid.uuid4())
    broken = avatar_api_factory(**variant(sut, "upload", "extension_not_checked"))
    victim_url = key_upload(broken.api_url, cognito_user_pool.access_token(sub=victim)).json()["url"]
    assert http("PUT", victim_url, {"Content-Type": "image/jpeg"}, PHOTO).status == 200
    avatar_key = thumbnail_pipeline.spec.output_key(f"{victim}.jpg")
    victims_avatar = thumbnail_pipeline.wait_for_thumbnail(f"{victim}.jpg")

    answer = key_upload(broken.api_url, cognito_user_pool.access_token(sub=attacker), extension=f"x/{victim}")
    assert answer.status == 200 and f"/{attacker}.x/{victim}?" in answer.json()["url"]
    other_image = (CHECKOUT_ROOT / "fixtures" / "images" / "panorama.jpg").read_bytes()
    assert http("PUT", answer.json()["url"], {"Content-Type": "image/jpeg"}, other_image).status == 200
    current = lambda: aws_client.s3.get_object(Bucket=thumbnail_pipeline.spec.assets_bucket, Key=avatar_key)["Body"].read()  # noqa: E731
    wait_until(lambda: current() != victims_avatar, timeout=30, what=f"the attacker's upload to replace {avatar_key}",
               evidence=lambda: thumbnail_pipeline.logs()[-3000:])

    fixed = avatar_api  # the API as deployed
    refused = key_upload(fixed.api_url, cognito_user_pool.access_token(sub=attacker), extension=f"x/{victim}")
    assert refused.status == 400 and "extension must be one of" in refused.json()["message"]
    assert key_upload(fixed.api_url, cognito_user_pool.access_token(sub=attacker), extension="png").status == 200

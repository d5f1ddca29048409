"""No bad token is ever accepted (behaviour.md "Lambda authorizer", "JWT authorizer"; "Authorization never fails open")."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.library.identity import FakeCognitoUserPool
from scenarios.avatar_client import key_upload

BAD_TOKENS = FakeCognitoUserPool.bad_token_names()
CONCURRENT_CALLERS = 16
# API Gateway's own JWT authorizer fetches the issuer's keys from Cognito; the fake pool is not a real Cognito pool.
FAKE_ISSUER_ON_AWS = pytest.mark.emulator_only("a JWT authorizer trusts only a real Cognito issuer; the fake pool's is served by the emulator")


@pytest.mark.parametrize("name", BAD_TOKENS)
def test_lambda_authorizer_refuses_every_bad_token(avatar_api, cognito_user_pool, name):
    if name == "issued-in-the-future" and avatar_api.spec.authorizer_runtime.startswith("nodejs"):
        pytest.skip("aws-jwt-verify 4.0.1 (the seed's authorizer) does not check iat; the python stand-in does (--sut python)")
    answer = key_upload(avatar_api.api_url, cognito_user_pool.bad_tokens()[name])  # "Bearer <token>"
    assert (answer.status, answer.json()) == (403, {"message": "Forbidden"})


@pytest.fixture(scope="module")
def jwt_api(aws_client, cognito_user_pool, thumbnail_pipeline, name_prefix):
    from harness.library.avatar_api import AvatarApiSpec, provision_avatar_api

    api = provision_avatar_api(aws_client, cognito_user_pool, AvatarApiSpec(
        authorizer_kind="jwt", uploads_bucket=thumbnail_pipeline.spec.uploads_bucket).with_unique_names(name_prefix))
    yield api
    api.teardown()


@FAKE_ISSUER_ON_AWS
def test_jwt_authorizer_accepts_a_valid_access_token(jwt_api, cognito_user_pool):
    assert key_upload(jwt_api.api_url, cognito_user_pool.access_token()).status == 200


@FAKE_ISSUER_ON_AWS
@pytest.mark.parametrize("name", sorted(set(BAD_TOKENS) - {"id-token-instead-of-access"}))
def test_jwt_authorizer_refuses_every_bad_token_with_www_authenticate(jwt_api, cognito_user_pool, name):
    answer = key_upload(jwt_api.api_url, cognito_user_pool.bad_tokens()[name])
    assert (answer.status, answer.json()) == (401, {"message": "Unauthorized"})
    assert answer.headers["www-authenticate"].startswith('Bearer scope="" error="invalid_token"')


def test_missing_authorization_header_is_401_without_invoking_the_authorizer(avatar_api_factory):
    api = avatar_api_factory()
    answer = key_upload(api.api_url, token=None)
    assert (answer.status, answer.json()) == (401, {"message": "Unauthorized"})
    assert api.authorizer_logs() == ""


def test_100_concurrent_authorized_requests_are_all_answered_correctly(avatar_api, cognito_user_pool, aws_client):
    quota = aws_client.lambda_.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    if quota < 2 * CONCURRENT_CALLERS:  # new AWS accounts may have 10: throttled calls would be 500s for another reason
        pytest.skip(f"the account's unreserved Lambda concurrency is {quota}; this needs {2 * CONCURRENT_CALLERS} (authorizer + upload)")
    tokens = [cognito_user_pool.access_token(sub=f"user-{i}") for i in range(100)]
    with ThreadPoolExecutor(CONCURRENT_CALLERS) as pool:
        answers = list(pool.map(lambda token: key_upload(avatar_api.api_url, token), tokens))
    failed = [(i, a.status, a.body[:300]) for i, a in enumerate(answers) if a.status != 200]
    assert not failed, f"{len(failed)} of 100 not 200: {failed[:5]}\nupload logs (tail):\n{avatar_api.upload_logs()[-3000:]}" \
                       f"\nauthorizer logs (tail):\n{avatar_api.authorizer_logs()[-3000:]}"
    for i, answer in enumerate(answers):
        assert f"/user-{i}.jpg?" in answer.json()["url"]  # each answer is for its own caller


@FAKE_ISSUER_ON_AWS
def test_jwt_authorizer_expiry_follows_the_gateway_clock(jwt_api, cognito_user_pool, gateway_clock):
    token = cognito_user_pool.access_token()
    assert key_upload(jwt_api.api_url, token).status == 200
    gateway_clock(3600)  # the access token lives 3600 s
    answer = key_upload(jwt_api.api_url, token)
    assert answer.status == 401 and 'error_description="the token has expired"' in answer.headers["www-authenticate"]


@FAKE_ISSUER_ON_AWS
@pytest.mark.aws_unverified  # the text in $context.authorizer.error (here: the www-authenticate error_description)
@pytest.mark.parametrize("name, check", [("expired", "the token has expired"), ("wrong-issuer", "the token has an invalid issuer")])
def test_jwt_authorizer_refusal_names_the_failing_check_in_the_access_log(jwt_api, cognito_user_pool, name, check):
    """behaviour.md "HTTP API access logging": $context.authorizer.error carries the JWT authorizer's failing check."""
    answer = key_upload(jwt_api.api_url, cognito_user_pool.bad_tokens()[name])
    entry = jwt_api.access_log_entry(answer)
    assert (entry["status"], entry["authorizerStatus"], entry["authorizerError"], entry["errorMessage"]) == ("401", "401", check, "Unauthorized")
    assert f'error_description="{check}"' in answer.headers["www-authenticate"]

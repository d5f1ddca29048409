"""Hostile requests to the HTTP API over real HTTP (issue 12): tokens whose claims have the wrong JSON type, duplicate
Authorization headers, requests past AWS's size limits, a false Content-Encoding and an empty Host. Each one got
a 500 with a Python exception's text, an allow, or a function invocation AWS would never make."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from harness.library.identity import FakeCognitoUserPool
from harness.library.http import http, http_raw
from scenarios.avatar_client import key_upload
from scenarios.test_token_attacks import FAKE_ISSUER_ON_AWS, jwt_api  # noqa: F401 - jwt_api is a fixture

WRONG_CLAIM_TYPES = FakeCognitoUserPool.wrong_claim_type_token_names()
MB = 1024 * 1024


@pytest.mark.parametrize("name", WRONG_CLAIM_TYPES)
def test_the_lambda_authorizer_refuses_a_claim_of_the_wrong_type(avatar_api, cognito_user_pool, name):
    """As aws-jwt-verify refuses it (the stand-in took `exp: "<number>"`)."""
    answer = key_upload(avatar_api.api_url, cognito_user_pool.wrong_claim_type_tokens()[name])
    assert (answer.status, answer.body) == (403, b'{"message":"Forbidden"}')


@FAKE_ISSUER_ON_AWS
@pytest.mark.parametrize("name", WRONG_CLAIM_TYPES)
def test_the_jwt_authorizer_refuses_a_claim_of_the_wrong_type_with_401_invalid_token(jwt_api, cognito_user_pool, name):  # noqa: F811
    """Was: `aud` an object -> 500 "unhashable type: 'dict'", `nbf` a string -> 500 TypeError, `exp` 1e400 -> allowed."""
    answer = key_upload(jwt_api.api_url, cognito_user_pool.wrong_claim_type_tokens()[name])
    assert (answer.status, answer.body) == (401, b'{"message":"Unauthorized"}')
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


def post_with_headers(api_url: str, headers: list[tuple[str, str]], body: bytes = b'{"extension": "jpg"}'):
    url = f"{api_url}/avatars/key_upload"
    return http_raw("POST", url, [("Host", urlsplit(url).netloc), ("Content-Type", "application/json"), *headers], body)


@FAKE_ISSUER_ON_AWS
def test_two_authorization_headers_are_read_joined_by_both_authorizer_kinds(avatar_api, jwt_api, cognito_user_pool):  # noqa: F811
    """behaviour.md: duplicates are comma-joined for the function and for the identity source alike. Was: the JWT
    authorizer took the last header, so a garbage header followed by a valid token was allowed."""
    valid = f"Bearer {cognito_user_pool.access_token()}"
    twice = [("Authorization", "Bearer garbage"), ("Authorization", valid)]
    assert post_with_headers(avatar_api.api_url, twice).status == 403
    assert post_with_headers(jwt_api.api_url, twice).status == 401
    assert post_with_headers(jwt_api.api_url, [("Authorization", valid)]).status == 200


@pytest.mark.aws_unverified
@pytest.mark.parametrize("size, header, answer", [
    (11 * MB, 0, (413, b"HTTP content length exceeded 10485760 bytes.")),  # over the 10 MB payload quota
    (7 * MB, 0, (413, b'{"message": "Request Too Long"}')),  # under 10 MB, over Lambda's 6 MB
    (10, 20 * 1024, (431, b'{"message":"Request Header Fields Too Large"}')),  # request line + headers over 10240 bytes
])
def test_requests_past_aws_limits_never_reach_the_function(avatar_api, cognito_user_pool, size, header, answer):
    body = json.dumps({"extension": "jpg", "padding": "x" * size}).encode()
    headers = [("Authorization", f"Bearer {cognito_user_pool.access_token()}")] + ([("X-Padding", "y" * header)] if header else [])
    result = post_with_headers(avatar_api.api_url, headers, body)
    assert (result.status, result.body) == answer  # the gateway's answer: the function (200 {"url": ...}) never ran


def test_a_false_content_encoding_is_passed_through_to_the_function(avatar_api, cognito_user_pool):
    """HTTP APIs do not decode request bodies. Was: 500 BadGzipFile from LocalStack's request parsing."""
    headers = [("Authorization", f"Bearer {cognito_user_pool.access_token()}"), ("Content-Encoding", "gzip")]
    answer = post_with_headers(avatar_api.api_url, headers)
    assert answer.status == 200 and "url" in answer.json(), answer.body[:300]


@pytest.mark.aws_unverified
def test_an_empty_host_header_is_400(avatar_api):
    """Was: 200 with an empty body from LocalStack's router."""
    url = f"{avatar_api.api_url}/avatars/key_upload"
    answer = http_raw("POST", url, [("Host", ""), ("Content-Type", "application/json")], b"{}")
    assert answer.status == 400, (answer.status, answer.body[:300])
    assert http("POST", url, {"Content-Type": "application/json"}, b"{}").status == 401  # the same request with its Host

"""The avatar flow end to end over real HTTP (system.md "The avatar flow"): token -> API preflight ->
POST key_upload -> S3 preflight -> PUT to the presigned URL -> thumbnail."""

from __future__ import annotations

import uuid
from urllib.parse import urlparse

import pytest

from harness.library.avatar_api import FRONTEND_ORIGIN
from harness.library.http import http
from scenarios.avatar_client import PHOTO, api_preflight, browser_verdict, key_upload

@pytest.mark.parametrize("cors_in, preflight_status", [("api", 204), ("lambda", 200)])
def test_avatar_flow_end_to_end(avatar_api, avatar_api_factory, cognito_user_pool, thumbnail_pipeline, cors_in, preflight_status):
    """Both CORS styles: in the API's configuration (the gateway answers the preflight, 204), and in the
    Lambda (the `OPTIONS /{proxy+}` route reaches the upload Lambda, which answers 200)."""
    avatar_api = avatar_api if cors_in == "api" else avatar_api_factory(cors_in="lambda")
    sub = str(uuid.uuid4())
    token = cognito_user_pool.access_token(sub=sub)

    preflight = api_preflight(avatar_api.api_url)
    assert preflight.status == preflight_status and preflight.headers["access-control-allow-origin"] == FRONTEND_ORIGIN

    answer = key_upload(avatar_api.api_url, token)
    assert answer.status == 200, (answer.body, avatar_api.authorizer_logs())
    judged = browser_verdict(preflight, answer)
    assert judged.allowed, judged.explain()
    url = answer.json()["url"]
    assert urlparse(url).path.endswith(f"/{sub}.jpg") and "X-Amz-Expires=300" in url

    s3_preflight = http("OPTIONS", url, {"Origin": FRONTEND_ORIGIN, "Access-Control-Request-Method": "PUT",
                                         "Access-Control-Request-Headers": "content-type"})
    assert s3_preflight.status == 200 and s3_preflight.headers["access-control-allow-origin"] == FRONTEND_ORIGIN

    put = http("PUT", url, {"Content-Type": "image/jpeg", "Origin": FRONTEND_ORIGIN}, PHOTO)
    assert put.status == 200, put.body

    thumbnail = thumbnail_pipeline.wait_for_thumbnail(f"{sub}.jpg")
    assert thumbnail[:2] == b"\xff\xd8"

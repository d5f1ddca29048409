"""The browser is the judge of CORS: the Cruddur profile form's avatar upload in a real headless Chromium.

The page is served from its own origin (another loopback port); what is asserted is what the browser
itself reports: the fetch results the page sees and the CORS errors Chromium writes to the console.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from harness.library.cdn import CdnDistribution
from harness.library.frontend import FrontendServer
from harness.library.layout import CHECKOUT_ROOT
from harness.library.thumbnail_pipeline import ThumbnailPipelineSpec, provision_thumbnail_pipeline

pytestmark = pytest.mark.browser
PHOTO_PATH = CHECKOUT_ROOT / "fixtures" / "images" / "photo.jpg"


@pytest.fixture(scope="module")
def site():
    with FrontendServer() as frontend:
        yield frontend


@pytest.fixture(scope="module")
def browser_pipeline(aws_client, site, name_prefix):
    """Uploads bucket whose CORS allows the page's origin (as the deployed one allows https://*.gitpod.io)."""
    pipeline = provision_thumbnail_pipeline(aws_client, ThumbnailPipelineSpec(upload_cors_origins=(site.origin,)).with_unique_names(name_prefix))
    with CdnDistribution(aws_client.s3, pipeline.spec.assets_bucket) as cdn:
        pipeline.cdn = cdn
        yield pipeline
    pipeline.teardown()


@dataclass
class BrowserUpload:
    result: dict
    console: list[str]

    def cors_errors(self) -> list[str]:
        return [line for line in self.console if "CORS policy" in line]


def upload_in_browser(browser, site, api, pipeline, token: str, sub: str) -> BrowserUpload:
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    query = f"api={api.api_url}&token={token}&cdn={pipeline.cdn.url}&sub={sub}"
    page.goto(f"{site.origin}/?{query}")
    page.set_input_files("#avatar", str(PHOTO_PATH))
    result = page.evaluate("uploadAvatar()")
    page.wait_for_timeout(100)  # let Chromium flush its console messages
    if result.get("stage") == "done":
        pipeline.wait_for_thumbnail(f"{sub}.jpg")
        result["shown"] = page.evaluate("showAvatar()")
    page.close()
    return BrowserUpload(result, console)


@pytest.mark.parametrize("authorizer_runtime", ["python3.12", pytest.param("nodejs20.x", marks=pytest.mark.emulator_only(
    "the seed's authorizer (aws-jwt-verify) reads the fake pool at Cognito's real URL, which only the emulator answers"))])
def test_working_stack_uploads_and_shows_the_avatar(browser, site, avatar_api_factory, browser_pipeline, cognito_user_pool,
                                                    authorizer_runtime):
    api = avatar_api_factory(frontend_origin=site.origin, uploads_bucket=browser_pipeline.spec.uploads_bucket,
                             authorizer_runtime=authorizer_runtime)
    sub = str(uuid.uuid4())
    upload = upload_in_browser(browser, site, api, browser_pipeline, cognito_user_pool.access_token(sub=sub), sub)
    assert upload.result["stage"] == "done" and upload.result["putStatus"] == 200, upload
    # The presigned URL is on S3's real host, as on AWS: Chromium sent it to the engine and trusted its certificate.
    assert upload.result["putHost"] == f"{browser_pipeline.spec.uploads_bucket}.s3.amazonaws.com"
    assert upload.result["shown"] == {"loaded": True, "width": 512, "height": 512}
    assert upload.cors_errors() == []


def test_expired_token_with_cors_in_the_lambda_is_reported_as_a_cors_failure_bug_2(
        browser, site, avatar_api_factory, browser_pipeline, cognito_user_pool):
    api = avatar_api_factory(cors_in="lambda", frontend_origin=site.origin, uploads_bucket=browser_pipeline.spec.uploads_bucket)
    upload = upload_in_browser(browser, site, api, browser_pipeline, cognito_user_pool.bad_tokens()["expired"], "x")
    assert upload.result == {"stage": "key_upload", "error": "TypeError: Failed to fetch"}
    assert any("No 'Access-Control-Allow-Origin' header is present" in line for line in upload.cors_errors()), upload.console


def test_expired_token_on_the_deployed_stack_is_a_403_the_page_can_read(
        browser, site, avatar_api_factory, browser_pipeline, cognito_user_pool):
    """behaviour.md "HTTP API CORS configuration": with CORS in the API the gateway adds the configured headers to its
    answers, the authorizer's 403 included, so the page reads the status where bug 2's stack shows a CORS failure."""
    api = avatar_api_factory(frontend_origin=site.origin, uploads_bucket=browser_pipeline.spec.uploads_bucket)
    upload = upload_in_browser(browser, site, api, browser_pipeline, cognito_user_pool.bad_tokens()["expired"], "x")
    assert upload.result == {"stage": "key_upload", "keyUploadStatus": 403, "error": 'no url in {"message":"Forbidden"}'}
    assert upload.cors_errors() == [], upload.console


def test_lambda_cors_headers_do_not_matter_when_the_api_has_cors_bug_4(
        browser, site, avatar_api_factory, browser_pipeline, cognito_user_pool):
    api = avatar_api_factory(cors_in="api", frontend_origin=site.origin, uploads_bucket=browser_pipeline.spec.uploads_bucket,
                             upload_environment={"FRONTEND_URL": "https://old-dev-url.gitpod.io"})
    sub = str(uuid.uuid4())
    upload = upload_in_browser(browser, site, api, browser_pipeline, cognito_user_pool.access_token(sub=sub), sub)
    assert upload.result["stage"] == "done", upload


def test_catch_all_route_with_authorizer_fails_the_preflight_bug_5(
        browser, site, avatar_api_factory, browser_pipeline, cognito_user_pool):
    api = avatar_api_factory(cors_in="lambda", frontend_origin=site.origin, uploads_bucket=browser_pipeline.spec.uploads_bucket,
                             routes=(("ANY /{proxy+}", True),))
    upload = upload_in_browser(browser, site, api, browser_pipeline, cognito_user_pool.access_token(), "x")
    assert upload.result["error"] == "TypeError: Failed to fetch"
    # The authorizer's 401 carries no CORS headers, so Chromium names the missing header first; system.md quotes
    # "It does not have HTTP ok status", which Chromium prints when a non-2xx preflight does carry them.
    assert any("Response to preflight request doesn't pass access control check" in line for line in upload.cors_errors()), upload.console


def test_lambda_origin_with_a_trailing_slash_is_refused_bug_6(
        browser, site, avatar_api_factory, browser_pipeline, cognito_user_pool):
    api = avatar_api_factory(cors_in="lambda", frontend_origin=site.origin, uploads_bucket=browser_pipeline.spec.uploads_bucket,
                             upload_environment={"FRONTEND_URL": site.origin + "/"})
    upload = upload_in_browser(browser, site, api, browser_pipeline, cognito_user_pool.access_token(), "x")
    assert upload.result["error"] == "TypeError: Failed to fetch"
    assert any(f"'{site.origin}/' that is not equal to the supplied origin" in line for line in upload.cors_errors()), upload.console


def test_uploads_bucket_without_cors_fails_the_put_bug_13(
        browser, site, aws_client, avatar_api_factory, thumbnail_pipeline_factory, cognito_user_pool):
    no_cors = thumbnail_pipeline_factory(upload_cors_origins=())
    with CdnDistribution(aws_client.s3, no_cors.spec.assets_bucket) as cdn:
        no_cors.cdn = cdn
        api = avatar_api_factory(frontend_origin=site.origin, uploads_bucket=no_cors.spec.uploads_bucket)
        upload = upload_in_browser(browser, site, api, no_cors, cognito_user_pool.access_token(), "x")
    assert upload.result["keyUploadStatus"] == 200
    assert upload.result["stage"] == "put" and upload.result["error"] == "TypeError: Failed to fetch"
    assert upload.cors_errors(), upload.console

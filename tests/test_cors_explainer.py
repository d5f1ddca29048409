"""The browser's CORS rules, explained rule by rule (behaviour.md "Browser rules")."""

from __future__ import annotations

import pytest

from harness.library.cors_explainer import CorsRequest, verdict

PAGE = "https://3000-cruddur.gitpod.io"
UPLOAD = CorsRequest(PAGE, "POST", ("authorization", "content-type"), content_type="application/json")
GOOD_PREFLIGHT = (204, {"access-control-allow-origin": PAGE, "access-control-allow-methods": "POST,OPTIONS",
                        "access-control-allow-headers": "authorization,content-type"})


def test_working_stack_is_allowed():
    result = verdict(UPLOAD, GOOD_PREFLIGHT, (200, {"access-control-allow-origin": PAGE}))
    assert result.allowed, result.explain()


@pytest.mark.parametrize("preflight, message", [
    ((401, {}), "it does not have HTTP ok status"),  # bug 5
    ((204, {**GOOD_PREFLIGHT[1], "access-control-allow-origin": PAGE + "/"}), "a trailing slash is not part of an origin"),  # bug 6
    ((204, {**GOOD_PREFLIGHT[1], "access-control-allow-headers": "*"}), "'*' never covers Authorization"),
    ((204, {**GOOD_PREFLIGHT[1], "access-control-allow-methods": "GET"}), "POST is allowed"),  # simple method: fine
])
def test_preflight_failures_are_explained(preflight, message):
    result = verdict(UPLOAD, preflight, None)
    assert message in result.explain()


def test_error_response_without_cors_headers_looks_like_a_cors_failure():
    """Bug 2 with CORS in the Lambda: the authorizer's 403 carries no CORS headers."""
    result = verdict(UPLOAD, GOOD_PREFLIGHT, (403, {}))
    assert not result.allowed and "missing on a 403 response" in result.explain()


def test_star_with_credentials_is_refused():
    request = CorsRequest(PAGE, "PUT", ("content-type",), content_type="image/jpeg", credentials=True)
    result = verdict(request, (200, {"access-control-allow-origin": "*", "access-control-allow-methods": "PUT",
                                     "access-control-allow-headers": "content-type"}), None)
    assert not result.allowed and "'*' is not allowed when credentials are included" in result.explain()


def test_simple_request_needs_no_preflight():
    request = CorsRequest(PAGE, "GET")
    assert not request.needs_preflight()
    assert verdict(request, None, (200, {"access-control-allow-origin": "*"})).allowed


def test_s3_put_with_image_content_type_needs_a_preflight():
    request = CorsRequest(PAGE, "PUT", ("content-type",), content_type="image/jpeg")
    assert request.needs_preflight() and request.non_safelisted_headers() == ["content-type"]
    assert not verdict(request, (403, {}), None).allowed  # bug 13: bucket without CORS


def test_a_simple_request_without_its_response_is_undecided_never_allowed():
    """`harness cors URL --origin https://evil.example --method POST` printed "ALLOWED" with no reason at all."""
    request = CorsRequest("https://evil.example", "POST")
    result = verdict(request, None, None)
    assert not result.allowed
    assert result.explain().startswith("UNDECIDED") and "depends on that response" in result.explain() and "--send" in result.explain()
    blocked = verdict(request, None, (200, {"access-control-allow-origin": PAGE}))
    assert not blocked.allowed and "is not the page origin" in blocked.explain()

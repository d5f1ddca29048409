"""HTTP API CORS configuration decisions (behaviour.md "HTTP API CORS configuration"), without a server."""

from __future__ import annotations

import pytest

from harness.localstack_plugins.apigw.cors import CorsConfiguration, answer_preflight, apply_to_response, is_preflight, origin_allowed

FRONTEND = "https://3000-cruddur.gitpod.io"
CONFIG = CorsConfiguration.from_api({
    "AllowOrigins": [FRONTEND], "AllowMethods": ["POST", "OPTIONS"], "AllowHeaders": ["Authorization", "Content-Type"],
    "ExposeHeaders": ["x-request-id"], "MaxAge": 300,
})


def preflight(origin: str = FRONTEND, method: str = "POST", headers: str = "authorization,content-type") -> dict[str, str]:
    return {"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers}


def test_preflight_needs_origin_and_request_method():
    assert is_preflight("OPTIONS", preflight())
    assert not is_preflight("OPTIONS", {"origin": FRONTEND})
    assert not is_preflight("OPTIONS", {"access-control-request-method": "POST"})
    assert not is_preflight("POST", preflight())


def test_allowed_preflight_gets_configured_headers():
    answer = answer_preflight(CONFIG, preflight())
    assert answer.status == 204 and not answer.refused_because
    assert answer.headers == {
        "access-control-allow-origin": FRONTEND, "access-control-allow-methods": "POST,OPTIONS",
        "access-control-allow-headers": "authorization,content-type", "access-control-max-age": "300", "vary": "Origin",
    }


@pytest.mark.aws_unverified
@pytest.mark.parametrize("request_headers, reason", [
    (preflight(origin=FRONTEND + "/"), "origin"),  # trailing slash: system.md bug 6
    (preflight(origin="https://old-dev-url.gitpod.io"), "origin"),
    (preflight(method="DELETE"), "method DELETE"),
    (preflight(headers="authorization,x-custom"), "header 'x-custom'"),
])
def test_disallowed_preflight_gets_no_cors_headers(request_headers, reason):
    answer = answer_preflight(CONFIG, request_headers)
    assert answer.status == 204 and answer.headers == {}
    assert reason in answer.refused_because


@pytest.mark.parametrize("allowed, origin, expected", [
    ("*", "https://anything.example", True),
    ("https://*", "https://a.example", True),
    ("https://*", "http://a.example", False),
    ("http://*", "http://localhost:3000", True),
    (FRONTEND, FRONTEND, True),
    (FRONTEND, FRONTEND.upper(), False),
])
def test_origin_matching(allowed, origin, expected):
    assert origin_allowed(CorsConfiguration(allow_origins=(allowed,)), origin) is expected


def test_wildcard_origin_without_credentials_answers_star():
    config = CorsConfiguration(allow_origins=("*",), allow_methods=("*",), allow_headers=("*",))
    answer = answer_preflight(config, preflight(origin="https://x.example", method="PUT", headers="x-anything"))
    assert answer.headers["access-control-allow-origin"] == "*" and "vary" not in answer.headers


def test_credentials_echo_the_origin():
    config = CorsConfiguration(allow_origins=("https://*",), allow_methods=("POST",), allow_credentials=True)
    answer = answer_preflight(config, preflight(headers=""))
    assert answer.headers["access-control-allow-origin"] == FRONTEND
    assert answer.headers["access-control-allow-credentials"] == "true"


def test_integration_cors_headers_are_replaced_by_the_configuration():
    """system.md bug 4: with API CORS configured, the Lambda's own CORS headers are ignored."""
    from_lambda = {"content-type": "application/json", "Access-Control-Allow-Origin": "https://wrong.example",
                   "access-control-allow-headers": "*"}
    headers = apply_to_response(CONFIG, {"origin": FRONTEND}, from_lambda)
    assert headers == {"content-type": "application/json", "access-control-allow-origin": FRONTEND,
                       "access-control-expose-headers": "x-request-id", "vary": "Origin"}


def test_no_origin_no_cors_headers():
    headers = apply_to_response(CONFIG, {}, {"access-control-allow-origin": "*", "x": "1"})
    assert headers == {"x": "1"}


def test_absent_configuration_is_none():
    assert CorsConfiguration.from_api(None) is None and CorsConfiguration.from_api({}) is None

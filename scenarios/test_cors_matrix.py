"""CORS over real HTTP against an API with a CORS configuration (behaviour.md "HTTP API CORS configuration")."""

from __future__ import annotations

import pytest

from harness.library.http import http
from harness.library.stage_deployment import wait_stage_deployed

ORIGIN = "https://3000-cruddur.gitpod.io"


@pytest.fixture(scope="module")
def cors_api(aws_client, name_prefix):
    """The gateway answers preflights itself, before any route: none of these APIs has a route they could match."""
    client = aws_client.apigatewayv2
    apis = {}
    for name, cors in {
        "exact": {"AllowOrigins": [ORIGIN], "AllowMethods": ["POST"], "AllowHeaders": ["authorization", "content-type"],
                  "ExposeHeaders": ["x-request-id"], "MaxAge": 600},
        "wildcard": {"AllowOrigins": ["*"], "AllowMethods": ["*"], "AllowHeaders": ["*"]},
        "scheme": {"AllowOrigins": ["https://*"], "AllowMethods": ["POST"], "AllowCredentials": True},
    }.items():
        api = client.create_api(Name=f"{name_prefix}cors-{name}", ProtocolType="HTTP", CorsConfiguration=cors)
        # AWS deploys no API without a route ("Unable to deploy API because no routes exist"): one that nothing calls.
        unused = client.create_integration(ApiId=api["ApiId"], IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
                                           IntegrationUri="https://example.com", PayloadFormatVersion="1.0")
        client.create_route(ApiId=api["ApiId"], RouteKey="GET /unused", Target=f"integrations/{unused['IntegrationId']}")
        client.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
        wait_stage_deployed(client, api["ApiId"])
        apis[name] = api
    yield {name: api["ApiEndpoint"] for name, api in apis.items()}
    for api in apis.values():
        client.delete_api(ApiId=api["ApiId"])


def preflight(url: str, origin: str | None = ORIGIN, method: str = "POST", headers: str = "authorization,content-type"):
    request_headers = {"Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}
    if origin:
        request_headers["Origin"] = origin
    return http("OPTIONS", f"{url}/avatars/key_upload", request_headers)


def test_allowed_preflight_with_no_route_is_answered_by_the_gateway(cors_api):
    answer = preflight(cors_api["exact"])
    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert answer.headers["access-control-allow-methods"] == "POST"
    assert answer.headers["access-control-allow-headers"] == "authorization,content-type"
    assert answer.headers["access-control-max-age"] == "600"


@pytest.mark.aws_unverified
@pytest.mark.parametrize("kwargs", [
    {"origin": ORIGIN + "/"}, {"origin": "https://evil.example"}, {"method": "DELETE"}, {"headers": "authorization,x-custom"},
], ids=["trailing-slash", "other-origin", "method", "header"])
def test_disallowed_preflight_gets_no_cors_headers(cors_api, kwargs):
    answer = preflight(cors_api["exact"], **kwargs)
    assert not [h for h in answer.headers if h.startswith("access-control-")]


def test_no_origin_means_not_a_preflight_and_no_cors_headers(cors_api):
    answer = preflight(cors_api["exact"], origin=None)
    assert answer.status == 404 and "access-control-allow-origin" not in answer.headers  # no OPTIONS route


@pytest.mark.aws_unverified
def test_wildcard_configuration_answers_star(cors_api):
    answer = preflight(cors_api["wildcard"], origin="https://anything.example", method="PUT", headers="authorization")
    assert answer.headers["access-control-allow-origin"] == "*"
    # The configured "*" is echoed; a browser still refuses `Authorization` under a "*" (Fetch standard),
    # which is why the Cruddur configuration names authorization explicitly.
    assert answer.headers["access-control-allow-headers"] == "*"


def test_credentials_with_scheme_wildcard_echo_the_origin(cors_api):
    answer = preflight(cors_api["scheme"], headers="")
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert preflight(cors_api["scheme"], origin="http://insecure.example", headers="").headers.get("access-control-allow-origin") is None


def test_actual_request_404_still_carries_configured_cors_headers(cors_api):
    answer = http("POST", f"{cors_api['exact']}/avatars/key_upload", {"Origin": ORIGIN})
    assert answer.status == 404 and answer.headers["access-control-allow-origin"] == ORIGIN
    assert answer.headers["access-control-expose-headers"] == "x-request-id"


@pytest.mark.aws_unverified
def test_cors_probe_gives_the_browsers_verdict_with_reasons(cors_api, cors_probe):
    """The `cors_probe` fixture: the profile form's POST is allowed by the exact configuration; under the wildcard one
    the browser refuses it, because `*` never covers Authorization (behaviour.md "Browser rules")."""
    form = {"method": "POST", "headers": ("authorization", "content-type"), "content_type": "application/json"}
    allowed = cors_probe(f"{cors_api['exact']}/avatars/key_upload", ORIGIN, **form)
    assert allowed.allowed, allowed.explain()
    blocked = cors_probe(f"{cors_api['wildcard']}/avatars/key_upload", ORIGIN, **form)
    assert not blocked.allowed
    assert "'*' never covers Authorization: list it by name" in blocked.explain()

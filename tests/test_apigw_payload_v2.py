"""Payload format 2.0 events and response inference (behaviour.md "Lambda proxy integration, payload 2.0")."""

from __future__ import annotations

import base64
import json

import pytest

from harness.localstack_plugins.apigw.payload_v2 import HttpRequest, RouteContext, build_event, interpret_response

ROUTE = RouteContext(api_id="abc123", stage="$default", route_key="POST /avatars/key_upload",
                     domain_name="abc123.execute-api.localhost.localstack.cloud", account_id="000000000000",
                     request_id="req-1", authorizer={"lambda": {"sub": "s-1"}})


def test_event_shape_for_the_avatar_upload():
    request = HttpRequest("POST", "/avatars/key_upload", "", [
        ("Authorization", "Bearer t"), ("Content-Type", "application/json"), ("User-Agent", "ua"),
        ("X-Dup", "a"), ("x-dup", "b"), ("Cookie", "a=1; b=2"),
    ], b'{"extension": "jpg"}', source_ip="10.0.0.1")
    event = build_event(request, ROUTE, now=1_700_000_000.5)
    assert event["version"] == "2.0" and event["routeKey"] == "POST /avatars/key_upload"
    assert event["headers"] == {"authorization": "Bearer t", "content-type": "application/json", "user-agent": "ua", "x-dup": "a,b"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["body"] == '{"extension": "jpg"}' and event["isBase64Encoded"] is False
    assert "queryStringParameters" not in event and "pathParameters" not in event
    context = event["requestContext"]
    assert context["authorizer"] == {"lambda": {"sub": "s-1"}}
    assert context["http"] == {"method": "POST", "path": "/avatars/key_upload", "protocol": "HTTP/1.1", "sourceIp": "10.0.0.1", "userAgent": "ua"}
    assert context["domainPrefix"] == "abc123" and context["timeEpoch"] == 1_700_000_000_500
    assert context["time"] == "14/Nov/2023:22:13:20 +0000"


def test_query_string_duplicates_are_comma_joined_and_binary_body_is_base64():
    request = HttpRequest("PUT", "/x", "a=1&a=2&b=", [("content-type", "image/jpeg")], b"\xff\xd8")
    event = build_event(request, ROUTE, now=0)
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff\xd8"


def test_status_code_response_is_used_as_given():
    answer = {"statusCode": 201, "headers": {"X-A": "1"}, "cookies": ["c=1"], "body": json.dumps({"url": "u"})}
    response = interpret_response(json.dumps(answer).encode(), function_error=False)
    assert (response.status, response.headers, response.cookies, json.loads(response.body)) == (201, {"x-a": "1"}, ["c=1"], {"url": "u"})


def test_base64_body_is_decoded():
    answer = {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"\x00\x01").decode()}
    assert interpret_response(json.dumps(answer).encode(), False).body == b"\x00\x01"


def test_status_code_typo_passes_through_as_body_bug_7():
    payload = json.dumps({"status_code": 200, "body": json.dumps({"url": "https://presigned"})}).encode()
    response = interpret_response(payload, function_error=False)
    assert response.status == 200 and response.headers["content-type"] == "application/json"
    assert "url" not in json.loads(response.body)  # the client finds no url: the whole JSON is the body


@pytest.mark.parametrize("payload, error", [
    (b'{"errorType": "TypeError"}', True),
    (b"not json", False),
    (b'{"statusCode": "200"}', False),
    (b'{"statusCode": 99}', False),
])
def test_failures_are_500_internal_server_error(payload, error):
    response = interpret_response(payload, function_error=error)
    assert response.status == 500 and json.loads(response.body) == {"message": "Internal Server Error"}


def test_bare_json_is_a_200():
    assert interpret_response(b'"hello"', False).body == b'"hello"'

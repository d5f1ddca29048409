"""Lambda proxy integration, payload format 2.0 (behaviour.md "Lambda proxy integration, payload 2.0").

`build_event` turns an HTTP request into the event API Gateway sends; `interpret_response` turns the
function's answer into the HTTP response: with `statusCode` it is used as given; valid JSON without
`statusCode` is a 200 `application/json` whose body is that JSON (so a `status_code` typo passes
through as the body: system.md bug 7); a function error is a 500 {"message":"Internal Server Error"} (gateway_responses).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from harness.localstack_plugins.apigw.aws_unverified import INTEGRATION_BAD_RESPONSE, INTEGRATION_FUNCTION_ERROR
from harness.localstack_plugins.apigw.gateway_responses import INTERNAL_SERVER_ERROR, GatewayResponse
from harness.localstack_plugins.apigw.lambda_invocation import function_error_text

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    raw_path: str
    raw_query_string: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # as received, duplicates kept
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def of(cls, answer: GatewayResponse, headers: dict[str, str] | None = None) -> "HttpResponse":
        """One of API Gateway's own answers (gateway_responses), with extra headers."""
        return cls(answer.status, answer.all_headers(headers), [], answer.body)


@dataclass(frozen=True)
class RouteContext:
    """Where the request landed: what the event's requestContext says about the API."""

    api_id: str
    stage: str
    route_key: str
    domain_name: str
    account_id: str
    request_id: str
    path_parameters: dict[str, str] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)
    authorizer: dict[str, Any] | None = None


def clf_time(epoch_seconds: float) -> str:
    """`dd/MMM/yyyy:HH:mm:ss +0000` (CLF), as `requestContext.time` and `$context.requestTime` give it."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_seconds))


def _joined(pairs: list[tuple[str, str]], lower: bool) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower() if lower else name
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def joined_headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Request headers by lower-case name, duplicates comma-joined: what the Lambda's event carries and what every
    identity source reads (behaviour.md "HTTP API quotas and headers")."""
    return _joined(pairs, lower=True)


def query_parameters(raw_query_string: str) -> dict[str, str]:
    """`queryStringParameters`: duplicates comma-joined, blanks kept."""
    return _joined(parse_qsl(raw_query_string, keep_blank_values=True), lower=False)


def _is_text(content_type: str) -> bool:
    content_type = content_type.lower()
    return content_type.startswith(_TEXT_TYPES) or "+json" in content_type or "+xml" in content_type


def build_event(request: HttpRequest, route: RouteContext, now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    headers = joined_headers(request.headers)
    cookie_header = headers.pop("cookie", "")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query_string,
        "headers": headers,
    }
    if cookie_header:
        event["cookies"] = [c.strip() for c in cookie_header.split(";") if c.strip()]
    if request.raw_query_string:
        event["queryStringParameters"] = query_parameters(request.raw_query_string)
    event["requestContext"] = {
        "accountId": route.account_id,
        "apiId": route.api_id,
        **({"authorizer": route.authorizer} if route.authorizer is not None else {}),
        "domainName": route.domain_name,
        "domainPrefix": route.domain_name.split(".")[0],
        "http": {
            "method": request.method.upper(), "path": request.raw_path, "protocol": request.protocol,
            "sourceIp": request.source_ip, "userAgent": headers.get("user-agent", ""),
        },
        "requestId": route.request_id,
        "routeKey": route.route_key,
        "stage": route.stage,
        "time": clf_time(now),
        "timeEpoch": int(now * 1000),
    }
    if request.body:
        if _is_text(headers.get("content-type", "")):
            event["body"], event["isBase64Encoded"] = request.body.decode("utf-8", errors="replace"), False
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(request.body).decode(), True
    else:
        event["isBase64Encoded"] = False
    if route.path_parameters:
        event["pathParameters"] = dict(route.path_parameters)
    if route.stage_variables:
        event["stageVariables"] = dict(route.stage_variables)
    return event


@dataclass(frozen=True)
class Interpretation:
    """The HTTP response, and for the access log: the status the function returned (None when API Gateway inferred
    it or the answer was unusable) and why the answer was unusable ("" when it was used)."""

    response: HttpResponse
    function_status: int | None = None
    error: str = ""


def interpret_response(payload: bytes, function_error: bool) -> HttpResponse:
    return interpret(payload, function_error).response


def interpret(payload: bytes, function_error: bool) -> Interpretation:
    if function_error:
        return Interpretation(_internal_error(), error=INTEGRATION_FUNCTION_ERROR + function_error_text(payload))
    try:
        answer = json.loads(payload)
    except ValueError:
        return Interpretation(_internal_error(), error=INTEGRATION_BAD_RESPONSE + "The response is not valid JSON.")
    if not isinstance(answer, dict) or "statusCode" not in answer:
        # valid JSON without statusCode: API Gateway infers a 200 JSON response whose body is that JSON
        return Interpretation(HttpResponse(200, {"content-type": "application/json"}, [], payload))
    status = answer["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return Interpretation(_internal_error(), error=INTEGRATION_BAD_RESPONSE + f"statusCode {status!r} is not an HTTP status.")
    body = answer.get("body", "")
    body = body if isinstance(body, str) else json.dumps(body)
    data = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
    headers = {str(k).lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[str(name).lower()] = ",".join(str(v) for v in values)
    return Interpretation(HttpResponse(status, headers, [str(c) for c in answer.get("cookies") or []], data), function_status=status)


def _internal_error() -> HttpResponse:
    return HttpResponse.of(INTERNAL_SERVER_ERROR)

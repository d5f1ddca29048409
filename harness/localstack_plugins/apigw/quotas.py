"""HTTP API quotas that shape what reaches a function (behaviour.md "HTTP API quotas and headers", from the
API Gateway developer guide's "Quotas for configuring and running an HTTP API"): payload 10 MB; request line plus
header values 10240 bytes; and Lambda's own 6 MB limit on a synchronous invocation's payload (request and response).
A test that passes past them here would fail on AWS. The answers past each limit are unverified for HTTP APIs
(`aws_unverified.py`, through `gateway_responses.py`).
"""

from __future__ import annotations

from harness.localstack_plugins.apigw.gateway_responses import (HEADERS_TOO_LARGE, LAMBDA_PAYLOAD_TOO_LARGE, LAMBDA_RESPONSE_TOO_LARGE, PAYLOAD_TOO_LARGE,
                                             GatewayResponse)
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest

PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024
REQUEST_LINE_AND_HEADERS_LIMIT_BYTES = 10240
LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024


def request_line_and_header_values_size(request: HttpRequest) -> int:
    target = request.raw_path + (f"?{request.raw_query_string}" if request.raw_query_string else "")
    request_line = f"{request.method} {target} {request.protocol}"
    return len(request_line.encode()) + sum(len(value.encode()) for _, value in request.headers)


def request_refusal(request: HttpRequest) -> tuple[GatewayResponse, str] | None:
    """(answer, why) when the request is past a gateway quota, before any route or authorizer runs."""
    if len(request.body) > PAYLOAD_LIMIT_BYTES:
        return PAYLOAD_TOO_LARGE, f"payload of {len(request.body)} bytes is over the {PAYLOAD_LIMIT_BYTES}-byte quota"
    size = request_line_and_header_values_size(request)
    if size > REQUEST_LINE_AND_HEADERS_LIMIT_BYTES:
        return HEADERS_TOO_LARGE, f"request line and header values are {size} bytes, over the {REQUEST_LINE_AND_HEADERS_LIMIT_BYTES}-byte quota"
    return None


def invocation_refusal(payload: bytes) -> tuple[GatewayResponse, str] | None:
    """(answer, why) when the event is past Lambda's synchronous payload limit: the function is not invoked."""
    if len(payload) > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
        return LAMBDA_PAYLOAD_TOO_LARGE, f"Lambda event of {len(payload)} bytes is over the {LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES}-byte limit"
    return None


def response_refusal(payload: bytes) -> tuple[GatewayResponse, str] | None:
    """Lambda fails an invocation whose response is over 6 MB; the gateway then answers its 500 (unverified status)."""
    if len(payload) > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
        return LAMBDA_RESPONSE_TOO_LARGE, f"Lambda response of {len(payload)} bytes is over the {LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES}-byte limit"
    return None

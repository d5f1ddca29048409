"""API Gateway's own answers for an HTTP API (its "gateway responses"), in one place and byte for byte as AWS
sends them: compact JSON `{"message":"..."}` with `content-type: application/json` (behaviour.md: 404
`{"message":"Not Found"}`, 401 `{"message":"Unauthorized"}`, 403 `{"message":"Forbidden"}`, 500
`{"message":"Internal Server Error"}`). No answer made here carries the text of an exception: what went wrong
goes to the gateway's log, never to the caller.

The answers past the quotas (behaviour.md "HTTP API quotas and headers") are unverified for HTTP APIs and
are chosen in `aws_unverified.py`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from harness.localstack_plugins.apigw import aws_unverified

JSON = "application/json"


def encode(document: dict) -> bytes:
    """JSON as API Gateway writes its own bodies: no spaces (`{"message":"Forbidden"}`)."""
    return json.dumps(document, separators=(",", ":")).encode()


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    body: bytes
    content_type: str = JSON

    @classmethod
    def message(cls, status: int, message: str) -> "GatewayResponse":
        return cls(status, encode({"message": message}))

    @property
    def document(self) -> dict:
        """The body as data (for decisions and tests)."""
        return json.loads(self.body) if self.content_type == JSON else {}

    def all_headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"content-type": self.content_type, **(extra or {})}


NOT_FOUND = GatewayResponse.message(404, "Not Found")
UNAUTHORIZED = GatewayResponse.message(401, "Unauthorized")
FORBIDDEN = GatewayResponse.message(403, "Forbidden")
INTERNAL_SERVER_ERROR = GatewayResponse.message(500, "Internal Server Error")
BAD_REQUEST = GatewayResponse(*aws_unverified.BAD_REQUEST)
PAYLOAD_TOO_LARGE = GatewayResponse(*aws_unverified.PAYLOAD_TOO_LARGE)
HEADERS_TOO_LARGE = GatewayResponse(*aws_unverified.HEADERS_TOO_LARGE)
LAMBDA_PAYLOAD_TOO_LARGE = GatewayResponse(*aws_unverified.LAMBDA_PAYLOAD_TOO_LARGE)
LAMBDA_RESPONSE_TOO_LARGE = GatewayResponse(*aws_unverified.LAMBDA_RESPONSE_TOO_LARGE)

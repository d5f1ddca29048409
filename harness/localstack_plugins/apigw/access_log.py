"""HTTP API access logs (behaviour.md "HTTP API access logging"), as pure functions: what API Gateway knows about one
request (`RequestRecord`, filled in by the gateway as the request goes), the `$context` variables it fills from it, and
one line rendered from a stage's `AccessLogSettings.Format` (any text: CLF, JSON, XML, CSV).

- a known variable without a value is written `-` (observed on AWS); one API Gateway does not know stays as written;
- the failure variables carry the reason: `$context.authorizer.error` (the authorizer could not be invoked, failed,
  answered in the wrong shape; the JWT authorizer's failing check), `$context.integrationErrorMessage` =
  `$context.integration.error` (the function's errorType/errorMessage, an invalid response, a missing permission),
  `$context.error.message` / `.messageString` / `.responseType` (the gateway's own answer);
- `$context.requestId` (= `$context.extendedRequestId`) is the `apigw-requestid` response header.
What AWS has not confirmed (texts, response types, escaping, format validation) is in `aws_unverified.py`.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from harness.localstack_plugins.apigw.aws_unverified import ESCAPE_VALUES_AS_JSON, FORMAT_MUST_NAME_REQUEST_ID
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest, HttpResponse, clf_time
from harness.shared.access_log_destination import REQUEST_ID_HEADER, AccessLogSettingsError, destination  # noqa: F401 - re-exported

MISSING = "-"
_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")
# Variables of `$context.identity.*` that only IAM authorization, Cognito identity pools or mutual TLS fill: always "-" here.
_IDENTITY_UNUSED = {"accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType", "cognitoIdentityId",
                    "cognitoIdentityPoolId", "principalOrgId", "user", "userArn", "clientCert.clientCertPem",
                    "clientCert.subjectDN", "clientCert.issuerDN", "clientCert.serialNumber",
                    "clientCert.validity.notBefore", "clientCert.validity.notAfter"}


def new_request_id() -> str:
    """An id shaped as API Gateway's (`Mc7UVioPPHcEKPA=`: 11 bytes, base64)."""
    return base64.b64encode(os.urandom(11)).decode()


def validate_settings(settings: dict[str, str]) -> None:
    """What CreateStage/UpdateStage check in `AccessLogSettings` (DestinationArn, Format)."""
    destination(settings)
    log_format = settings.get("Format") or settings.get("format") or ""
    if not log_format.strip():
        raise AccessLogSettingsError("Access log format must not be empty")
    if FORMAT_MUST_NAME_REQUEST_ID and "$context.requestId" not in log_format and "$context.extendedRequestId" not in log_format:
        raise AccessLogSettingsError("Access log format must include $context.requestId or $context.extendedRequestId")


@dataclass
class RequestRecord:
    """What API Gateway learns while it handles one request: the values of the `$context` variables."""

    request_id: str
    request_time: float  # epoch seconds, the gateway's clock
    http_method: str
    path: str
    protocol: str
    source_ip: str
    user_agent: str
    api_id: str = ""
    account_id: str = ""
    stage: str = ""
    domain_name: str = ""
    request_length: int = 0
    route_key: str = ""
    status: int | None = None
    response_length: int | None = None
    response_latency_ms: int | None = None
    error_message: str = ""
    error_response_type: str = ""
    authorizer_status: int | None = None
    authorizer_error: str = ""
    authorizer_latency_ms: int | None = None
    authorizer_principal_id: str = ""
    authorizer_context: dict[str, Any] = field(default_factory=dict)
    authorizer_claims: dict[str, Any] = field(default_factory=dict)
    integration_status: int | None = None  # the status the function returned (`$context.integration.status`)
    integration_service_status: int | None = None  # Lambda's own (`$context.integrationStatus`)
    integration_error: str = ""
    integration_latency_ms: int | None = None
    integration_request_id: str = ""  # Lambda's request id: the function's log lines carry it

    @classmethod
    def begin(cls, request: HttpRequest, *, api_id: str, stage: str, account_id: str, domain_name: str, now: float) -> "RequestRecord":
        headers = {name.lower(): value for name, value in request.headers}
        path = request.raw_path if stage == "$default" else f"/{stage}{request.raw_path}"  # `/{stage}/root/child`
        return cls(new_request_id(), now, request.method.upper(), path, request.protocol, request.source_ip,
                   headers.get("user-agent", ""), api_id=api_id, account_id=account_id, stage=stage, domain_name=domain_name,
                   request_length=len(request.body))

    def refused(self, response: HttpResponse, response_type: str) -> HttpResponse:
        """The gateway answers itself (`$context.error.message` is the answer's message)."""
        try:
            self.error_message = str(json.loads(response.body).get("message", ""))
        except (ValueError, AttributeError):
            self.error_message = ""
        self.error_response_type = response_type
        return response

    def finish(self, response: HttpResponse, now: float) -> HttpResponse:
        """The response as sent, with `apigw-requestid` (the `$context.requestId`)."""
        self.status, self.response_length = response.status, len(response.body)
        self.response_latency_ms = milliseconds(now - self.request_time)
        if REQUEST_ID_HEADER in response.headers:
            return response
        return replace(response, headers={**response.headers, REQUEST_ID_HEADER: self.request_id})


def milliseconds(seconds: float) -> int:
    """A latency variable's value (whole ms) from a duration in seconds."""
    return max(0, round(seconds * 1000))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def context_variables(record: RequestRecord) -> dict[str, Any]:
    """`$context.<name>` -> value (None or "" when API Gateway has none for this request)."""
    error_message = record.error_message or None
    return {
        "accountId": record.account_id, "apiId": record.api_id, "stage": record.stage,
        "requestId": record.request_id, "extendedRequestId": record.request_id,
        "domainName": record.domain_name, "domainPrefix": record.domain_name.split(".")[0],
        "httpMethod": record.http_method, "path": record.path, "protocol": record.protocol,
        "identity.sourceIp": record.source_ip, "identity.userAgent": record.user_agent,
        "requestTime": clf_time(record.request_time), "requestTimeEpoch": int(record.request_time),
        "routeKey": record.route_key or None, "status": record.status,
        "responseLength": record.response_length, "responseLatency": record.response_latency_ms,
        "dataProcessed": record.request_length + (record.response_length or 0),
        "error.message": error_message,
        "error.responseType": record.error_response_type,
        "authorizer.status": record.authorizer_status, "authorizer.error": record.authorizer_error,
        "authorizer.latency": record.authorizer_latency_ms, "authorizer.principalId": record.authorizer_principal_id,
        "authorizer.claims": None,  # documented: "Calling $context.authorizer.claims returns null"
        "integration.status": record.integration_status, "integration.integrationStatus": record.integration_service_status,
        "integrationStatus": record.integration_service_status,
        "integration.error": record.integration_error, "integrationErrorMessage": record.integration_error,
        "integration.latency": record.integration_latency_ms, "integrationLatency": record.integration_latency_ms,
        "integration.requestId": record.integration_request_id, "awsEndpointRequestId": record.integration_request_id,
        "awsEndpointRequestId2": None, "customDomain.basePathMatched": None,
        **{f"identity.{name}": None for name in _IDENTITY_UNUSED},
    }


def _value(name: str, variables: dict[str, Any], record: RequestRecord) -> str | None:
    """The text for `$context.<name>`; None for a variable API Gateway does not know."""
    if name == "error.messageString":  # documented: the quoted value of $context.error.message
        return f'"{_value("error.message", variables, record)}"'
    if name in variables:
        value = variables[name]
    elif name.startswith("authorizer.claims."):
        value = record.authorizer_claims.get(name.removeprefix("authorizer.claims."))
    elif name.startswith("authorizer."):
        value = record.authorizer_context.get(name.removeprefix("authorizer."))
    else:
        return None
    if value is None or value == "":
        return MISSING
    text = _text(value)
    return json.dumps(text, ensure_ascii=False)[1:-1] if ESCAPE_VALUES_AS_JSON else text


def render(log_format: str, record: RequestRecord) -> str:
    """One access-log line: the format with its `$context` variables filled in."""
    variables = context_variables(record)

    def substitute(match: re.Match) -> str:
        value = _value(match[1], variables, record)
        return match[0] if value is None else value

    return _VARIABLE.sub(substitute, log_format)

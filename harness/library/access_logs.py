"""Why an HTTP API answered what it answered, from the test process (behaviour.md "HTTP API access logging"): the stage's
access-log line for one request (found by its `apigw-requestid`, which is `$context.requestId`) and the log lines its
functions (authorizer, integration) wrote meanwhile, read from CloudWatch Logs as a person debugging it on AWS would.

`expect_status(result, 200)` returns the result when the status is one of those expected, else fails with an
AssertionError whose message carries that reason; `http(..., expect=200)` does the same. Works against the emulator and
AWS alike: the API is found from the URL (path form `/_aws/execute-api/<api>/`, or `<api>.execute-api.<region>.amazonaws.com`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from harness.shared.access_log_destination import REQUEST_ID_HEADER, destination
from harness.library.aws import DEFAULT_REGION, AwsClients
from harness.library.cloudwatch_logs import LogEvent, by_time, group_events, invocations_in
from harness.shared.errors import WaitTimeout
from harness.library.http import HttpResult
from harness.library.lambda_functions import log_group
from harness.library.waiting import wait_until

EMULATOR_WAIT_SECONDS = 10.0  # the emulator writes the line right after the response
AWS_WAIT_SECONDS = 90.0  # AWS delivers access logs within about a minute
FUNCTION_LOGS_WAIT_SECONDS = 3.0
CLOCK_MARGIN_MS = 1000  # on AWS, between the test's clock and the one that stamped the lines (the emulator shares ours)
# LocalStack stamps a function's lines when it forwards them, after the invocation, so up to seconds after the answer.
LATE_LINES_MS = 5000
_PATH_FORM = re.compile(r"/_aws/execute-api/(?P<api>[a-z0-9]+)(?:/|$)")
_AWS_HOST = re.compile(r"^(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")


@dataclass(frozen=True)
class ApiLogGroups:
    """Where one stage's reasons are written."""

    access_log: str | None  # the AccessLogSettings group; None when access logging is off
    functions: tuple[str, ...]  # the `/aws/lambda/<name>` groups of the API's authorizers and integrations


def api_log_groups(apigatewayv2: Any, api_id: str, stage: str = "$default") -> ApiLogGroups:
    settings = apigatewayv2.get_stage(ApiId=api_id, StageName=stage).get("AccessLogSettings") or {}
    uris = [i.get("IntegrationUri", "") for i in apigatewayv2.get_integrations(ApiId=api_id).get("Items", [])]
    uris += [a.get("AuthorizerUri", "") for a in apigatewayv2.get_authorizers(ApiId=api_id).get("Items", [])]
    names = sorted({_function_name(uri) for uri in uris if ":function:" in uri})
    group = destination(settings).log_group if settings.get("DestinationArn") else None
    return ApiLogGroups(group, tuple(log_group(name) for name in names))


def _function_name(uri: str) -> str:
    return uri.split(":function:", 1)[1].split("/")[0].split(":")[0]


def access_log_line(logs: Any, group: str, request_id: str, since_ms: int, timeout: float) -> str:
    """The line of `request_id` in the access log group, once it arrives (bounded wait)."""
    def found() -> str | None:
        return next((e.message for e in group_events(logs, group, since_ms) if request_id in e.message), None)

    return wait_until(found, timeout=timeout, interval=0.05, max_interval=0.25, what=f"the access-log line of request {request_id} in {group}",
                      evidence=lambda: "\n".join(e.message for e in group_events(logs, group, since_ms)[-5:]) or "(no lines yet)",
                      hint="the stage's access log format must contain $context.requestId")


def request_function_logs(logs: Any, groups: tuple[str, ...], start_ms: int, end_ms: int,
                          timeout: float = FUNCTION_LOGS_WAIT_SECONDS) -> list[LogEvent]:
    """The functions' log lines of the invocations made while the request was handled (each through its REPORT line)."""
    def complete() -> list[LogEvent] | None:
        kept = [e for group in groups for e in invocations_in(group_events(logs, group, start_ms), start_ms, end_ms)]
        starts = sum(1 for e in kept if e.message.startswith("START RequestId:"))
        reports = sum(1 for e in kept if e.message.startswith("REPORT RequestId:"))
        return by_time(kept) if starts and starts == reports else None

    try:
        return wait_until(complete, timeout=timeout, interval=0.05, max_interval=0.25, what="function logs", evidence=lambda: "")
    except WaitTimeout:  # no function ran (or one has not finished writing): what there is
        return by_time(e for group in groups for e in invocations_in(group_events(logs, group, start_ms), start_ms, end_ms))


def _clients_for(url: str) -> tuple[AwsClients, str | None]:
    """Clients for the account that serves `url`, and the API's id (None when the URL does not say)."""
    parts = urlsplit(url)
    aws_host = _AWS_HOST.match(parts.hostname or "")
    if aws_host:
        return AwsClients(None, aws_host["region"], credentials={}), aws_host["api"]
    path_form = _PATH_FORM.search(parts.path)
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    return AwsClients(f"{parts.scheme}://{parts.netloc}", region), path_form["api"] if path_form else None


def _stage_of(apigatewayv2: Any, api_id: str, url: str) -> str:
    first = urlsplit(url).path.split(f"/_aws/execute-api/{api_id}", 1)[-1].lstrip("/").split("/")[0]
    names = {s["StageName"] for s in apigatewayv2.get_stages(ApiId=api_id).get("Items", [])}
    return first if first in names and first != "$default" else "$default"


def explain(result: HttpResult, clients: AwsClients | None = None, api_id: str | None = None) -> str:
    """What the API's logs say about this answer: its access-log line and its functions' log lines."""
    found_clients, found_api = _clients_for(result.url)
    clients, api_id = clients or found_clients, api_id or found_api
    request_id = result.headers.get(REQUEST_ID_HEADER)
    lines = [f"{result.method} {result.url} -> {result.status} {result.body[:500].decode('utf-8', 'replace')}",
             f"{REQUEST_ID_HEADER}: {request_id or '(none: the answer did not come from API Gateway)'}"]
    if api_id is None or request_id is None:
        return "\n".join(lines + ["(no API Gateway logs to show: pass clients= and api_id= to expect_status)"])
    try:
        groups = api_log_groups(clients.apigatewayv2, api_id, _stage_of(clients.apigatewayv2, api_id, result.url))
    except Exception as error:  # noqa: BLE001 - the explanation must not hide the failing status
        return "\n".join(lines + [f"(could not read API {api_id}'s configuration: {error})"])
    margin = CLOCK_MARGIN_MS if clients.emulator is None else 0
    since_ms, until_ms = int(result.sent_at * 1000) - margin, int(result.answered_at * 1000) + margin + LATE_LINES_MS
    if groups.access_log is None:
        lines.append("access log: off for this stage (no AccessLogSettings): turn it on to see why")
    else:
        try:
            line = access_log_line(clients.logs, groups.access_log, request_id, since_ms,
                                   AWS_WAIT_SECONDS if clients.emulator is None else EMULATOR_WAIT_SECONDS)
            lines += [f"access log {groups.access_log}:", f"  {line}"]
        except WaitTimeout as error:
            lines += [f"access log {groups.access_log}: {error}"]
    events = request_function_logs(clients.logs, groups.functions, since_ms, until_ms)
    lines.append("function logs of the invocations meanwhile:" if events else
                 f"function logs: no invocation of {', '.join(groups.functions) or 'any function'} meanwhile")
    lines += [f"  {event.text()}" for event in events]
    return "\n".join(lines)


def expect_status(result: HttpResult, *expected: int, clients: AwsClients | None = None, api_id: str | None = None) -> HttpResult:
    """`result` when its status is one of `expected`; else AssertionError with the reason from the API's logs."""
    if result.status in expected:
        return result
    wanted = " or ".join(str(status) for status in expected)
    raise AssertionError(f"expected status {wanted}, got {result.status}\n{explain(result, clients, api_id)}")


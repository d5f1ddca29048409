"""Facts of HTTP API access logging both processes need (behaviour.md "HTTP API access logging"): the response header
that carries `$context.requestId`, and the log group a stage's `AccessLogSettings.DestinationArn` names. The gateway
writes the lines (harness.localstack_plugins.apigw.access_log); the test side finds them (harness.library.access_logs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

REQUEST_ID_HEADER = "apigw-requestid"
_LOG_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):log-group:(?P<group>[^:*]+)(?::\*)?$")


class AccessLogSettingsError(ValueError):
    """AccessLogSettings AWS would refuse at CreateStage/UpdateStage (BadRequestException)."""


@dataclass(frozen=True)
class LogDestination:
    region: str
    account_id: str
    log_group: str


def destination(settings: dict[str, str]) -> LogDestination:
    """The CloudWatch Logs group of `DestinationArn` (`arn:aws:logs:<region>:<account>:log-group:<name>`, `:*` allowed)."""
    arn = settings.get("DestinationArn") or settings.get("destinationArn") or ""
    match = _LOG_GROUP_ARN.match(arn)
    if match is None:
        raise AccessLogSettingsError(f"Invalid destination ARN {arn!r}: expected arn:aws:logs:<region>:<account>:log-group:<name>")
    return LogDestination(match["region"], match["account"], match["group"])

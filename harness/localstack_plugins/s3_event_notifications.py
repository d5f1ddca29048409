"""S3 event notifications inside LocalStack: object keys encoded as AWS encodes them; functions invoked in-process.

behaviour.md "S3": the event's `s3.object.key` is URL-encoded with `+` for a space (`my avatar.jpg`
arrives as `my+avatar.jpg`, a literal `+` as `%2B`), which is what system.md bug 11 is about.
LocalStack 4.13.1 percent-encodes spaces (`my%20avatar.jpg`), which would hide the bug: this hook,
registered under `localstack.hooks.on_infra_start`, makes it encode like AWS.

The Lambda notifier then invokes the function asynchronously (`Event`, as S3 does) through `lambda_invoke`, in-process,
instead of an internal Invoke call (issue 13); a notification that cannot be sent is logged as LocalStack logs it.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote_plus

from localstack.runtime import hooks

from harness.localstack_plugins import lambda_invoke
from harness.localstack_plugins.on_import import when_imported

LOG = logging.getLogger(__name__)
NOTIFICATIONS_MODULE = "localstack.services.s3.notifications"


def aws_event_key(key: str) -> str:
    """The form S3 puts in event records: form-encoded (`+` for space), `/` kept."""
    return quote_plus(key, safe="/")


@hooks.on_infra_start()
def encode_s3_event_keys_like_aws() -> None:
    # the module's only use of quote() builds the event key
    when_imported(NOTIFICATIONS_MODULE, lambda notifications: setattr(notifications, "quote", aws_event_key))


def notify_lambda(notifier: Any, ctx: Any, config: dict[str, Any]) -> None:
    """LambdaNotifier.notify: the same event, an `Event` invocation of the configured function."""
    from localstack.utils.aws.arns import parse_arn

    payload = json.dumps(notifier._get_event_payload(ctx, config.get("Id"))).encode()
    function_arn = config["LambdaFunctionArn"]
    arn = parse_arn(function_arn)
    try:
        lambda_invoke.invoke(function_arn, payload, "Event", arn["account"], arn["region"])
    except Exception:  # noqa: BLE001 - as LocalStack: the upload succeeded; the notification is logged as lost
        LOG.error('Unable to send notification for S3 bucket "%s" to Lambda function "%s".', ctx.bucket_name, function_arn,
                  exc_info=True)


@hooks.on_infra_start()
def invoke_notified_functions_in_process() -> None:
    when_imported(NOTIFICATIONS_MODULE, lambda notifications: setattr(notifications.LambdaNotifier, "notify", notify_lambda))

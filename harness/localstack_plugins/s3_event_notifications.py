"""S3 event notifications inside LocalStack: object keys encoded as AWS encodes them.

behaviour.md "S3": the event's `s3.object.key` is URL-encoded with `+` for a space (`my avatar.jpg`
arrives as `my+avatar.jpg`, a literal `+` as `%2B`), which is what system.md bug 11 is about.
LocalStack 4.13.1 percent-encodes spaces (`my%20avatar.jpg`), which would hide the bug: this hook,
registered under `localstack.hooks.on_infra_start`, makes it encode like AWS.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from localstack.runtime import hooks


def aws_event_key(key: str) -> str:
    """The form S3 puts in event records: form-encoded (`+` for space), `/` kept."""
    return quote_plus(key, safe="/")


@hooks.on_infra_start()
def encode_s3_event_keys_like_aws() -> None:
    from localstack.services.s3 import notifications

    notifications.quote = aws_event_key  # the module's only use of quote() builds the event key

"""RFC 1123 timestamps in LocalStack's response serializer, read without dateutil (inside LocalStack; issue 13).

LocalStack 4.13.1's S3 provider hands its response serializer header timestamps (`Last-Modified`, `Expires`) as RFC
1123 text (`Tue, 01 Dec 2026 15:00:00 GMT`), which the serializer turns back into a datetime with botocore's
`parse_to_aware_datetime`, that is dateutil's general parser, before writing the header: ~9 % of the engine's CPU
for an S3 HEAD (py-spy). This hook, registered under `localstack.hooks.on_infra_start`, gives the serializer module
a `parse_to_aware_datetime` that reads exactly that form with `email.utils.parsedate_to_datetime` (the same instant,
in UTC) and hands every other value to botocore's, so what is written does not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported

_RFC1123_GMT = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


def reading_rfc1123_directly(general: Callable[[Any], datetime]) -> Callable[[Any], datetime]:
    """`general` (botocore's parse_to_aware_datetime), but RFC 1123 GMT text is read by the email module."""
    def parse_to_aware_datetime(value: Any) -> datetime:
        if isinstance(value, str) and _RFC1123_GMT.fullmatch(value):
            return parsedate_to_datetime(value)  # "GMT": aware, UTC
        return general(value)
    return parse_to_aware_datetime


@hooks.on_infra_start()
def read_rfc1123_timestamps_directly() -> None:
    when_imported("localstack.aws.protocol.serializer", lambda serializer: setattr(
        serializer, "parse_to_aware_datetime", reading_rfc1123_directly(serializer.parse_to_aware_datetime)))

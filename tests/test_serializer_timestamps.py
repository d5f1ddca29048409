"""RFC 1123 timestamps read without dateutil in LocalStack's response serializer (harness.localstack_plugins.serializer_timestamps):
the same instant as botocore's parser for that form, every other value left to botocore's (issue 13)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.utils import parse_to_aware_datetime

from harness.localstack_plugins.serializer_timestamps import reading_rfc1123_directly

fast = reading_rfc1123_directly(parse_to_aware_datetime)


@pytest.mark.parametrize("value", ["Tue, 01 Dec 2026 15:00:00 GMT", "Sun, 29 Feb 2004 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"])
def test_rfc1123_text_is_the_same_instant_as_botocore_reads_it(value):
    ours, botocores = fast(value), parse_to_aware_datetime(value)
    assert ours == botocores and ours.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", ["2026-12-01T15:00:00Z", "2026-12-01T15:00:00+02:00", "1764601200", 1764601200,
                                   datetime(2026, 12, 1, 15, tzinfo=timezone.utc), "Tue, 01 Dec 2026 15:00:00 +0200"])
def test_every_other_value_is_read_by_botocore(value):
    assert fast(value) == parse_to_aware_datetime(value)


def test_what_botocore_refuses_is_refused_the_same_way():
    with pytest.raises(ValueError):
        fast("not a timestamp")

"""Reading CloudWatch Logs as a person debugging a request does: one request's invocations, interleaved groups."""

from __future__ import annotations

from harness.localstack_plugins.apigw.lambda_invocation import function_error_text
from harness.library.cloudwatch_logs import LogEvent, by_time, invocations_in

GROUP = "/aws/lambda/CruddurAvatarUpload"


def lines(*stamped: tuple[int, str]) -> list[LogEvent]:
    return [LogEvent(stamp, stamp, GROUP, message) for stamp, message in stamped]


def test_an_invocation_is_kept_whole_from_start_to_report_when_it_started_in_the_window():
    events = lines((100, "START RequestId: a Version: $LATEST"), (100, "before"), (100, "END RequestId: a"), (100, "REPORT RequestId: a"),
                   (200, "START RequestId: b Version: $LATEST"), (200, "[ERROR] KeyError: 'UPLOADS_BUCKET_NAME'"),
                   (200, "END RequestId: b"), (200, "REPORT RequestId: b\tDuration: 3 ms"))
    kept = invocations_in(events, 150, 250)
    assert [e.message for e in kept] == ["START RequestId: b Version: $LATEST", "[ERROR] KeyError: 'UPLOADS_BUCKET_NAME'",
                                         "END RequestId: b", "REPORT RequestId: b\tDuration: 3 ms"]


def test_events_of_the_same_millisecond_keep_their_order():
    events = lines((5, "START RequestId: a"), (5, "REPORT RequestId: a"), (1, "earlier"))
    assert [e.message for e in by_time(events)] == ["earlier", "START RequestId: a", "REPORT RequestId: a"]


def test_a_traceback_joined_with_carriage_returns_prints_on_lines():
    event = LogEvent(0, 0, GROUP, "[ERROR] KeyError: 'X'\rTraceback (most recent call last):\r  File \"handler.py\"")
    assert event.text() == "00:00:00.000 /aws/lambda/CruddurAvatarUpload [ERROR] KeyError: 'X'\n    Traceback (most recent call last):\n      File \"handler.py\""


def test_function_error_text_is_type_and_message():
    assert function_error_text(b'{"errorType": "KeyError", "errorMessage": "\'USER_POOL_ID\'", "stackTrace": []}') == "KeyError: 'USER_POOL_ID'"
    assert function_error_text({"errorMessage": "Task timed out after 1.00 seconds"}) == "Task timed out after 1.00 seconds"
    assert function_error_text(b"not json") == "not json"

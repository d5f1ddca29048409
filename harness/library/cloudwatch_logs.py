"""Reading CloudWatch Logs groups, as a person debugging an API reads them: several groups (an API's access log, its
functions' `/aws/lambda/<name>`) interleaved by time, once or followed (`harness logs`), and the lines of one request."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

FOLLOW_INTERVAL_SECONDS = 1.0


@dataclass(frozen=True)
class LogEvent:
    timestamp_ms: int
    ingestion_ms: int
    log_group: str
    message: str
    event_id: str = ""

    def text(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.gmtime(self.timestamp_ms / 1000)) + f".{self.timestamp_ms % 1000:03d}"
        message = self.message.rstrip().replace("\r", "\n    ")  # the python runtime joins a traceback's lines with \r
        return f"{stamp} {self.log_group} {message}"


def by_time(events: Iterable[LogEvent]) -> list[LogEvent]:
    """Sorted by timestamp; events of the same millisecond keep the order CloudWatch Logs gave them (START before END)."""
    return sorted(events, key=lambda event: event.timestamp_ms)


def group_events(logs: Any, log_group: str, start_ms: int | None = None, end_ms: int | None = None,
                 filter_pattern: str = "") -> list[LogEvent]:
    """Every event of one group in the time range (none when the group does not exist yet)."""
    kwargs: dict[str, Any] = {"logGroupName": log_group}
    if start_ms is not None:
        kwargs["startTime"] = start_ms
    if end_ms is not None:
        kwargs["endTime"] = end_ms
    if filter_pattern:
        kwargs["filterPattern"] = filter_pattern
    events: list[LogEvent] = []
    try:
        for page in logs.get_paginator("filter_log_events").paginate(**kwargs):
            events += [LogEvent(e["timestamp"], e.get("ingestionTime", e["timestamp"]), log_group, e["message"], e.get("eventId", ""))
                       for e in page.get("events", [])]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    return events


def interleaved(logs: Any, log_groups: Iterable[str], start_ms: int | None = None, end_ms: int | None = None) -> list[LogEvent]:
    """The events of several groups in one list, by time."""
    return by_time(event for group in log_groups for event in group_events(logs, group, start_ms, end_ms))


def follow(logs: Any, log_groups: list[str], write: Callable[[str], None], *, start_ms: int | None = None,
           keep_going: Callable[[], bool] = lambda: True, interval: float = FOLLOW_INTERVAL_SECONDS) -> None:
    """Print the groups' events, then every new one as it arrives, until `keep_going()` is false."""
    seen: set[tuple[str, str, int, str]] = set()
    since = start_ms
    while True:
        for event in interleaved(logs, log_groups, since):
            key = (event.log_group, event.event_id, event.timestamp_ms, event.message)
            if key not in seen:
                seen.add(key)
                write(event.text())
                since = max(since or 0, event.timestamp_ms - 60_000)  # lines can arrive late: look a minute back
        if not keep_going():
            return
        time.sleep(interval)


def invocations_in(events: list[LogEvent], start_ms: int, end_ms: int) -> list[LogEvent]:
    """A function's log lines of the invocations that started in [start_ms, end_ms] (from `START RequestId: x` to
    `REPORT RequestId: x`, as Lambda writes them)."""
    started = {_request_id(e.message) for e in events if e.message.startswith("START RequestId:") and start_ms <= e.timestamp_ms <= end_ms}
    kept, current = [], None
    for event in by_time(events):
        if event.message.startswith("START RequestId:"):
            current = _request_id(event.message)
        if current in started:
            kept.append(event)
        if event.message.startswith("REPORT RequestId:"):
            current = None
    return kept


def _request_id(message: str) -> str:
    return message.split()[2] if len(message.split()) > 2 else ""

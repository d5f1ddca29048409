"""Stage access logs written to CloudWatch Logs from inside LocalStack (behaviour.md "HTTP API access logging").

A request's line is rendered at once (`access_log.render`, pure) and handed to one background thread, which writes
the lines waiting for each log group at once (`cloudwatch_logs_store`, in-process): the request does not wait
for CloudWatch Logs, and the line appears shortly after the response, as on AWS. As API Gateway does, the writer
creates its log stream in the destination group (one per group; unverified: AWS names it with a 32-hex id) and does
not create the group: a line for a group that does not exist is dropped, with a warning in LocalStack's log.
"""

from __future__ import annotations

import logging
import queue
import uuid
from dataclasses import dataclass

from harness.localstack_plugins import cloudwatch_logs_store
from harness.localstack_plugins.apigw.access_log import RequestRecord, destination, render
from harness.localstack_plugins.lazy_thread import LazyDaemonThread

LOG = logging.getLogger(__name__)
BATCH_LIMIT = 1000  # lines per PutLogEvents (CloudWatch Logs takes up to 10,000)


@dataclass(frozen=True)
class _Line:
    region: str
    account_id: str
    log_group: str
    timestamp_ms: int
    message: str


class AccessLogWriter:
    """`submit(settings, record)` returns at once; a daemon thread writes the lines."""

    def __init__(self) -> None:
        self._lines: queue.Queue[_Line] = queue.Queue()
        self._streams: dict[tuple[str, str, str], str] = {}
        self._thread = LazyDaemonThread(self._run, "harness-access-logs")

    def submit(self, settings: dict[str, str], record: RequestRecord) -> None:
        """`settings`: the stage's AccessLogSettings (moto's wire names: destinationArn, format)."""
        target = destination(settings)
        line = render(settings.get("format") or "", record)
        written_ms = int(record.request_time * 1000) + (record.response_latency_ms or 0)  # when the response was sent
        self._lines.put(_Line(target.region, target.account_id, target.log_group, written_ms, line))
        self._thread.ensure_started()

    def _run(self) -> None:
        while True:
            batch = [self._lines.get()]
            while len(batch) < BATCH_LIMIT and not self._lines.empty():
                batch.append(self._lines.get_nowait())
            groups: dict[tuple[str, str, str], list[_Line]] = {}
            for line in batch:
                groups.setdefault((line.account_id, line.region, line.log_group), []).append(line)
            for key, lines in groups.items():
                try:
                    self._write(key, lines)
                except Exception as error:  # noqa: BLE001 - a failed write must not end the writer
                    LOG.warning("access log: %d line(s) for %s not written: %s", len(lines), key[2], error)

    def _write(self, key: tuple[str, str, str], lines: list[_Line]) -> None:
        account_id, region, group = key
        events = [{"timestamp": line.timestamp_ms, "message": line.message} for line in sorted(lines, key=lambda l: l.timestamp_ms)]
        try:
            cloudwatch_logs_store.put_log_events(account_id, region, group, self._stream(key), events)
        except cloudwatch_logs_store.LogDestinationMissing:
            self._streams.pop(key, None)  # the stream (or the group) was deleted: make the stream again, once
            cloudwatch_logs_store.put_log_events(account_id, region, group, self._stream(key), events)

    def _stream(self, key: tuple[str, str, str]) -> str:
        if key not in self._streams:
            name = uuid.uuid4().hex
            cloudwatch_logs_store.create_log_stream(*key, name)  # LogDestinationMissing: no such group
            self._streams[key] = name
        return self._streams[key]


WRITER = AccessLogWriter()

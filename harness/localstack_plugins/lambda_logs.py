"""Lambda's log delivery to CloudWatch Logs inside LocalStack, in batches (issue 13).

LocalStack 4.13.1 gives every function version a log thread that makes one internal PutLogEvents call per invocation
(botocore serialisation, the handler chain, moto's parser), the second largest engine-side cost of an invocation
(py-spy). This hook, registered under `localstack.hooks.on_infra_start`, replaces that loop with one that keeps
LocalStack's behaviour (lines split and stamped as there, the group and stream created when missing, failures only
logged) but stores them through `cloudwatch_logs_store` (in-process, no internal API call) 20 ms after the first of
them arrives, all that are waiting for one stream at once, within PutLogEvents' limits (a function invoked many times
a second then costs one store call per 20 ms, not one per invocation). AWS delivers Lambda logs asynchronously too,
typically within seconds.
"""

from __future__ import annotations

import logging
import queue
import time
from typing import Any, Iterator

from localstack.runtime import hooks

from harness.localstack_plugins import cloudwatch_logs_store
from harness.localstack_plugins.on_import import when_imported

LOG = logging.getLogger(__name__)
MAX_EVENTS_PER_CALL = 10_000  # PutLogEvents: at most 10,000 events
MAX_BYTES_PER_CALL = 1_048_576  # and 1,048,576 bytes, each event counted with 26 bytes more
_EVENT_OVERHEAD_BYTES = 26
GATHER_SECONDS = 0.02  # after the first logs arrive, how long the loop lets more come before storing them all


def log_events(logs: str, timestamp_ms: int) -> list[dict[str, Any]]:
    """As LocalStack: split by newline keeping it, empty lines dropped (CloudWatch refuses them), one timestamp."""
    return [{"timestamp": timestamp_ms, "message": line + "\n"} for line in logs.split("\n") if line]


def within_limits(events: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The events in order, in batches PutLogEvents accepts."""
    batch: list[dict[str, Any]] = []
    size = 0
    for event in events:
        event_size = len(event["message"].encode()) + _EVENT_OVERHEAD_BYTES
        if batch and (len(batch) == MAX_EVENTS_PER_CALL or size + event_size > MAX_BYTES_PER_CALL):
            yield batch
            batch, size = [], 0
        batch.append(event)
        size += event_size
    if batch:
        yield batch


def collect(log_queue: "queue.Queue[Any]", first: Any, shutdown_pill: Any) -> tuple[dict[tuple[str, str], list[dict]], bool]:
    """Events per (group, stream) of `first` and of everything waiting behind it; True when told to stop."""
    by_stream: dict[tuple[str, str], list[dict]] = {}
    item, stop = first, False
    while True:
        if item is shutdown_pill:
            stop = True
            break
        by_stream.setdefault((item.log_group, item.log_stream), []).extend(log_events(item.logs, int(time.time() * 1000)))
        try:
            item = log_queue.get_nowait()
        except queue.Empty:
            break
    return by_stream, stop


def deliver(account_id: str, region: str, group: str, stream: str, events: list[dict[str, Any]]) -> None:
    """PutLogEvents, creating the group and the stream first when missing (as LocalStack's loop)."""
    for batch in within_limits(events):
        try:
            cloudwatch_logs_store.put_log_events(account_id, region, group, stream, batch)
        except cloudwatch_logs_store.LogDestinationMissing:
            cloudwatch_logs_store.create_log_group(account_id, region, group)
            cloudwatch_logs_store.create_log_stream(account_id, region, group, stream)
            cloudwatch_logs_store.put_log_events(account_id, region, group, stream, batch)


def run_log_loop(self: Any) -> None:
    """LogHandler.run_log_loop, batched; the logs go to the account of the function's execution role, as there."""
    from localstack.services.lambda_.invocation.logs import QUEUE_SHUTDOWN
    from localstack.utils.aws.arns import extract_account_id_from_arn

    account_id = extract_account_id_from_arn(self.role_arn)
    stop = False
    while not stop and not self._shutdown_event.is_set():
        first = self.log_queue.get()
        if first is not QUEUE_SHUTDOWN:
            self._shutdown_event.wait(GATHER_SECONDS)
        by_stream, stop = collect(self.log_queue, first, QUEUE_SHUTDOWN)
        for (group, stream), events in by_stream.items():
            try:
                deliver(account_id, self.region, group, stream, events)
            except Exception as error:  # noqa: BLE001 - as LocalStack: logs that cannot be stored are only reported
                LOG.warning("Error saving logs to group %s in region %s: %s", group, self.region, error)


@hooks.on_infra_start()
def batch_lambda_log_delivery() -> None:
    when_imported("localstack.services.lambda_.invocation.logs", lambda logs: setattr(
        logs.LogHandler, "run_log_loop", lambda self, *args, **kwargs: run_log_loop(self)))

"""Lambda asynchronous invocation inside LocalStack: no event is held back by a function update, and a poller stops
when it is told to.

behaviour.md "S3": S3 invokes the function asynchronously. LocalStack 4.13.1 keeps async events in
an internal queue read by one poller per function version. Updating a function replaces the poller,
and the old one's in-flight long poll (2 s) can receive an event after it was told to stop: it then
drops it on the floor, and the event only comes back when its visibility timeout (function timeout
+ 60 s) ends. On AWS an upload right after a deploy is processed at once. This hook replaces the
poller loop with one that hands such events back to the queue, where the new poller takes them.

LocalStack's `Poller.stop()` could not interrupt that long poll, and the stop was waited for (up to 2 s) on one of
the Lambda service's six task threads, the ones that also start new function versions: after a few DeleteFunction
calls a CreateFunction could wait ~1 s to become Active, and every engine shutdown waited ~1.2 s for its pollers
(issue 13). Here a poller waits for a visible message or its stop on the queue's own condition (woken by a message
put there and by `stop()`), and only then receives, without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported

LOG = logging.getLogger(__name__)
_RECHECK_SECONDS = 2  # a waiting poller looks at the queue at least this often (LocalStack's long poll)
_ERROR_PAUSE_SECONDS = 1.0


def wait_for_messages_or_stop(visible: Any, stop: threading.Event, timeout: float) -> bool:
    """Whether a message is visible in the queue (`visible`: an internal SQS queue's `InterruptibleQueue`) before
    `stop` is set or `timeout` passes; woken by a put into the queue and by `wake_pollers`."""
    with visible.not_empty:
        visible.not_empty.wait_for(lambda: visible._qsize() or stop.is_set(), timeout)
        return bool(visible._qsize()) and not stop.is_set()


def wake_pollers(visible: Any) -> None:
    """Every poller waiting on the queue looks again (at its stop, or at a message another poller left)."""
    with visible.not_empty:
        visible.not_empty.notify_all()


def _visible_messages(sqs: Any, queue_url: str) -> Any | None:
    """The internal queue's visible messages (an InterruptibleQueue); None for a queue that is gone."""
    try:
        return sqs.queue_manager.get_queue(queue_name=queue_url).visible
    except ValueError:  # LocalStack's "Queue not available"
        return None


def run_poller(self) -> None:
    """Poller.run: receive up to 10 events, hand each to the invoker pool, or back to the queue if stopped."""
    from localstack.services.lambda_.invocation import event_manager

    sqs = event_manager.get_sqs_client(self.version_manager.function_version, client_config=event_manager.CLIENT_CONFIG)
    visibility = self.version_manager.function_version.config.timeout + 60
    visible = _visible_messages(sqs, self.event_queue_url)
    if visible is None:  # deleted before this poller ran (its version was stopped at once)
        if not self._shutdown_event.is_set():
            LOG.error("Lambda events of %s: no event queue %s", self.version_manager.function_version.qualified_arn,
                      self.event_queue_url)
        return
    try:
        _poll(self, sqs, visible, visibility)
    finally:  # a message this poller was woken for and left is another waiting poller's (the version replacing it)
        wake_pollers(visible)


def _poll(self, sqs: Any, visible: Any, visibility: int) -> None:
    while not self._shutdown_event.is_set():
        try:
            if not wait_for_messages_or_stop(visible, self._shutdown_event, _RECHECK_SECONDS):
                continue
            response = sqs.receive_message(QueueUrl=self.event_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=visibility)
            for message in response.get("Messages") or []:
                if self._shutdown_event.is_set():  # received after stop(): the replacing poller takes it
                    sqs.send_message(QueueUrl=self.event_queue_url, MessageBody=message["Body"])
                    sqs.delete_message(QueueUrl=self.event_queue_url, ReceiptHandle=message["ReceiptHandle"])
                else:
                    self.invoker_pool.submit(self.handle_message, message)
        except Exception as error:  # noqa: BLE001 - the loop must survive, as LocalStack's does
            if self._shutdown_event.is_set():
                return
            LOG.error("Error while polling lambda events for %s: %s", self.version_manager.function_version.qualified_arn, error)
            time.sleep(_ERROR_PAUSE_SECONDS)


def replace_the_poller_loop(event_manager: Any) -> None:
    localstack_stop = event_manager.Poller.stop

    def stop(self) -> None:
        localstack_stop(self)
        visible = _visible_messages(event_manager.get_sqs_client(self.version_manager.function_version), self.event_queue_url)
        if visible is not None:  # nothing waits on a deleted queue
            wake_pollers(visible)

    event_manager.Poller.run = lambda self, *args, **kwargs: run_poller(self)
    event_manager.Poller.stop = stop


@hooks.on_infra_start()
def hand_back_events_received_by_a_stopped_poller() -> None:
    when_imported("localstack.services.lambda_.invocation.event_manager", replace_the_poller_loop)

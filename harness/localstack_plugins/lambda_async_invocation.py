"""Lambda asynchronous invocation inside LocalStack: no event is held back by a function update.

behaviour.md "S3": S3 invokes the function asynchronously. LocalStack 4.13.1 keeps async events in
an internal queue read by one poller per function version. Updating a function replaces the poller,
and the old one's in-flight long poll (2 s) can receive an event after it was told to stop: it then
drops it on the floor, and the event only comes back when its visibility timeout (function timeout
+ 60 s) ends. On AWS an upload right after a deploy is processed at once. This hook replaces the
poller loop with one that hands such events back to the queue, where the new poller takes them.
"""

from __future__ import annotations

import logging
import time

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported

LOG = logging.getLogger(__name__)
_LONG_POLL_SECONDS = 2  # as LocalStack's own poller
_ERROR_PAUSE_SECONDS = 1.0


def run_poller(self) -> None:
    """Poller.run: receive up to 10 events, hand each to the invoker pool, or back to the queue if stopped."""
    from localstack.services.lambda_.invocation import event_manager

    sqs = event_manager.get_sqs_client(self.version_manager.function_version, client_config=event_manager.CLIENT_CONFIG)
    visibility = self.version_manager.function_version.config.timeout + 60
    while not self._shutdown_event.is_set():
        try:
            response = sqs.receive_message(
                QueueUrl=self.event_queue_url, WaitTimeSeconds=_LONG_POLL_SECONDS, MaxNumberOfMessages=10,
                VisibilityTimeout=visibility,
            )
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


@hooks.on_infra_start()
def hand_back_events_received_by_a_stopped_poller() -> None:
    when_imported("localstack.services.lambda_.invocation.event_manager", lambda event_manager: setattr(
        event_manager.Poller, "run", lambda self, *args, **kwargs: run_poller(self)))

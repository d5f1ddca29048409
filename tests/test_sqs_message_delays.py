"""Delayed SQS messages (harness/localstack_plugins/sqs_message_delays.py, issue 13): visible when their delay ends,
not at LocalStack's next once-a-second tick; the engine's async retries (behaviour.md "S3") ride on this."""

from __future__ import annotations

import time

import pytest
from localstack.services.sqs import models

from harness.localstack_plugins.sqs_message_delays import deliver_delayed_messages_on_time

ACCOUNT, REGION = "000000000000", "us-east-1"


@pytest.fixture
def on_time(monkeypatch):
    """LocalStack's queue classes with the hook applied, for this test only; no queue-update worker runs here."""
    for queue_class in (models.StandardQueue, models.FifoQueue):
        monkeypatch.setattr(queue_class, "put", queue_class.put)
    deliver_delayed_messages_on_time(models)


def message(body: str) -> dict:
    return {"MessageId": body, "Body": body, "MD5OfBody": "", "Attributes": {}}


def test_a_delayed_message_is_visible_once_its_delay_ends_and_not_before(on_time):
    queue = models.StandardQueue("delays", REGION, ACCOUNT)
    put_at = time.time()
    queue.put(message("retry"), delay_seconds=1)
    assert queue.visible.qsize() == 0 and len(queue.delayed) == 1
    visible = queue.visible.get(timeout=10)  # nothing else moves it: without the hook this waits out the timeout
    assert visible.message["Body"] == "retry" and time.time() - put_at >= 1  # SQS DelaySeconds: not before
    assert not queue.delayed


def test_a_message_without_delay_is_visible_at_once_and_schedules_nothing(on_time, monkeypatch):
    scheduled: list[float] = []
    monkeypatch.setattr("harness.localstack_plugins.sqs_message_delays.SharedTimer.start",
                        lambda timer: scheduled.append(timer.interval))
    queue = models.StandardQueue("no-delay", REGION, ACCOUNT)
    queue.put(message("now"))
    assert queue.visible.qsize() == 1 and scheduled == []
    queue.put(message("later"), delay_seconds=2)
    assert len(scheduled) == 1 and 1.9 < scheduled[0] <= 2.01

"""The Lambda event poller's wait (harness/localstack_plugins/lambda_async_invocation.py, issue 13): it ends when a
message is put into the function's internal queue or when the poller is stopped, not at the end of a long poll.
The engine-level behaviour (an event right after an update, retries) is in test_lambda_runtime.py."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from localstack.services.sqs.queue import InterruptibleQueue

from harness.localstack_plugins.lambda_async_invocation import wait_for_messages_or_stop, wake_pollers

LONGER_THAN_ANY_TEST = 600.0  # a wait that is not woken makes pytest's timeout fail the test


def waiting_poller(visible: InterruptibleQueue, stop: threading.Event, pool: ThreadPoolExecutor):
    started = threading.Event()

    def wait() -> bool:
        started.set()
        return wait_for_messages_or_stop(visible, stop, LONGER_THAN_ANY_TEST)

    future = pool.submit(wait)
    started.wait(10)
    return future


def test_a_message_put_into_the_queue_wakes_the_poller() -> None:
    visible, stop = InterruptibleQueue(), threading.Event()
    with ThreadPoolExecutor(1) as pool:
        waiting = waiting_poller(visible, stop, pool)
        visible.put("event")
        assert waiting.result() is True
    assert visible.get_nowait() == "event"  # the wait takes nothing: the poller's receive does


def test_a_stopped_poller_stops_waiting_and_leaves_the_messages_for_the_next_one() -> None:
    visible, stop = InterruptibleQueue(), threading.Event()
    with ThreadPoolExecutor(1) as pool:
        waiting = waiting_poller(visible, stop, pool)
        stop.set()
        wake_pollers(visible)
        assert waiting.result() is False
    visible.put("event")
    assert wait_for_messages_or_stop(visible, threading.Event(), LONGER_THAN_ANY_TEST) is True


def test_a_message_already_there_is_seen_without_waiting() -> None:
    visible = InterruptibleQueue()
    visible.put("event")
    assert wait_for_messages_or_stop(visible, threading.Event(), LONGER_THAN_ANY_TEST) is True
    assert wait_for_messages_or_stop(InterruptibleQueue(), threading.Event(), 0.01) is False

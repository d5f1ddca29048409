"""A delayed SQS message becomes visible when its delay ends (inside LocalStack; issue 13).

behaviour.md "S3": a failing asynchronous invocation is retried twice more; the harness waits 1 s and 2 s where AWS
waits ~1 and ~2 minutes (`LAMBDA_RETRY_BASE_DELAY`, harness.library.targets.localstack_host). LocalStack 4.13.1 keeps
a retry as a message with DelaySeconds in the function's internal SQS queue, and moves delayed messages into a queue
only on its queue-update worker's tick, once a second: a 1 s delay took 1-2 s, and the 3 attempts came ~1.5 s and
~3 s apart (and a user's own `SendMessage` with DelaySeconds was late by up to a second too). This hook, registered
under `localstack.hooks.on_infra_start`, has each delayed message's queue move it when its delay ends, on the shared
timer thread of `lambda_keepalive`; the tick still runs, and moves whatever is due first.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.lambda_keepalive import SharedTimer
from harness.localstack_plugins.on_import import when_imported

_PAST_THE_DELAY_SECONDS = 0.001  # LocalStack's `is_delayed` holds a message until strictly after created + delay


def visible_when_due(put: Callable[..., Any]) -> Callable[..., Any]:
    """A queue's `put`, then, for a message it holds back, the queue's move of delayed messages when the delay ends."""

    @functools.wraps(put)
    def put_and_schedule(queue: Any, *args: Any, **kwargs: Any) -> Any:
        message = put(queue, *args, **kwargs)
        if message.is_delayed:  # both queue kinds' put returns the message it keeps
            due_in = message.created + message.delay_seconds - time.time()
            SharedTimer(max(due_in, 0.0) + _PAST_THE_DELAY_SECONDS, queue.enqueue_delayed_messages).start()
        return message

    return put_and_schedule


def deliver_delayed_messages_on_time(models: Any) -> None:
    for queue_class in (models.StandardQueue, models.FifoQueue):
        queue_class.put = visible_when_due(queue_class.put)


@hooks.on_infra_start()
def make_delayed_messages_visible_on_time() -> None:
    when_imported("localstack.services.sqs.models", deliver_delayed_messages_on_time)

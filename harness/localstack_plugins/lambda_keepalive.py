"""The timers of Lambda execution environments on one scheduler thread (inside LocalStack; issue 13).

LocalStack 4.13.1 starts a `threading.Timer` (a new thread) each time an execution environment finishes an
invocation, to stop the environment once it has been idle for LAMBDA_KEEPALIVE_MS, and cancels it when the next
invocation reserves the environment: a thread started and ended per invocation (and one per environment startup,
for its startup timeout). This hook, registered under `localstack.hooks.on_infra_start`, gives
`execution_environment` a `Timer` with the same `start`/`cancel` behaviour whose waiting is done by one shared
scheduler thread; a timer that fires runs its function in a thread of its own, as `threading.Timer` does, so a slow
environment stop never delays another timer.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.lazy_thread import LazyDaemonThread
from harness.localstack_plugins.on_import import when_imported

_PRUNE_AT = 1000  # cancelled timers kept before the waiting list is cleaned


class SharedTimer:
    """threading.Timer's `start()` and `cancel()`: calls `function(*args, **kwargs)` after `interval` seconds."""

    def __init__(self, interval: float, function: Callable[..., Any], args: Any = None, kwargs: Any = None) -> None:
        self.interval, self.function = interval, function
        self.args, self.kwargs = args or (), kwargs or {}
        self.cancelled = False

    def start(self) -> None:
        SCHEDULER.schedule(time.monotonic() + self.interval, self)

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            SCHEDULER.forget_cancelled()

    def fire(self) -> None:
        if not self.cancelled:
            threading.Thread(target=self.function, args=self.args, kwargs=self.kwargs, name="lambda-timer", daemon=True).start()


class TimerScheduler:
    """One daemon thread that fires due timers, earliest first. Cancelled ones are dropped when they come due, or
    all at once when they are most of those waiting (a keepalive of minutes and many invocations a second)."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, SharedTimer]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread = LazyDaemonThread(self._run, "harness-lambda-timers")
        self._cancelled = 0

    def schedule(self, when: float, timer: SharedTimer) -> None:
        with self._changed:
            heapq.heappush(self._due, (when, next(self._order), timer))
            if self._due[0][2] is timer:  # sooner than what the thread waits for (the same keepalive comes later each time)
                self._changed.notify()
        self._thread.ensure_started()

    def forget_cancelled(self) -> None:
        with self._changed:
            self._cancelled += 1
            if self._cancelled > _PRUNE_AT and self._cancelled * 2 > len(self._due):
                self._due = [entry for entry in self._due if not entry[2].cancelled]
                heapq.heapify(self._due)
                self._cancelled = 0

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._changed.wait(timeout=self._due[0][0] - time.monotonic() if self._due else None)
                _, _, timer = heapq.heappop(self._due)
            timer.fire()


SCHEDULER = TimerScheduler()


@hooks.on_infra_start()
def schedule_environment_timers_on_one_thread() -> None:
    when_imported("localstack.services.lambda_.invocation.execution_environment",
                  lambda execution_environment: setattr(execution_environment, "Timer", SharedTimer))

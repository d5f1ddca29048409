"""Execution environment timers on one scheduler thread (harness/localstack_plugins/lambda_keepalive.py): a timer fires
once after its interval and a cancelled one never does, a slow timer function delays no other timer, and cancelled
timers do not pile up under a long keepalive."""

from __future__ import annotations

import threading
import time

from harness.library.waiting import wait_until
from harness.localstack_plugins.lambda_keepalive import _PRUNE_AT, SCHEDULER, SharedTimer


def test_a_timer_fires_once_after_its_interval_and_a_cancelled_one_never():
    fired: list[str] = []
    started = time.monotonic()
    SharedTimer(0.2, lambda: fired.append(f"late {time.monotonic() - started:.2f}")).start()
    SharedTimer(0.05, fired.append, args=("early",)).start()
    cancelled = SharedTimer(0.1, fired.append, args=("cancelled",))
    cancelled.start()
    cancelled.cancel()
    wait_until(lambda: len(fired) == 2, timeout=5, what="two timers to fire", evidence=lambda: str(fired))
    time.sleep(0.2)
    assert fired[0] == "early" and fired[1].startswith("late") and float(fired[1].split()[1]) >= 0.2
    assert len(fired) == 2


def test_a_slow_timer_function_delays_no_other_timer():
    release = threading.Event()
    fired: list[str] = []
    SharedTimer(0.01, release.wait, args=(10,)).start()  # as an environment stop that takes long
    SharedTimer(0.05, fired.append, args=("next",)).start()
    wait_until(lambda: fired == ["next"], timeout=2, what="the second timer", evidence=lambda: str(fired))
    release.set()


def test_cancelled_timers_of_a_long_keepalive_are_dropped_from_the_waiting_list():
    for _ in range(3 * _PRUNE_AT):
        timer = SharedTimer(600, lambda: None)  # LocalStack's default keepalive: 10 minutes
        timer.start()
        timer.cancel()
    assert len(SCHEDULER._due) <= 2 * _PRUNE_AT


def test_an_idle_environment_is_stopped_after_the_keepalive_and_a_busy_one_is_not():
    """LAMBDA_KEEPALIVE_MS=1000: the runtime process of an environment idle for a second ends; invoked every 0.3 s it stays."""
    from harness.library.lambda_functions import THROWAWAY_ROLE_ARN, wait_function_ready
    from harness.library.packaging import zip_files
    from harness.library.targets.engine_process import descendants
    from harness.library.targets.localstack_host import LocalStackEngine

    with LocalStackEngine(extra_env={"LAMBDA_KEEPALIVE_MS": "1000"}) as engine:
        lambda_ = engine.clients().lambda_
        lambda_.create_function(FunctionName="kept", Runtime="python3.12", Role=THROWAWAY_ROLE_ARN, Handler="app.handler",
                                Code={"ZipFile": zip_files({"app.py": "def handler(e, c):\n    return 1\n"})})
        wait_function_ready(lambda_, "kept", 30)
        lambda_.invoke(FunctionName="kept")
        runtimes = descendants(engine.pid)
        assert runtimes, "an execution environment runs after the invocation"
        for _ in range(6):
            time.sleep(0.3)
            lambda_.invoke(FunctionName="kept")
        assert runtimes <= descendants(engine.pid), "invoked within the keepalive, the environment stays"
        wait_until(lambda: not (runtimes & descendants(engine.pid)), timeout=10, what="the idle environment to stop",
                   evidence=lambda: f"still running: {sorted(runtimes & descendants(engine.pid))}")

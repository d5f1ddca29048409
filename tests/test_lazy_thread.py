"""The engine's writer and scheduler threads start on first use, once (harness.localstack_plugins.lazy_thread)."""

from __future__ import annotations

import threading

from harness.localstack_plugins.lazy_thread import LazyDaemonThread


def test_many_callers_at_once_start_one_daemon_thread_and_only_when_asked():
    runs: list[str] = []
    running, release = threading.Event(), threading.Event()

    def run() -> None:
        runs.append(threading.current_thread().name)
        running.set()
        release.wait(10)

    lazy = LazyDaemonThread(run, "harness-test-writer")
    assert not [t for t in threading.enumerate() if t.name == "harness-test-writer"]  # nothing until asked
    callers = [threading.Thread(target=lazy.ensure_started) for _ in range(20)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(10)
    assert running.wait(10)
    started = [t for t in threading.enumerate() if t.name == "harness-test-writer"]
    release.set()
    assert len(started) == 1 and started[0].daemon and runs == ["harness-test-writer"]

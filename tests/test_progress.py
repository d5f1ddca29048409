"""Progress lines of the slow steps (harness.library.progress), and independent steps run at the same time
(`harness up` provisions the thumbnail pipeline and the avatar API at once)."""

from __future__ import annotations

import re
import threading

import pytest

from harness.library.progress import steps_at_once


def test_steps_run_at_the_same_time_and_each_writes_its_line_when_it_ends():
    both_running = threading.Barrier(2, timeout=10)  # neither returns until the other has started

    def step(result: str) -> str:
        both_running.wait()
        return result

    lines: list[str] = []
    results = steps_at_once({"first": lambda: step("one"), "second": lambda: step("two")}, write=lines.append)
    assert results == {"first": "one", "second": "two"}
    assert sorted(re.sub(r"\d+ ms", "N ms", line) for line in lines) == ["  first ... N ms\n", "  second ... N ms\n"]


def test_a_failing_step_lets_the_others_end_then_its_error_is_raised():
    other_ended = threading.Event()

    def fails() -> None:
        raise ValueError("no such bucket")

    def slow() -> str:
        other_ended.wait(0.2)
        other_ended.set()
        return "done"

    lines: list[str] = []
    with pytest.raises(ValueError, match="no such bucket"):
        steps_at_once({"broken": fails, "slow": slow}, write=lines.append)
    assert other_ended.is_set()
    assert any(line.startswith("  broken ... failed after ") for line in lines) and any(line.startswith("  slow ... ") for line in lines)

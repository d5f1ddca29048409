"""Bounded polling: every wait in the harness ends, and says what it saw when it gives up.

The pause between probes starts at `interval` and grows by half each time up to `max_interval` (0.1 s unless the
caller's own interval is longer): a probe is an AWS call that costs the engine and the test process ~10 ms of CPU,
which on a machine of 2 cores, at a fixed 20 ms, took a third of a core away from the work being waited for.
A quick result is still seen within tens of milliseconds; a slow one at most 0.1 s late."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from harness.shared.errors import WaitTimeout

T = TypeVar("T")
_GROWTH = 1.5


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    evidence: Callable[[], str],
    hint: str = "",
    interval: float = 0.02,
    max_interval: float = 0.1,
) -> T:
    """Call `probe` until it returns something truthy; on timeout raise WaitTimeout with `evidence()`."""
    deadline = time.monotonic() + timeout
    longest = max(interval, max_interval)
    while True:
        result = probe()
        if result:
            return result
        now = time.monotonic()
        if now >= deadline:
            raise WaitTimeout(f"timed out after {timeout:g}s waiting for {what}", evidence=evidence(), hint=hint)
        time.sleep(min(interval, deadline - now))
        interval = min(interval * _GROWTH, longest)

"""Bounded polling: every wait in the harness ends, and says what it saw when it gives up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from harness.shared.errors import WaitTimeout

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    evidence: Callable[[], str],
    hint: str = "",
    interval: float = 0.02,
) -> T:
    """Call `probe` until it returns something truthy; on timeout raise WaitTimeout with `evidence()`."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:g}s waiting for {what}", evidence=evidence(), hint=hint)
        time.sleep(interval)

"""Progress lines for slow session steps, written past pytest's output capture (as live logging does)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from harness.library.progress import Write, step

PROGRESS_LEAD = "harness: "


def terminal(config: pytest.Config) -> Write:
    """Writes on the terminal, past pytest's output capture; nothing with -q."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or config.get_verbosity() < 0:
        return lambda text: None

    def write(text: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()  # a line of its own among pytest's progress dots
            reporter.write(text, flush=True)

    return write


def progress(config: pytest.Config) -> Callable[..., Any]:
    """`progress(label, action)`: runs a slow step, showing what happens and how long it took."""
    return functools.partial(step, write=terminal(config), lead=PROGRESS_LEAD)

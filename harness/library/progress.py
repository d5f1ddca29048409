"""Progress lines for the slow steps (booting, provisioning, tearing down): what is happening, how long it took."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
Write = Callable[[str], None]


def to_stdout(text: str) -> None:
    print(text, end="", flush=True)


def step(label: str, action: Callable[[], T], write: Write = to_stdout, lead: str = "  ") -> T:
    """Run `action`, writing `<lead><label> ... <ms> ms` (or `failed after <ms> ms`) around it."""
    write(f"{lead}{label} ...")
    started = time.perf_counter()
    try:
        result = action()
    except BaseException:
        write(f" failed after {(time.perf_counter() - started) * 1000:.0f} ms\n")
        raise
    write(f" {(time.perf_counter() - started) * 1000:.0f} ms\n")
    return result

"""Progress lines for the slow steps (booting, provisioning, tearing down): what is happening, how long it took."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
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


def steps_at_once(actions: dict[str, Callable[[], object]], write: Write = to_stdout, lead: str = "  ") -> dict[str, object]:
    """Run independent steps on threads of their own, writing `<lead><label> ... <ms> ms` (or `failed after <ms> ms`)
    as each ends; every step runs to its end, then the first failure, if any, is raised."""
    started = time.perf_counter()
    results: dict[str, object] = {}
    failures: list[BaseException] = []
    with ThreadPoolExecutor(max_workers=len(actions)) as workers:
        running = {workers.submit(action): label for label, action in actions.items()}
        for done in as_completed(running):
            elapsed = f"{(time.perf_counter() - started) * 1000:.0f} ms"
            if done.exception() is not None:
                failures.append(done.exception())
                write(f"{lead}{running[done]} ... failed after {elapsed}\n")
            else:
                results[running[done]] = done.result()
                write(f"{lead}{running[done]} ... {elapsed}\n")
    if failures:
        raise failures[0]
    return results

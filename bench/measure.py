"""What both benchmarks (run.py, peers.py) measure the same way: percentiles, and the memory and CPU time of a process tree."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from harness.library.targets.engine_process import descendants


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    """VmRSS of the process and all its descendants (LocalStack and its runtime processes), in MB."""
    total = 0
    for each in descendants(pid) | {pid}:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its living descendants, and of the children they have reaped."""
    total = 0
    for each in descendants(pid) | {pid}:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(field) for field in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def cpu_ms_per_call(pid: int, calls: int, action: Callable[[], object]) -> float:
    """The stack's CPU time per call while `action` makes `calls` calls: what a call costs, whatever the load."""
    before = cpu_seconds(pid)
    action()
    return (cpu_seconds(pid) - before) * 1000 / calls

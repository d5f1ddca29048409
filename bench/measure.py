"""What both benchmarks (run.py, peers.py) measure the same way: percentiles and the memory of a process tree."""

from __future__ import annotations

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
